import type { UserRecord } from "../server/index.ts"

/** `upsmon` values upsd.users accepts (case-insensitive); master/slave are the pre-2.8 names. */
export const UPSMON_ROLES = ["primary", "secondary", "master", "slave"] as const
export type UpsmonRole = (typeof UPSMON_ROLES)[number]

/** Normalise an `upsmon` value to `primary` / `secondary`, or undefined when it is neither. */
export function upsmonRole(value: string): "primary" | "secondary" | undefined {
  const v = value.toLowerCase()
  if (v === "primary" || v === "master") return "primary"
  if (v === "secondary" || v === "slave") return "secondary"
  return undefined
}

/**
 * Actions an `upsmon` line grants (server/user.c): a primary may LOGIN, PRIMARY/MASTER and FSD;
 * a secondary may only LOGIN. `primary` is listed too so either name of the command can be
 * checked against the set.
 */
export function upsmonActions(role: "primary" | "secondary"): readonly string[] {
  return role === "primary" ? ["login", "master", "primary", "fsd"] : ["login"]
}

/** The pieces a user is assembled from, in either config format. */
export interface UserInit {
  readonly name: string
  readonly password: string | undefined
  readonly actions?: Iterable<string>
  readonly instcmds?: Iterable<string>
  readonly upsmon?: "primary" | "secondary" | undefined
}

/** Build a UserRecord with NUT's meaning: actions and instcmds are case-insensitive sets. */
export function createUserRecord(init: UserInit): UserRecord {
  const actions = new Set<string>()
  for (const a of init.actions ?? []) actions.add(a.toLowerCase())
  if (init.upsmon) for (const a of upsmonActions(init.upsmon)) actions.add(a)
  const instcmds = new Set<string>()
  for (const c of init.instcmds ?? []) instcmds.add(c.toLowerCase())
  return { name: init.name, password: init.password, actions, instcmds }
}

/**
 * Checks of a validated nutctl config that the schema cannot make one key at a time: MINSUPPLIES
 * against each role's power values (an error, as upsmon refuses it), and warnings about settings
 * that load but do nothing, or not what was meant. Each names a key path; the loader adds file and
 * line.
 */
import { checkDriverOptions } from "../drivers/index.ts"
import { unknownActionProblem } from "./actions.ts"
import { keyPathString as keyString, type KeyPath } from "./key-line.ts"
import type { NutctlConfig } from "./nutctl-schema.ts"
import { literalSecrets } from "./secrets.ts"

/** A key whose value cannot be used. */
export interface PathIssue {
  readonly path: KeyPath
  /** The key as shown; @default the path as a string */
  readonly key?: string
  readonly expected: string
  readonly got?: unknown
  /** The sentence after `file:line: `, instead of "KEY expects …, got …". */
  readonly message?: string
}

/** A warning about one key; `message` is the sentence after `file:line: `. */
export interface PathWarning {
  readonly path: KeyPath
  readonly key?: string
  readonly message: string
}

export interface CheckInput {
  readonly config: NutctlConfig
  /** The parsed file before validation: keys as written (driver options are lower-cased after). */
  readonly raw: unknown
  /** The file, for advice in messages. */
  readonly file: string
  /** How the file is open to others (`world-readable (mode 0644)`), when it is. */
  readonly open?: string | undefined
}

/** upsmon's defaults, for the checks that compare settings. */
const UPSMON = { minsupplies: 1, pollfreq: 5, deadtime: 15 } as const

export function checkNutctlConfig({ config, raw, file, open }: CheckInput): { errors: PathIssue[]; warnings: PathWarning[] } {
  const errors: PathIssue[] = []
  const warnings: PathWarning[] = []
  const warn = (path: KeyPath, key: string, message: string): void => {
    warnings.push({ path, key, message })
  }

  if (open !== undefined) {
    for (const path of literalSecrets(config)) {
      const key = keyString(path)
      warn(path, key, `${key} is a literal secret and the file is ${open}; use { file: … } or { env: … }, or chmod 600 ${file}`)
    }
  }

  for (const [name, u] of Object.entries(config.users)) {
    if (u.password === undefined) warn(["users", name], `users.${name}`, `users.${name} has no password and can never log in`)
    // the server treats an empty password as none: never a login without one
    else if (u.password === "") warn(["users", name, "password"], `users.${name}.password`, `users.${name}.password is empty: the user can never log in`)
    for (const [j, a] of u.actions.entries()) {
      const problem = unknownActionProblem(a)
      if (problem !== undefined) warn(["users", name, "actions", j], `users.${name}.actions`, `users.${name}.actions: ${problem}`)
    }
  }

  for (const [name, u] of Object.entries(config.ups)) {
    const written = new Map(Object.keys(rawEntry(raw, ["ups", name])).map((k) => [k.toLowerCase(), k]))
    for (const option of checkDriverOptions(u.driver, u.port, u.params).unknown) {
      const path = ["ups", name, written.get(option) ?? option]
      const key = keyString(path)
      warn(path, key, `${key} is not an option ${u.driver} knows (check the spelling: NUT's ${u.driver} refuses it)`)
    }
  }

  const s = config.shutdown
  const minsupplies = s.minsupplies ?? UPSMON.minsupplies
  for (const [i, r] of config.roles.entries()) {
    const role = `roles[${i}]`
    for (const [j, ex] of r.shutdown.entries()) {
      if (!Object.hasOwn(config.executors, ex)) warn(["roles", i, "shutdown", j], `${role}.shutdown[${j}]`, `${role}.shutdown[${j}]: executor ${ex} has no settings under executors:`)
    }
    for (const [j, m] of r.monitor.entries()) {
      if (m.user !== undefined && !Object.hasOwn(config.users, m.user) && m.password === undefined) {
        warn(["roles", i, "monitor", j], `${role}.monitor[${j}].user`, `${role}.monitor[${j}]: user ${m.user} is not under users: and has no password here`)
      }
      if (m.password === "") warn(["roles", i, "monitor", j, "password"], `${role}.monitor[${j}].password`, `${role}.monitor[${j}].password is empty: the server will refuse the login`)
    }
    // the monitor does not run for a role that monitors nothing (no MINSUPPLIES to reach)
    if (r.monitor.length === 0) {
      if (r.shutdown.length > 0) warn(["roles", i, "monitor"], `${role}.monitor`, `${role} monitors nothing: its shutdown executors (${r.shutdown.join(", ")}) never run`)
      continue
    }
    if (r.shutdown.length === 0) warn(["roles", i], `${role}.shutdown`, `${role} has no shutdown: executors: this host will not shut itself down`)
    // upsmon refuses MINSUPPLIES above the power it monitors: the host would go down at once
    const power = r.monitor.reduce((sum, m) => sum + m.powerValue, 0)
    if (power >= minsupplies) continue
    if (s.minsupplies !== undefined) {
      errors.push({ path: ["shutdown", "minsupplies"], key: "shutdown.minsupplies", expected: `at most the sum of ${role}.monitor power values (${power})`, got: s.minsupplies })
    } else {
      const key = `${role}.monitor`
      errors.push({
        path: ["roles", i, "monitor"],
        key,
        expected: `power values that add up to shutdown.minsupplies (${minsupplies} by default)`,
        message: `${key} power values add up to ${power}, below shutdown.minsupplies (${minsupplies} by default): the monitor would shut this host down at once; give a supply powervalue 1 or more, or set shutdown.minsupplies: 0`,
      })
    }
  }
  if (s.minsupplies === 0 && config.roles.some((r) => r.monitor.length > 0 && r.shutdown.length > 0)) {
    warn(["shutdown", "minsupplies"], "shutdown.minsupplies", "shutdown.minsupplies is 0: no role's monitor ever shuts its host down")
  }
  // DEADTIME shorter than the poll interval: one poll that answers late on battery counts the UPS dead
  const deadtime = s.deadtime ?? UPSMON.deadtime
  const poll = Math.max(s.pollfreq ?? UPSMON.pollfreq, s.pollfreqalert ?? UPSMON.pollfreq)
  if ((s.deadtime !== undefined || s.pollfreq !== undefined || s.pollfreqalert !== undefined) && deadtime < poll) {
    const at = s.deadtime !== undefined ? "deadtime" : s.pollfreq !== undefined ? "pollfreq" : "pollfreqalert"
    warn(["shutdown", at], `shutdown.${at}`, `shutdown.deadtime (${deadtime} s) is shorter than the poll interval (${poll} s): a UPS on battery counts as dead, hence critical, after one late poll (upsmon advises deadtime ≥ 3 × pollfreq)`)
  }

  for (const [i, t] of config.http.auth.tokens.entries()) {
    const u = config.users[t.user]
    if (u === undefined || u.password === undefined || u.password === "") {
      warn(["http", "auth", "tokens", i, "user"], `http.auth.tokens[${i}].user`, `http.auth.tokens[${i}]: user ${t.user} is not under users: or has no password: the token is ignored`)
    }
  }
  return { errors, warnings }
}

function rawEntry(raw: unknown, path: readonly string[]): Record<string, unknown> {
  let v = raw
  for (const k of path) v = typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

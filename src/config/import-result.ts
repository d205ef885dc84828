/**
 * What `nutctl config import` produces, whatever it read (NUT's /etc/nut or TrueNAS's UPS
 * service): one cluster config as plain data in the schema's input form, the secret files it
 * refers to, and a report of everything that did not carry over. Shared pieces: users and UPS
 * sections in nutctl's words, and the YAML text.
 */
import { stringifyYAML } from "confbox"
import type { ListenAddress, UserRecord } from "../server/index.ts"
import { resolveIn } from "./paths.ts"
import type { UpsDefinition } from "./types.ts"

/** Who the imported files belong to, and what they cannot say. */
export interface ImportOptions {
  /** The host the files come from (its role's `hosts`). */
  readonly hostname: string
  /** Hosts that monitor the UPS over the network (NUT secondaries), e.g. pve-compute-01,… */
  readonly secondaries?: readonly string[]
  /** How the secondaries reach the primary. @default hostname */
  readonly primaryAddress?: string
  /** Client networks (upsd.conf has no ACL since NUT 2.4). */
  readonly allow?: readonly string[]
  /** Where the secret files go (their paths are written into the config). @default /etc/nutctl */
  readonly secretsDir?: string
}

/** A password moved out of the config into a 0600 file. */
export interface ImportedSecret {
  readonly path: string
  readonly value: string
  /** For the report: `users.monuser.password`. */
  readonly key: string
}

/** The import. */
export interface ImportResult {
  /** Where it came from (`/etc/nut`, `TrueNAS ups.config`). */
  readonly source: string
  readonly config: ImportedConfig
  readonly secrets: readonly ImportedSecret[]
  /** Settings that had no place in nutctl's config, one sentence each. */
  readonly notCarried: readonly string[]
  /** What the admin should know or do next. */
  readonly notes: readonly string[]
}

/** A config in the schema's input form (validated by parsing the YAML back). */
export interface ImportedConfig {
  ups?: Record<string, Record<string, string | number | boolean>>
  server?: Record<string, unknown>
  users?: Record<string, Record<string, unknown>>
  roles?: Array<Record<string, unknown>>
  shutdown?: Record<string, unknown>
  executors?: Record<string, Record<string, unknown>>
}

export const DEFAULT_SECRETS_DIR = "/etc/nutctl"

/** Collects secrets and report lines while an importer runs. */
export class ImportCollector {
  readonly secrets: ImportedSecret[] = []
  readonly notCarried: string[] = []
  readonly notes: string[] = []
  readonly #dir: string

  constructor(secretsDir: string | undefined) {
    this.#dir = secretsDir ?? DEFAULT_SECRETS_DIR
  }

  /** `{ file: <dir>/<name>.pw }`, remembering the value for the file. */
  secret(name: string, value: string, key: string): { file: string } {
    const path = resolveIn(this.#dir, `${name.replace(/[^A-Za-z0-9._-]/g, "_")}.pw`)
    const known = this.secrets.find((s) => s.path === path)
    if (known === undefined) this.secrets.push({ path, value, key })
    else if (known.value !== value) return this.secret(`${name}-2`, value, key)
    return { file: path }
  }

  lost(text: string): void {
    this.notCarried.push(text)
  }

  note(text: string): void {
    this.notes.push(text)
  }
}

/** NUT drivers nutctl runs itself, by NUT's name → the config's short name. */
const DRIVERS: Readonly<Record<string, string>> = { "usbhid-ups": "usbhid", "dummy-ups": "dummy" }

/**
 * A ups.conf section as a `ups:` entry; undefined (and reported) for a driver nutctl does not run.
 * Relative dummy-ups files become absolute: the cluster config lives elsewhere.
 */
export function importUps(def: UpsDefinition, c: ImportCollector): Record<string, string | number | boolean> | undefined {
  const where = `ups.conf [${def.name}]`
  let driver = DRIVERS[def.driver]
  let port = def.port
  if (driver === "dummy" && /^[^/@]+@[^/]+$/.test(port)) driver = "upstream" // dummy-ups repeater mode: port = ups@host
  else if (driver === "dummy") port = resolveIn(def.baseDir, port)
  if (driver === undefined) {
    c.lost(`${where}: driver ${def.driver} is not one nutctl runs (usbhid-ups, dummy-ups); keep NUT's driver and serve it with nutctl serve --nut-config (ups.conf nutctl_external), or use driver: usbhid`)
    return undefined
  }
  const entry: Record<string, string | number | boolean> = { driver, port }
  if (def.desc !== undefined) entry["desc"] = def.desc
  for (const [k, v] of Object.entries(def.params)) entry[k] = v
  return entry
}

/** A UserRecord in `users:` form; the password goes to a secret file. */
export function importUser(user: UserRecord, c: ImportCollector): Record<string, unknown> {
  const a = user.actions
  const upsmon = a.has("primary") || a.has("master") ? "primary" : a.has("login") ? "secondary" : undefined
  const actions = [...a].filter((x) => !["login", "master", "primary"].includes(x) && !(upsmon === "primary" && x === "fsd")).map((x) => x.toUpperCase())
  const out: Record<string, unknown> = {}
  if (user.password !== undefined) out["password"] = c.secret(user.name, user.password, `users.${user.name}.password`)
  if (upsmon !== undefined) out["upsmon"] = upsmon
  if (actions.length > 0) out["actions"] = actions
  if (user.instcmds.size > 0) out["instcmds"] = [...user.instcmds]
  return out
}

/** `0.0.0.0:3493`, `[::]:3493`. */
export function listenText(a: ListenAddress): string {
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`
}

/** The YAML file: a header naming the source and listing what did not carry over, then the config. */
export function renderImportYaml(result: ImportResult): string {
  const header = [
    `# nutctl cluster config, imported by \`nutctl config import\` from ${result.source}.`,
    "# Check it with `nutctl config check`; the same file goes on every host.",
    ...(result.notCarried.length > 0 ? ["#", "# Not carried over:", ...result.notCarried.map((l) => `#  - ${l}`)] : []),
    ...(result.notes.length > 0 ? ["#", "# Notes:", ...result.notes.map((l) => `#  - ${l}`)] : []),
    "",
  ]
  const c = result.config
  // the schema's order, empty sections left out
  const ordered: Record<string, unknown> = {}
  for (const key of ["ups", "server", "users", "roles", "shutdown", "executors"] as const) {
    const v = c[key]
    if (v !== undefined && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) ordered[key] = v
  }
  const body = stringifyYAML(ordered)
  return header.join("\n") + (body.endsWith("\n") ? body : body + "\n")
}

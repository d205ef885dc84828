/**
 * Secrets in nutctl's config: a literal string, `{ env: NAME }` or `{ file: PATH }`. They are
 * resolved only when a component needs them (a secondary never needs the primary's TrueNAS
 * key), through injected capabilities. No message ever contains a secret's value.
 */
import { ConfigError, configIssue, readIssue } from "./errors.ts"
import { checkSecretFileMode } from "./file-mode.ts"
import type { ConfigFs } from "./fs.ts"
import type { KeyPath } from "./key-line.ts"
import type { NutctlConfig, SecretRef } from "./nutctl-schema.ts"
import type { ConfigWarning } from "./types.ts"

/** Where secrets come from. */
export interface SecretSources {
  /** An environment variable, or undefined when unset. */
  env(name: string): string | undefined
  readonly fs: ConfigFs
  /** Receives warnings about secret files others can read. */
  warn?(warning: ConfigWarning): void
}

/** Where a secret sits, for messages: the config file and the key path string. */
export interface SecretPlace {
  readonly file: string
  readonly key: string
}

/** True for `{ env }` / `{ file }` objects. */
export function isSecretRef(value: unknown): value is Exclude<SecretRef, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const keys = Object.keys(value)
  if (keys.length !== 1) return false
  const v = (value as Record<string, unknown>)[keys[0] as string]
  return (keys[0] === "env" || keys[0] === "file") && typeof v === "string"
}

/**
 * Resolve one secret. A file secret loses one trailing newline (`echo pw > file` writes one).
 * @throws ConfigError CONFIG_SECRET when the variable is unset or the file cannot be read
 */
export async function resolveSecret(ref: SecretRef, sources: SecretSources, place: SecretPlace): Promise<string> {
  if (typeof ref === "string") return ref
  if ("env" in ref) {
    const v = sources.env(ref.env)
    if (v === undefined) {
      throw new ConfigError([
        configIssue({ code: "CONFIG_SECRET", file: place.file, key: place.key, expected: `environment variable ${ref.env}`, message: `${place.file}: ${place.key}: environment variable ${ref.env} is not set` }),
      ])
    }
    return v
  }
  let text: string
  try {
    text = await sources.fs.readText(ref.file)
  } catch (cause) {
    const read = readIssue(ref.file, cause)
    throw new ConfigError([{ ...read, code: "CONFIG_SECRET", key: place.key, message: `${read.message} (${place.key} in ${place.file})` }], { cause })
  }
  const w = checkSecretFileMode(ref.file, await sources.fs.mode(ref.file).catch(() => undefined))
  if (w && sources.warn) sources.warn({ ...w, key: place.key })
  return text.replace(/\r?\n$/, "")
}

/** Where a secret comes from, for messages that must not show it: `file /etc/x.pw`, `environment variable P`. */
export function secretSource(ref: SecretRef | undefined): string {
  if (ref === undefined || typeof ref === "string") return "the password"
  return "env" in ref ? `environment variable ${ref.env}` : `file ${ref.file}`
}

/**
 * Resolve every `{ env }` / `{ file }` inside a settings tree (an executor's settings), keeping
 * everything else as it is.
 * @throws ConfigError CONFIG_SECRET for the first secret that cannot be resolved
 */
export async function resolveSecrets(value: unknown, sources: SecretSources, place: SecretPlace): Promise<unknown> {
  if (isSecretRef(value)) return resolveSecret(value, sources, place)
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => resolveSecrets(v, sources, { ...place, key: `${place.key}[${i}]` })))
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = await resolveSecrets(v, sources, { ...place, key: `${place.key}.${k}` })
    return out
  }
  return value
}

const SECRET_KEY = /pass(word)?|secret|token|api_?key|^key$/i

/** Key paths of secrets written literally in the file (users, TLS key, monitor, executor and HTTP token secrets). */
export function literalSecrets(config: NutctlConfig): KeyPath[] {
  const out: KeyPath[] = []
  // an empty one gives away nothing (it has its own warning: the user can never log in)
  for (const [name, u] of Object.entries(config.users)) if (typeof u.password === "string" && u.password !== "") out.push(["users", name, "password"])
  const tls = config.server.tls
  if (tls && "key" in tls && typeof tls.key === "string") out.push(["server", "tls", "key"])
  for (const [i, r] of config.roles.entries()) {
    for (const [j, m] of r.monitor.entries()) if (typeof m.password === "string" && m.password !== "") out.push(["roles", i, "monitor", j, "password"])
  }
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]))
    else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === "string" && SECRET_KEY.test(k)) out.push([...path, k])
        else walk(x, [...path, k])
      }
    }
  }
  walk(config.executors, ["executors"])
  for (const [i, t] of config.http.auth.tokens.entries()) if (typeof t.token === "string") out.push(["http", "auth", "tokens", i, "token"])
  return out
}

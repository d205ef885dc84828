/** Turn a validated nutctl config into what `serve` needs for its upsd part. */
import { DEFAULT_SERVER_SETTINGS, type ListenAddress, type ServerSettings, type TlsSettings, type UserRecord } from "../server/index.ts"
import { ConfigError, readIssue, type ConfigIssue } from "./errors.ts"
import type { LoadedConfig } from "./nutctl-load.ts"
import { dirOf, resolveIn } from "./paths.ts"
import { tlsFromPem } from "./pem.ts"
import { resolveSecret, secretSource, type SecretSources } from "./secrets.ts"
import type { ConfigWarning, ServeSetup, UpsDefinition } from "./types.ts"
import { createUserRecord } from "./user-record.ts"

/** The `ups:` section as UpsDefinitions; relative ports resolve against the config's directory. */
export function upsDefinitions(loaded: LoadedConfig): UpsDefinition[] {
  const baseDir = dirOf(loaded.file)
  return Object.entries(loaded.config.ups).map(([name, u]) => ({ name, ...u, baseDir }))
}

/**
 * Build the ServeSetup: resolves user passwords and TLS material (so call it only on a host
 * that runs the server).
 * @throws ConfigError with every secret or certificate that cannot be read
 */
export async function buildServeSetup(loaded: LoadedConfig, sources: SecretSources): Promise<ServeSetup> {
  const { config, file } = loaded
  const issues: ConfigIssue[] = []
  const warnings: ConfigWarning[] = [...loaded.warnings]
  const src: SecretSources = { ...sources, warn: (w) => warnings.push(w) }
  const collect = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p
    } catch (e) {
      if (e instanceof ConfigError) {
        issues.push(...e.issues)
        return undefined
      }
      throw e
    }
  }

  const users: UserRecord[] = []
  for (const [name, u] of Object.entries(config.users)) {
    const key = `users.${name}.password`
    const resolved = u.password === undefined ? undefined : await collect(resolveSecret(u.password, src, { file, key }))
    // an empty password (an empty file, an empty variable) means none: never a login without one
    // (a literal "" got its warning from the loader already)
    if (resolved === "" && typeof u.password !== "string") warnings.push({ file, key, message: `${file}: ${key}: ${secretSource(u.password)} is empty: the user can never log in` })
    const password = resolved === "" ? undefined : resolved
    users.push(createUserRecord({ name, password, actions: u.actions, instcmds: u.instcmds, upsmon: u.upsmon }))
  }

  const s = config.server
  let tls: TlsSettings | undefined
  if (s.tls && "certfile" in s.tls) {
    const path = resolveIn(dirOf(file), s.tls.certfile)
    const pem = await collect(
      sources.fs.readText(path).catch((cause: unknown) => {
        throw new ConfigError([{ ...readIssue(path, cause), key: "server.tls.certfile" }])
      }),
    )
    if (pem !== undefined) {
      try {
        tls = tlsFromPem(pem, path, s.tls.disableWeak ?? false)
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e
        issues.push(...e.issues)
      }
    }
  } else if (s.tls) {
    const cert = await collect(resolveSecret(s.tls.cert, src, { file, key: "server.tls.cert" }))
    const key = await collect(resolveSecret(s.tls.key, src, { file, key: "server.tls.key" }))
    if (cert !== undefined && key !== undefined) tls = { cert, key, ...(s.tls.disableWeak ? { disableWeak: true } : {}) }
  }
  if (issues.length > 0) throw new ConfigError(issues)

  const server: ServerSettings = {
    listen: s.listen ? expandWildcards(s.listen) : DEFAULT_SERVER_SETTINGS.listen,
    maxAge: s.maxage ?? DEFAULT_SERVER_SETTINGS.maxAge,
    maxConn: s.maxconn ?? DEFAULT_SERVER_SETTINGS.maxConn,
    trackingDelay: s.trackingdelay ?? DEFAULT_SERVER_SETTINGS.trackingDelay,
    ...(s.allow ? { allow: s.allow } : {}),
    ...(tls ? { tls } : {}),
  }
  return { ups: upsDefinitions(loaded), server, users, allowNoDevice: s.allowNoDevice ?? false, warnings }
}

/** `*:3493` → both `0.0.0.0:3493` and `[::]:3493`. */
function expandWildcards(listen: readonly ListenAddress[]): ListenAddress[] {
  return listen.flatMap((a) => (a.host === "*" ? [{ host: "0.0.0.0", port: a.port }, { host: "::", port: a.port }] : [a]))
}

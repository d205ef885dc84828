/**
 * A logged-in middleware session: JSON-RPC at /api/current first (25.04+), the legacy /websocket
 * when that endpoint is missing or broken, then `auth.login_with_api_key` and `system.version`.
 * The key is never sent over plain ws:// to a host that is not loopback.
 */
import type { Clock, ExecutorLog } from "../../src/shutdown/index.ts"
import { isLoopbackHost, type TrueNasConfig } from "./config.ts"
import { TrueNasError } from "./errors.ts"
import { ddpClient, jsonRpcClient, type MiddlewareClient } from "./middleware-client.ts"
import type { WsConnector } from "./ws/types.ts"

/** A TrueNAS release as `system.version` names it. */
export interface TrueNasVersion {
  readonly major: number
  readonly minor: number
  /** As the NAS said it (`TrueNAS-SCALE-24.10.2.4`, `25.04.2.6`). */
  readonly text: string
}

/** Parse `system.version`: the first `YY.MM` in it. */
export function parseTrueNasVersion(text: string): TrueNasVersion | undefined {
  const m = /(\d{2})\.(\d{2})/.exec(text)
  return m ? { major: Number(m[1]), minor: Number(m[2]), text } : undefined
}

/** 25.04 ("Fangtooth") made `system.shutdown(reason, options)` the signature; 24.x takes `(options)`. */
export function takesShutdownReason(version: TrueNasVersion | undefined): boolean {
  return version === undefined || version.major > 25 || (version.major === 25 && version.minor >= 4)
}

export interface SessionTarget {
  readonly url: string
  readonly apiKey: string
  readonly tls?: { readonly ca?: string; readonly fingerprint?: string }
  readonly api: "auto" | "current" | "legacy"
  readonly timeoutMs: number
}

export interface SessionDeps {
  readonly connect: WsConnector
  readonly clock: Clock
  readonly log: ExecutorLog
  readonly signal?: AbortSignal
}

/** An open, logged-in session. */
export interface TrueNasSession {
  readonly client: MiddlewareClient
  /** The endpoint path used (`/api/current`, `/websocket`). */
  readonly endpoint: string
  readonly version: TrueNasVersion | undefined
  close(): void
}

/** Where and how the executor's config says to log in. */
export function sessionTarget(c: Pick<TrueNasConfig, "url" | "apiKey" | "api" | "timeout" | "ca" | "fingerprint">): SessionTarget {
  return {
    url: c.url,
    apiKey: c.apiKey,
    api: c.api,
    timeoutMs: c.timeout,
    ...(c.ca === undefined && c.fingerprint === undefined ? {} : { tls: { ...(c.ca === undefined ? {} : { ca: c.ca }), ...(c.fingerprint === undefined ? {} : { fingerprint: c.fingerprint }) } }),
  }
}

/** The endpoints to try for a configured URL, in order. */
export function endpointsOf(url: string, api: SessionTarget["api"]): { readonly url: URL; readonly protocol: "jsonrpc" | "ddp" }[] {
  const base = new URL(url)
  const path = base.pathname.replace(/\/+$/, "")
  const at = (p: string): URL => new URL(p, base)
  if (path === "/websocket") return [{ url: at("/websocket"), protocol: "ddp" }]
  const current = /^\/api\/(current|v[\d.]+)$/.test(path) ? at(path) : at("/api/current")
  const list = [
    { url: current, protocol: "jsonrpc" as const },
    { url: at("/websocket"), protocol: "ddp" as const },
  ]
  return api === "current" ? list.slice(0, 1) : api === "legacy" ? list.slice(1) : list
}

/**
 * Connect and log in.
 * @throws TrueNasError TRUENAS_INSECURE (before connecting), TRUENAS_UNREACHABLE, TRUENAS_AUTH_FAILED
 */
export async function openSession(target: SessionTarget, deps: SessionDeps): Promise<TrueNasSession> {
  const failures: string[] = []
  for (const { url, protocol } of endpointsOf(target.url, target.api)) {
    if (url.protocol === "ws:" && !isLoopbackHost(url.hostname)) {
      throw new TrueNasError("TRUENAS_INSECURE", `Refusing to send the TrueNAS API key over plain ws:// to ${url.hostname}: TrueNAS revokes keys used over an insecure transport (use wss://)`)
    }
    if (deps.signal?.aborted) break
    let client: MiddlewareClient
    try {
      const conn = await deps.connect(url, { timeoutMs: target.timeoutMs, clock: deps.clock, ...(target.tls === undefined ? {} : { tls: target.tls }), ...(deps.signal === undefined ? {} : { signal: deps.signal }) })
      client = protocol === "jsonrpc" ? jsonRpcClient(conn, deps.clock) : await ddpClient(conn, deps.clock, target.timeoutMs)
    } catch (e) {
      deps.log.debug(`${url.pathname}: ${(e as Error).message}`)
      failures.push((e as Error).message)
      continue
    }
    try {
      const call = { timeoutMs: target.timeoutMs, ...(deps.signal === undefined ? {} : { signal: deps.signal }) }
      const ok = await client.call("auth.login_with_api_key", [target.apiKey], call)
      if (ok !== true) throw new TrueNasError("TRUENAS_AUTH_FAILED", `TrueNAS at ${url.host} refused the API key (wrong, expired or revoked)`)
      let version: TrueNasVersion | undefined
      try {
        version = parseTrueNasVersion(String(await client.call("system.version", [], call)))
      } catch (e) {
        deps.log.warn(`Cannot read the TrueNAS version: ${(e as Error).message}`)
      }
      return { client, endpoint: url.pathname, version, close: () => client.close() }
    } catch (e) {
      client.close()
      // a refused key is refused on every endpoint; only a broken endpoint is worth the next one
      if (e instanceof TrueNasError && (e.code === "TRUENAS_AUTH_FAILED" || e.code === "TRUENAS_INSECURE")) throw e
      if (deps.signal?.aborted) break
      deps.log.debug(`${url.pathname}: ${(e as Error).message}`)
      failures.push((e as Error).message)
    }
  }
  throw new TrueNasError("TRUENAS_UNREACHABLE", `Cannot reach TrueNAS at ${new URL(target.url).host}: ${failures.join("; ")}`)
}

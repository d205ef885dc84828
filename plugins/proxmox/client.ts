/**
 * The request layer under proxmox-api (executors-reference §2.6): proxmox-api builds the paths,
 * this engine sends them. Why our own: token header only (no ticket/CSRF), TLS pinning through the
 * transport, no blind retry of POSTs (proxmox-api retries every method once, a slow shutdown could
 * be sent twice), the status code kept, PVE's `message`/`errors` surfaced as a typed error, a
 * per-request timeout on the injected clock, and a dry-run guard that refuses any write.
 */
import { proxmoxApi, type ApiRequestable, type Proxmox } from "proxmox-api"
import type { Clock } from "../../src/shutdown/index.ts"
import { ProxmoxError } from "./errors.ts"
import type { HttpTransport } from "./transport.ts"

const JSON_TYPE = "application/json;charset=UTF-8"

export interface PveClientOptions {
  /** `https://host:8006` */
  readonly baseUrl: string
  readonly tokenId: string
  readonly secret: string
  readonly transport: HttpTransport
  readonly clock: Clock
  readonly requestTimeoutMs: number
  /** Refuse every non-GET request (dry run). */
  readonly readOnly: boolean
  /** Aborts every request, sent or waiting (a probe's time is up). */
  readonly signal?: AbortSignal
}

/** The proxmox-api proxy plus what the engine counts. */
export interface PveClient {
  readonly api: Proxmox.Api
  readonly baseUrl: string
  /** Requests sent so far. */
  readonly sent: () => number
}

/** Create a client: proxmox-api paths over our engine. */
export function createPveClient(options: PveClientOptions): PveClient {
  const engine = new PveEngine(options)
  return { api: proxmoxApi(engine), baseUrl: options.baseUrl, sent: () => engine.sent }
}

class PveEngine implements ApiRequestable {
  readonly #o: PveClientOptions
  sent = 0

  constructor(options: PveClientOptions) {
    this.#o = options
  }

  async doRequest(httpMethod: string, path: string, _template: string, params?: Record<string, unknown>): Promise<unknown> {
    const method = httpMethod.toUpperCase()
    const what = `${method} ${path.replace(/^\/api2\/json/, "")}`
    if (this.#o.readOnly && method !== "GET") throw new ProxmoxError("PVE_DRY_RUN_WRITE", `Dry run: refusing to send ${what}`, { request: what })
    const encoded = encodeParams(params)
    const inQuery = method === "GET" || method === "DELETE"
    const url = `${this.#o.baseUrl}${path}${inQuery && encoded !== "" ? `?${encoded}` : ""}`
    const headers: Record<string, string> = { Authorization: `PVEAPIToken=${this.#o.tokenId}=${this.#o.secret}`, Accept: "application/json" }
    if (!inQuery && encoded !== "") headers["Content-Type"] = "application/x-www-form-urlencoded"
    const outer = this.#o.signal
    if (outer?.aborted) throw outer.reason
    const timeout = new AbortController()
    const timer = new AbortController()
    this.#o.clock.sleep(this.#o.requestTimeoutMs, timer.signal).then(
      () => timeout.abort(new ProxmoxError("PVE_UNREACHABLE", `${what}: no answer within ${this.#o.requestTimeoutMs} ms`, { request: what })),
      () => {},
    )
    const signal = outer === undefined ? timeout.signal : eitherSignal(timeout.signal, outer)
    this.sent++
    try {
      let res
      try {
        res = await this.#o.transport({ method, url, headers, ...(!inQuery && encoded !== "" ? { body: encoded } : {}), signal })
      } catch (cause) {
        if (cause instanceof ProxmoxError) throw cause
        if (signal.aborted) throw signal.reason
        const code = (cause as { code?: string }).code
        throw new ProxmoxError("PVE_UNREACHABLE", `Cannot reach Proxmox VE at ${this.#o.baseUrl}: ${code ?? (cause instanceof Error ? cause.message : String(cause))}`, { cause, request: what })
      }
      const text = await res.text()
      return interpret(res.status, res.statusText, res.headers.get("content-type"), text, what, this.#o.baseUrl)
    } finally {
      timer.abort()
    }
  }
}

/** Aborted when either is (AbortSignal.any, which Node before 20.3 lacks). */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (typeof AbortSignal.any === "function") return AbortSignal.any([a, b])
  const both = new AbortController()
  for (const s of [a, b]) {
    if (s.aborted) both.abort(s.reason)
    else s.addEventListener("abort", () => both.abort(s.reason), { once: true, signal: both.signal })
  }
  return both.signal
}

/** PVE parameters: booleans as 1/0 (PVE rejects true/false in forms), arrays as repeated keys, nullish dropped. */
export function encodeParams(params: Record<string, unknown> | undefined): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined || v === null) continue
    for (const item of Array.isArray(v) ? v : [v]) q.append(k, typeof item === "boolean" ? (item ? "1" : "0") : String(item))
  }
  return q.toString()
}

function interpret(status: number, reason: string, type: string | null, text: string, what: string, base: string): unknown {
  if (status === 200) {
    if (type !== JSON_TYPE) throw new ProxmoxError("PVE_BAD_RESPONSE", `${what}: expected ${JSON_TYPE}, got ${type ?? "no content type"}`, { status, request: what })
    try {
      return (JSON.parse(text) as { data?: unknown }).data ?? null
    } catch (cause) {
      throw new ProxmoxError("PVE_BAD_RESPONSE", `${what}: unparsable JSON`, { status, request: what, cause })
    }
  }
  // the reason phrase carries PVE's text, but some fetch implementations replace it: prefer the body
  let message = reason
  let errors: Record<string, string> | undefined
  try {
    const body = JSON.parse(text) as { message?: string; errors?: Record<string, string> }
    if (typeof body.message === "string") message = body.message.trim()
    errors = body.errors
  } catch {
    // 401s have no body
  }
  const detail = errors ? `${message} ${Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join("; ")}` : message
  const opts = { status, request: what, ...(errors ? { errors } : {}) }
  if (status === 401) throw new ProxmoxError("PVE_AUTH_FAILED", `Cannot authenticate to Proxmox VE at ${base}: 401 ${message || "Authentication failed!"} (check executors.proxmox.token and its privileges)`, opts)
  if (status === 403) throw new ProxmoxError("PVE_FORBIDDEN", `${what}: 403 ${detail}`, opts)
  if (status === 400) throw new ProxmoxError("PVE_BAD_PARAMS", `${what}: 400 ${detail}`, opts)
  if (status === 501) throw new ProxmoxError("PVE_NOT_IMPLEMENTED", `${what}: 501 ${detail}`, opts)
  if (status === 595 || status === 596) throw new ProxmoxError("PVE_UNREACHABLE", `${what}: ${status} ${detail}`, opts)
  if (/no quorum/.test(message)) throw new ProxmoxError("PVE_NOT_QUORATE", `${what}: ${status} ${detail}`, opts)
  throw new ProxmoxError("PVE_API_ERROR", `${what}: ${status} ${detail}`, opts)
}

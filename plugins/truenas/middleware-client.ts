/**
 * Calling the TrueNAS middleware over an open WebSocket, in its two dialects: JSON-RPC 2.0
 * (`/api/current`, 25.04+) and the legacy DDP-like protocol (`/websocket`, every version). A call
 * waiting when the connection drops rejects with TRUENAS_DROPPED — after system.shutdown that is
 * the expected end, and the caller decides so.
 */
import type { Clock } from "../../src/shutdown/index.ts"
import { MiddlewareCallError, TrueNasError } from "./errors.ts"
import type { WsCloseInfo, WsConnection } from "./ws/types.ts"

/** One middleware session. */
export interface MiddlewareClient {
  readonly protocol: "jsonrpc" | "ddp"
  call(method: string, params: readonly unknown[], options?: { readonly timeoutMs?: number; readonly signal?: AbortSignal }): Promise<unknown>
  /** Set once the connection is gone. */
  readonly closed: WsCloseInfo | undefined
  close(): void
}

interface Pending {
  readonly method: string
  resolve(value: unknown): void
  reject(error: Error): void
}

const DEFAULT_TIMEOUT_MS = 30_000

/** JSON-RPC 2.0 over `conn`. */
export function jsonRpcClient(conn: WsConnection, clock: Clock): MiddlewareClient {
  let next = 1
  const pending = new Map<string, Pending>()
  const state = { closed: undefined as WsCloseInfo | undefined }
  conn.setHandlers({
    message(text) {
      const msg = parse(text)
      if (msg === undefined || msg.id === undefined || msg.id === null) return // notifications (collection_update, …)
      const p = pending.get(String(msg.id))
      if (p === undefined) return
      pending.delete(String(msg.id))
      if (msg.error !== undefined) p.reject(rpcError(p.method, msg.error))
      else p.resolve(msg.result ?? null)
    },
    close(info) {
      state.closed = info
      dropAll(pending, info)
    },
  })
  return {
    protocol: "jsonrpc",
    get closed() {
      return state.closed
    },
    call(method, params, options = {}) {
      const id = next++
      return send(conn, clock, pending, String(id), method, JSON.stringify({ jsonrpc: "2.0", id, method, params }), state, options)
    },
    close: () => conn.close(),
  }
}

/**
 * The legacy protocol over `conn`: the `connect` handshake, then `method` calls answered by
 * `result`; pings are answered.
 * @throws TrueNasError when the server refuses the handshake
 */
export async function ddpClient(conn: WsConnection, clock: Clock, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<MiddlewareClient> {
  const pending = new Map<string, Pending>()
  const state = { closed: undefined as WsCloseInfo | undefined }
  let handshake: { resolve(): void; reject(e: Error): void } | undefined
  const connected = new Promise<void>((resolve, reject) => (handshake = { resolve, reject }))
  conn.setHandlers({
    message(text) {
      const msg = parse(text)
      if (msg === undefined) return
      if (msg.msg === "connected") handshake?.resolve()
      else if (msg.msg === "failed") handshake?.reject(new TrueNasError("TRUENAS_UNREACHABLE", `TrueNAS /websocket refused protocol version 1 (it wants ${String(msg.version)})`))
      else if (msg.msg === "ping") conn.send(JSON.stringify({ msg: "pong", ...(msg.id === undefined ? {} : { id: msg.id }) }))
      else if (msg.msg === "result" && msg.id !== undefined) {
        const p = pending.get(String(msg.id))
        if (p === undefined) return
        pending.delete(String(msg.id))
        if (msg.error !== undefined && msg.error !== null) p.reject(ddpError(p.method, msg.error))
        else p.resolve(msg.result ?? null)
      }
    },
    close(info) {
      state.closed = info
      handshake?.reject(new TrueNasError("TRUENAS_DROPPED", `TrueNAS closed /websocket during the handshake (${info.code})`))
      dropAll(pending, info)
    },
  })
  conn.send(JSON.stringify({ msg: "connect", version: "1", support: ["1"] }))
  const timer = new AbortController()
  try {
    await Promise.race([
      connected,
      clock.sleep(timeoutMs, timer.signal).then(
        () => Promise.reject(new TrueNasError("TRUENAS_TIMEOUT", `TrueNAS /websocket did not answer the handshake within ${timeoutMs} ms`)),
        () => new Promise<never>(() => {}),
      ),
    ])
  } catch (e) {
    conn.close()
    throw e
  } finally {
    timer.abort()
  }
  return {
    protocol: "ddp",
    get closed() {
      return state.closed
    },
    call(method, params, options = {}) {
      const id = crypto.randomUUID()
      return send(conn, clock, pending, id, method, JSON.stringify({ id, msg: "method", method, params }), state, options)
    },
    close: () => conn.close(),
  }
}

// --- Internal helpers ---

interface Envelope {
  id?: string | number | null
  msg?: string
  version?: unknown
  result?: unknown
  error?: unknown
}

function parse(text: string): Envelope | undefined {
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === "object" && v !== null ? (v as Envelope) : undefined
  } catch {
    return undefined
  }
}

function send(conn: WsConnection, clock: Clock, pending: Map<string, Pending>, id: string, method: string, text: string, state: { closed: WsCloseInfo | undefined }, options: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown> {
  if (state.closed !== undefined || !conn.isOpen) return Promise.reject(dropped(method, state.closed))
  if (options.signal?.aborted) return Promise.reject(options.signal.reason instanceof Error ? options.signal.reason : new Error("aborted"))
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  return new Promise((resolve, reject) => {
    const timer = new AbortController()
    const settle = (): void => {
      timer.abort()
      pending.delete(id)
    }
    pending.set(id, {
      method,
      resolve: (v) => {
        settle()
        resolve(v)
      },
      reject: (e) => {
        settle()
        reject(e)
      },
    })
    clock.sleep(timeoutMs, timer.signal).then(
      () => {
        settle()
        reject(new TrueNasError("TRUENAS_TIMEOUT", `TrueNAS ${method} did not answer within ${timeoutMs} ms`))
      },
      () => {},
    )
    options.signal?.addEventListener(
      "abort",
      () => {
        settle()
        reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error("aborted"))
      },
      { once: true, signal: timer.signal },
    )
    try {
      conn.send(text)
    } catch (e) {
      settle()
      reject(dropped(method, state.closed, e))
    }
  })
}

function dropAll(pending: Map<string, Pending>, info: WsCloseInfo): void {
  for (const [id, p] of [...pending]) {
    pending.delete(id)
    p.reject(dropped(p.method, info))
  }
}

function dropped(method: string, info: WsCloseInfo | undefined, cause?: unknown): TrueNasError {
  const why = info === undefined ? "the connection is closed" : info.clean ? `the connection was closed (${info.code}${info.reason ? ` ${info.reason}` : ""})` : "the connection dropped"
  return new TrueNasError("TRUENAS_DROPPED", `TrueNAS ${method}: ${why}`, cause === undefined ? {} : { cause })
}

function rpcError(method: string, error: unknown): MiddlewareCallError {
  const e = (error ?? {}) as { code?: number; message?: string; data?: { error?: number; errname?: string; reason?: string; extra?: unknown } }
  const extra = Array.isArray(e.data?.extra) ? (e.data.extra as unknown[]) : undefined
  const reason = e.data?.reason ?? e.message ?? "error"
  const detail = extra && extra.length > 0 ? `${reason} (${extra.map((x) => (Array.isArray(x) ? `${String(x[0])}: ${String(x[1])}` : String(x))).join("; ")})` : reason
  return new MiddlewareCallError(method, {
    message: e.message !== undefined && e.message !== reason ? `${e.message}: ${detail}` : detail,
    ...(e.code === undefined ? {} : { rpcCode: e.code }),
    ...(e.data?.error === undefined ? {} : { errno: e.data.error }),
    ...(e.data?.errname === undefined ? {} : { errname: e.data.errname }),
    ...(extra === undefined ? {} : { extra }),
    invalidParams: e.code === -32602,
  })
}

function ddpError(method: string, error: unknown): MiddlewareCallError {
  const e = (error ?? {}) as { error?: number; errname?: string; type?: string | null; reason?: string; extra?: unknown }
  const extra = Array.isArray(e.extra) ? (e.extra as unknown[]) : undefined
  const reason = e.reason ?? "error"
  return new MiddlewareCallError(method, {
    message: extra && extra.length > 0 ? `${reason} (${extra.map((x) => (Array.isArray(x) ? `${String(x[0])}: ${String(x[1])}` : String(x))).join("; ")})` : reason,
    ...(e.error === undefined ? {} : { errno: e.error }),
    ...(e.errname === undefined ? {} : { errname: e.errname }),
    ...(extra === undefined ? {} : { extra }),
    invalidParams: e.type === "VALIDATION",
  })
}

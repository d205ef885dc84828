/**
 * The runtime's own WebSocket (Node ≥ 22, Deno, Bun) behind WsConnection. It has no TLS options,
 * so it is only used where none are needed (see connect.ts).
 */
import { WsConnectError, type WsCloseInfo, type WsConnection, type WsConnectOptions } from "./types.ts"

interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(type: string, listener: (event: { data?: unknown; code?: number; reason?: string; wasClean?: boolean }) => void): void
}

type WebSocketCtor = new (url: string) => WebSocketLike

/** The global WebSocket constructor, if this runtime has one. */
export function globalWebSocket(): WebSocketCtor | undefined {
  const ctor = (globalThis as { WebSocket?: unknown }).WebSocket
  return typeof ctor === "function" ? (ctor as WebSocketCtor) : undefined
}

/** Open `url` with the global WebSocket. */
export function openGlobalWebSocket(url: URL, options: WsConnectOptions): Promise<WsConnection> {
  const Ctor = globalWebSocket()
  if (Ctor === undefined) return Promise.reject(new WsConnectError(url, "this runtime has no global WebSocket"))
  return new Promise((resolve, reject) => {
    const ws = new Ctor(url.href)
    const timer = new AbortController()
    let opened = false
    let handlers: Parameters<WsConnection["setHandlers"]>[0] | undefined
    const early: string[] = []
    let closeInfo: WsCloseInfo | undefined
    options.clock.sleep(options.timeoutMs, timer.signal).then(
      () => {
        ws.close()
        reject(new WsConnectError(url, `no answer within ${options.timeoutMs} ms`))
      },
      () => {},
    )
    // the caller gave up (a probe's time is up): nothing may stay open behind it
    const onAbort = (): void => {
      timer.abort()
      ws.close()
      reject(new WsConnectError(url, "aborted", { cause: options.signal?.reason }))
    }
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener("abort", onAbort, { once: true, signal: timer.signal })
    ws.addEventListener("message", (e) => {
      const text = typeof e.data === "string" ? e.data : ""
      if (handlers) handlers.message(text)
      else early.push(text)
    })
    ws.addEventListener("close", (e) => {
      timer.abort()
      closeInfo = { code: e.code ?? 1006, reason: e.reason ?? "", clean: e.wasClean === true }
      if (!opened) reject(new WsConnectError(url, `closed before it opened (${closeInfo.code})`))
      else handlers?.close(closeInfo)
    })
    ws.addEventListener("error", () => {
      // the close event follows with the details
    })
    ws.addEventListener("open", () => {
      timer.abort()
      opened = true
      resolve({
        get isOpen() {
          return ws.readyState === 1
        },
        send: (text) => ws.send(text),
        close: (code, reason) => ws.close(code ?? 1000, reason ?? ""),
        setHandlers(h) {
          handlers = h
          for (const m of early.splice(0)) h.message(m)
          if (closeInfo !== undefined) h.close(closeInfo)
        },
      })
    })
  })
}

/**
 * A WebSocket client over node:http / node:https upgrade, for runtimes without a global
 * WebSocket (Node 20) and wherever a certificate pin is needed: the standard WebSocket API has no
 * TLS options, and a TrueNAS usually has a self-signed certificate. The pin is checked on the
 * upgraded socket before the first message (the API key) is sent.
 */
import { request as httpRequest, type IncomingMessage } from "node:http"
import { request as httpsRequest } from "node:https"
import type { Socket } from "node:net"
import type { TLSSocket } from "node:tls"
import { OPCODES, WsProtocolError, acceptKey, closePayload, createFrameReader, encodeFrame, newKey, type WsEvent } from "./frame.ts"
import { WsConnectError, type WsCloseInfo, type WsConnection, type WsConnectOptions } from "./types.ts"

/** Open a WebSocket to `url` (ws: or wss:). */
export async function openNodeWebSocket(url: URL, options: WsConnectOptions): Promise<WsConnection> {
  if (url.protocol !== "ws:" && url.protocol !== "wss:") throw new WsConnectError(url, `unsupported scheme ${url.protocol}`)
  const key = newKey()
  const expected = await acceptKey(key)
  const secure = url.protocol === "wss:"
  const pin = options.tls?.fingerprint?.toUpperCase()
  const { socket, head } = await new Promise<{ socket: Socket; head: Buffer }>((resolve, reject) => {
    const timer = new AbortController()
    const fail = (e: Error): void => {
      timer.abort()
      req.destroy()
      reject(e)
    }
    const req = (secure ? httpsRequest : httpRequest)({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: "GET",
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": key, Host: url.host },
      ...(secure
        ? {
            servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
            // a pin replaces chain validation (self-signed certificates); a CA keeps it, hostname check included
            rejectUnauthorized: pin === undefined,
            ...(options.tls?.ca === undefined ? {} : { ca: options.tls.ca }),
          }
        : {}),
      agent: false,
    })
    options.clock.sleep(options.timeoutMs, timer.signal).then(
      () => fail(new WsConnectError(url, `no answer within ${options.timeoutMs} ms`)),
      () => {},
    )
    const onAbort = (): void => fail(new WsConnectError(url, "aborted", { cause: options.signal?.reason }))
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener("abort", onAbort, { once: true, signal: timer.signal })
    req.on("error", (e) => fail(new WsConnectError(url, e.message, { cause: e })))
    req.on("response", (res: IncomingMessage) => {
      res.resume()
      fail(new WsConnectError(url, `HTTP ${res.statusCode} ${res.statusMessage ?? ""}`.trim(), { status: res.statusCode ?? 0 }))
    })
    req.on("upgrade", (res: IncomingMessage, socket: Socket, head: Buffer) => {
      timer.abort()
      if (res.headers["sec-websocket-accept"] !== expected) {
        socket.destroy()
        reject(new WsConnectError(url, "the server's Sec-WebSocket-Accept does not match"))
        return
      }
      if (secure && pin !== undefined) {
        const got = (socket as TLSSocket).getPeerCertificate?.()?.fingerprint256?.toUpperCase()
        if (got !== pin) {
          socket.destroy()
          reject(new WsConnectError(url, `certificate fingerprint ${got ?? "(none)"} is not the pinned ${pin}`))
          return
        }
      }
      resolve({ socket, head })
    })
    req.end()
  })
  return wrapSocket(socket, head)
}

function wrapSocket(socket: Socket, head: Buffer): WsConnection {
  socket.setNoDelay(true)
  const reader = createFrameReader({ side: "client" })
  const early: string[] = []
  let handlers: Parameters<WsConnection["setHandlers"]>[0] | undefined
  let open = true
  let closeInfo: WsCloseInfo | undefined
  let sentClose = false
  const mask = (): Uint8Array => crypto.getRandomValues(new Uint8Array(4))
  const write = (opcode: number, payload: Uint8Array): void => {
    if (!socket.destroyed) socket.write(encodeFrame(opcode, payload, mask()))
  }
  const finish = (info: WsCloseInfo): void => {
    if (closeInfo !== undefined) return
    open = false
    closeInfo = info
    handlers?.close(info)
  }
  const handle = (events: WsEvent[]): void => {
    for (const e of events) {
      if (e.kind === "text") {
        if (handlers) handlers.message(e.text)
        else early.push(e.text)
      } else if (e.kind === "ping") {
        write(OPCODES.pong, e.data)
      } else if (e.kind === "close") {
        if (!sentClose) write(OPCODES.close, closePayload(e.code === 1005 ? 1000 : e.code))
        sentClose = true
        open = false
        socket.end()
        finish({ code: e.code, reason: e.reason, clean: true })
      }
    }
  }
  const onData = (chunk: Buffer): void => {
    try {
      handle(reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)))
    } catch (e) {
      const code = e instanceof WsProtocolError ? e.closeCode : 1002
      write(OPCODES.close, closePayload(code))
      socket.destroy()
      finish({ code, reason: (e as Error).message, clean: false })
    }
  }
  socket.on("data", onData)
  socket.on("error", () => {})
  socket.on("close", () => finish({ code: 1006, reason: "connection dropped", clean: false }))
  if (head.length > 0) onData(head)
  return {
    get isOpen() {
      return open
    },
    send(text) {
      if (!open) throw new Error("Cannot send on a closed WebSocket")
      write(OPCODES.text, new TextEncoder().encode(text))
    },
    close(code = 1000, reason = "") {
      if (!open) return
      open = false
      sentClose = true
      write(OPCODES.close, closePayload(code, reason))
      socket.end()
      // a peer that never answers the close frame must not keep the socket
      setTimeout(() => socket.destroy(), 1000).unref()
    },
    setHandlers(h) {
      handlers = h
      for (const m of early.splice(0)) h.message(m)
      if (closeInfo !== undefined) h.close(closeInfo)
    },
  }
}

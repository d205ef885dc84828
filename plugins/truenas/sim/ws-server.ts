/**
 * The server side of a WebSocket for the simulator: answer the upgrade (RFC 6455 §4.2), then
 * read masked client frames and write unmasked ones. `drop()` destroys the TCP connection without
 * a close frame — what clients see when the NAS powers off.
 */
import type { IncomingMessage } from "node:http"
import type { Duplex } from "node:stream"
import { OPCODES, WsProtocolError, acceptKey, closePayload, createFrameReader, encodeFrame } from "../ws/frame.ts"

/** One accepted connection. */
export interface ServerWs {
  send(text: string): void
  close(code?: number): void
  /** Cut the connection with no close handshake. */
  drop(): void
  onMessage(handler: (text: string) => void): void
  onClose(handler: () => void): void
  readonly open: boolean
}

/**
 * Complete the handshake of an upgrade request, or answer `400` when it is not a valid one.
 * @returns the connection, or undefined after a refusal
 */
export async function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<ServerWs | undefined> {
  const key = req.headers["sec-websocket-key"]
  if (String(req.headers.upgrade).toLowerCase() !== "websocket" || typeof key !== "string" || req.headers["sec-websocket-version"] !== "13") {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
    return undefined
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${await acceptKey(key)}\r\n\r\n`)
  const reader = createFrameReader({ side: "server" })
  const messageHandlers: ((text: string) => void)[] = []
  const closeHandlers: (() => void)[] = []
  let open = true
  const write = (opcode: number, payload: Uint8Array): void => {
    if (!socket.destroyed && socket.writable) socket.write(encodeFrame(opcode, payload))
  }
  const ended = (): void => {
    if (!open) return
    open = false
    for (const h of closeHandlers) h()
  }
  const onData = (chunk: Buffer): void => {
    try {
      for (const e of reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        if (e.kind === "text") for (const h of messageHandlers) h(e.text)
        else if (e.kind === "ping") write(OPCODES.pong, e.data)
        else if (e.kind === "close") {
          write(OPCODES.close, closePayload(e.code === 1005 ? 1000 : e.code))
          socket.end()
          ended()
        }
      }
    } catch (e) {
      write(OPCODES.close, closePayload(e instanceof WsProtocolError ? e.closeCode : 1002))
      socket.destroy()
      ended()
    }
  }
  socket.on("data", onData)
  socket.on("error", () => {})
  socket.on("close", ended)
  if (head.length > 0) queueMicrotask(() => onData(head))
  return {
    get open() {
      return open
    },
    send: (text) => write(OPCODES.text, new TextEncoder().encode(text)),
    close(code = 1000) {
      write(OPCODES.close, closePayload(code))
      socket.end()
      ended()
    },
    drop() {
      socket.destroy()
      ended()
    },
    onMessage: (h) => void messageHandlers.push(h),
    onClose: (h) => void closeHandlers.push(h),
  }
}

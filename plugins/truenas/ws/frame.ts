/**
 * RFC 6455 framing, both directions, on Uint8Array (no node: imports): the client side masks,
 * the server side (the simulator) must see masked frames. Fragmented messages are reassembled;
 * control frames (close, ping, pong) may arrive between fragments, as §5.4 allows.
 */

export const OPCODES = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const
export type Opcode = (typeof OPCODES)[keyof typeof OPCODES]

/** A peer broke the framing rules; the connection must close with `closeCode`. */
export class WsProtocolError extends Error {
  readonly code = "WS_PROTOCOL"
  /** 1002 protocol error, 1009 message too big. */
  readonly closeCode: number
  constructor(message: string, closeCode = 1002) {
    super(`WebSocket protocol error: ${message}`)
    this.name = "WsProtocolError"
    this.closeCode = closeCode
  }
}

/** One frame on the wire. */
export interface Frame {
  readonly fin: boolean
  readonly opcode: number
  readonly masked: boolean
  readonly payload: Uint8Array
}

/**
 * Encode one frame. `mask` (4 bytes) is required from a client and forbidden from a server.
 * @example encodeFrame(OPCODES.text, new TextEncoder().encode("hi"), crypto.getRandomValues(new Uint8Array(4)))
 */
export function encodeFrame(opcode: number, payload: Uint8Array, mask?: Uint8Array, fin = true): Uint8Array {
  const len = payload.length
  const lenBytes = len < 126 ? 0 : len < 65_536 ? 2 : 8
  const out = new Uint8Array(2 + lenBytes + (mask ? 4 : 0) + len)
  out[0] = (fin ? 0x80 : 0) | (opcode & 0x0f)
  out[1] = (mask ? 0x80 : 0) | (lenBytes === 0 ? len : lenBytes === 2 ? 126 : 127)
  const view = new DataView(out.buffer)
  if (lenBytes === 2) view.setUint16(2, len)
  if (lenBytes === 8) view.setBigUint64(2, BigInt(len))
  let at = 2 + lenBytes
  if (mask) {
    out.set(mask.subarray(0, 4), at)
    at += 4
    for (let i = 0; i < len; i++) out[at + i] = (payload[i] as number) ^ (mask[i & 3] as number)
  } else {
    out.set(payload, at)
  }
  return out
}

/** A close frame's payload: status code + UTF-8 reason. */
export function closePayload(code: number, reason = ""): Uint8Array {
  const text = new TextEncoder().encode(reason).subarray(0, 123)
  const out = new Uint8Array(2 + text.length)
  new DataView(out.buffer).setUint16(0, code)
  out.set(text, 2)
  return out
}

/** Status code and reason of a received close frame (1005 when it has none). */
export function parseClose(payload: Uint8Array): { code: number; reason: string } {
  if (payload.length < 2) return { code: 1005, reason: "" }
  return { code: new DataView(payload.buffer, payload.byteOffset).getUint16(0), reason: new TextDecoder().decode(payload.subarray(2)) }
}

/** What a reader hands up: whole messages and control frames. */
export type WsEvent =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "binary"; readonly data: Uint8Array }
  | { readonly kind: "ping"; readonly data: Uint8Array }
  | { readonly kind: "pong"; readonly data: Uint8Array }
  | { readonly kind: "close"; readonly code: number; readonly reason: string }

export interface FrameReaderOptions {
  /** `server`: every frame must be masked; `client`: none may be. */
  readonly side: "client" | "server"
  /** Largest message accepted. @default 16 MiB */
  readonly maxMessage?: number
}

/**
 * Incremental reader: `push(bytes)` returns the events completed by them.
 * @throws WsProtocolError on a framing violation (the caller closes with its closeCode)
 */
export function createFrameReader(options: FrameReaderOptions): { push(chunk: Uint8Array): WsEvent[] } {
  const max = options.maxMessage ?? 16 * 1024 * 1024
  let buf: Uint8Array = new Uint8Array(0)
  let fragments: Uint8Array[] = []
  let fragmentOpcode = 0
  let fragmentSize = 0
  const decoder = new TextDecoder("utf-8", { fatal: true })
  return {
    push(chunk) {
      buf = buf.length === 0 ? chunk : concat([buf, chunk])
      const events: WsEvent[] = []
      for (;;) {
        const frame = takeFrame()
        if (frame === undefined) break
        if (frame.masked !== (options.side === "server")) throw new WsProtocolError(options.side === "server" ? "client frame not masked" : "server frame masked")
        const { opcode } = frame
        if (opcode >= 0x8) {
          if (!frame.fin || frame.payload.length > 125) throw new WsProtocolError("fragmented or oversized control frame")
          if (opcode === OPCODES.close) events.push({ kind: "close", ...parseClose(frame.payload) })
          else if (opcode === OPCODES.ping) events.push({ kind: "ping", data: frame.payload })
          else if (opcode === OPCODES.pong) events.push({ kind: "pong", data: frame.payload })
          else throw new WsProtocolError(`unknown control opcode ${opcode}`)
          continue
        }
        if (opcode === OPCODES.continuation) {
          if (fragmentOpcode === 0) throw new WsProtocolError("continuation without a message")
        } else if (opcode === OPCODES.text || opcode === OPCODES.binary) {
          if (fragmentOpcode !== 0) throw new WsProtocolError("new message inside a fragmented one")
          fragmentOpcode = opcode
        } else {
          throw new WsProtocolError(`unknown opcode ${opcode}`)
        }
        fragmentSize += frame.payload.length
        if (fragmentSize > max) throw new WsProtocolError("message too big", 1009)
        fragments.push(frame.payload)
        if (!frame.fin) continue
        const data = fragments.length === 1 ? (fragments[0] as Uint8Array) : concat(fragments)
        if (fragmentOpcode === OPCODES.text) {
          let text: string
          try {
            text = decoder.decode(data)
          } catch {
            throw new WsProtocolError("text message is not UTF-8", 1007)
          }
          events.push({ kind: "text", text })
        } else {
          events.push({ kind: "binary", data })
        }
        fragments = []
        fragmentOpcode = 0
        fragmentSize = 0
      }
      return events
    },
  }

  function takeFrame(): Frame | undefined {
    if (buf.length < 2) return undefined
    const b0 = buf[0] as number
    const b1 = buf[1] as number
    if ((b0 & 0x70) !== 0) throw new WsProtocolError("reserved bits set (no extension was negotiated)")
    const masked = (b1 & 0x80) !== 0
    let len = b1 & 0x7f
    let at = 2
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    if (len === 126) {
      if (buf.length < 4) return undefined
      len = view.getUint16(2)
      at = 4
    } else if (len === 127) {
      if (buf.length < 10) return undefined
      const big = view.getBigUint64(2)
      if (big > BigInt(max)) throw new WsProtocolError("message too big", 1009)
      len = Number(big)
      at = 10
    }
    if (len > max) throw new WsProtocolError("message too big", 1009)
    const maskAt = at
    if (masked) at += 4
    if (buf.length < at + len) return undefined
    const payload = buf.slice(at, at + len)
    if (masked) {
      const mask = buf.subarray(maskAt, maskAt + 4)
      for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i & 3] as number)
    }
    buf = buf.subarray(at + len)
    return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, payload }
  }
}

/** `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2), with WebCrypto's SHA-1. */
export async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`))
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
}

/** A fresh `Sec-WebSocket-Key`: 16 random bytes, base64. */
export function newKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

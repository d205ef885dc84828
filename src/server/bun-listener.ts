/**
 * The shipped binary runs on Bun, whose `Bun.listen` hands socket data to a callback without
 * Node's stream layer — about a microsecond less CPU per request, which is what separates a
 * JavaScript upsd from the C one (BENCHMARKS.md). This is the one file that knows about Bun; under
 * Node and Deno (and whenever STARTTLS is configured, which needs node:tls) the server uses node:net.
 */
import { RequestStream } from "./request-stream.ts"
import type { Session } from "./session.ts"

/** A client that stops reading is dropped once this much output is queued (upsd drops on write error). */
const MAX_QUEUED_OUTPUT = 1 << 20
const encoder = new TextEncoder()
const NON_ASCII = /[^\x00-\x7f]/

/** The part of Bun's TCP socket used here. */
interface BunSocket {
  readonly remoteAddress: string
  data: BunConnection | undefined
  write(data: Uint8Array | string): number
  end(): void
  terminate?(): void
  setNoDelay?(on: boolean): void
}

interface BunListener {
  readonly port: number
  stop(closeActive?: boolean): void
}

interface BunListenOptions {
  hostname: string
  port: number
  socket: {
    open(s: BunSocket): void
    data(s: BunSocket, chunk: Uint8Array): void
    drain(s: BunSocket): void
    close(s: BunSocket): void
    error(s: BunSocket, err: Error): void
  }
}

type BunListen = (options: BunListenOptions) => BunListener

/** `Bun.listen`, when running on Bun. */
export function bunListen(): BunListen | undefined {
  const bun = (globalThis as { Bun?: { listen?: BunListen } }).Bun
  return typeof bun?.listen === "function" ? bun.listen.bind(bun) : undefined
}

export interface BunClient {
  readonly session: Session
  lastLineAt: number
  sawLine: boolean
  destroy(): void
}

/** One client on a Bun socket: the same framing and session as the node:net Connection. */
export class BunConnection implements BunClient {
  readonly session: Session
  lastLineAt: number
  sawLine = false
  readonly #socket: BunSocket
  readonly #stream: RequestStream
  readonly #onClose: (c: BunConnection) => void
  readonly #warn: (message: string) => void
  #pending: Uint8Array | undefined
  #endAfterDrain = false
  #lastText = ""
  #lastBytes: Uint8Array | undefined
  #closed = false

  constructor(options: { socket: BunSocket; session: Session; now: () => number; warn: (m: string) => void; onClose: (c: BunConnection) => void }) {
    this.#socket = options.socket
    this.session = options.session
    this.#onClose = options.onClose
    this.#warn = options.warn
    this.lastLineAt = options.now()
    this.#stream = new RequestStream(this.session, () => (this.sawLine = true))
    // only a connection that sent NUTCTL PUSH ever gets a line it did not ask for
    this.session.push.attach((line) => this.#write(line))
    options.socket.setNoDelay?.(true)
  }

  onData(chunk: Uint8Array): void {
    const out = this.#stream.process(chunk)
    const action = this.#stream.action
    this.#write(out)
    if (action === "close") {
      // like upsd: write the goodbye and close, without waiting for the client
      if (this.#pending) this.#endAfterDrain = true
      else this.#socket.end()
      this.finish()
    }
    // STARTTLS never reaches here: with TLS configured the server listens through node:net
  }

  onDrain(): void {
    const pending = this.#pending
    if (!pending) return
    this.#pending = undefined
    this.#send(pending)
    if (!this.#pending && this.#endAfterDrain) this.#socket.end()
  }

  destroy(): void {
    if (this.#socket.terminate) this.#socket.terminate()
    else this.#socket.end()
    this.finish()
  }

  finish(): void {
    if (this.#closed) return
    this.#closed = true
    this.session.close()
    this.#onClose(this)
  }

  #write(text: string): void {
    if (text === "") return
    if (this.#pending) return this.#send(encoder.encode(text))
    // a poller gets the same reply again and again (the request cache hands out the same string):
    // its bytes are kept from the second time on, so Bun neither encodes nor we test it
    if (text === this.#lastText) return this.#send((this.#lastBytes ??= encoder.encode(text)))
    this.#lastText = text
    this.#lastBytes = undefined
    // the hot path: hand the string to Bun as is (no encode); only a partial write needs the bytes
    const n = this.#socket.write(text)
    if (n >= text.length && !NON_ASCII.test(text)) return
    const bytes = encoder.encode(text)
    if (n < bytes.length) this.#send(bytes.subarray(Math.max(0, n)))
  }

  #send(bytes: Uint8Array): void {
    if (this.#pending) {
      const joined = new Uint8Array(this.#pending.length + bytes.length)
      joined.set(this.#pending)
      joined.set(bytes, this.#pending.length)
      this.#pending = joined
    } else {
      const n = this.#socket.write(bytes)
      if (n < bytes.length) this.#pending = bytes.subarray(Math.max(0, n))
    }
    if (this.#pending && this.#pending.length > MAX_QUEUED_OUTPUT) {
      this.#warn(`client ${this.session.address} does not read its replies; disconnecting`)
      this.destroy()
    }
  }
}

/** Listen with Bun; every accepted socket goes to `accept`, which returns its connection or undefined (refused). */
export function listenWithBun(
  listen: BunListen,
  addr: { host: string; port: number },
  accept: (socket: BunSocket, address: string) => BunConnection | undefined,
): { port: number; close(): void } {
  const listener = listen({
    hostname: addr.host,
    port: addr.port,
    socket: {
      open(s) {
        s.data = accept(s, s.remoteAddress)
      },
      data(s, chunk) {
        s.data?.onData(chunk)
      },
      drain(s) {
        s.data?.onDrain()
      },
      close(s) {
        s.data?.finish()
      },
      error(s) {
        s.data?.finish()
      },
    },
  })
  return { port: listener.port, close: () => listener.stop(true) }
}

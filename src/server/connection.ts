import type { Socket } from "node:net"
import { TLSSocket, type SecureContext } from "node:tls"
import { RequestStream } from "./request-stream.ts"
import type { Session } from "./session.ts"

/** A client that stops reading is dropped once this much output is queued (upsd drops on write error). */
const MAX_QUEUED_OUTPUT = 1 << 20

export interface ConnectionLog {
  debug(message: string): void
  warn(message: string): void
}

/**
 * Byte framing of one client connection: tokenizes what arrives, runs each complete line through
 * the session, writes all replies of one read at once, and handles LOGOUT and STARTTLS.
 */
export class Connection {
  #socket: Socket
  readonly session: Session
  readonly #stream: RequestStream
  readonly #secureContext: SecureContext | undefined
  readonly #log: ConnectionLog
  readonly #onClose: (c: Connection) => void
  /** When the idle sweep last saw this client active (for the 60 s idle close). */
  lastLineAt: number
  /** A complete request line arrived since the last sweep (no clock read per request). */
  sawLine = false
  #closed = false

  constructor(options: {
    socket: Socket
    session: Session
    secureContext: SecureContext | undefined
    log: ConnectionLog
    now: () => number
    onClose: (c: Connection) => void
  }) {
    this.#socket = options.socket
    this.session = options.session
    this.#secureContext = options.secureContext
    this.#log = options.log
    this.#onClose = options.onClose
    this.lastLineAt = options.now()
    this.#stream = new RequestStream(this.session, () => (this.sawLine = true))
    // only a connection that sent NUTCTL PUSH ever gets a line it did not ask for
    this.session.push.attach((line) => this.#write(line))
    this.#attach(this.#socket)
  }

  /** Close without a word (idle timeout, shutdown). */
  destroy(): void {
    this.#socket.destroy()
    this.#finish()
  }

  #attach(socket: Socket): void {
    socket.on("data", (chunk: Buffer) => this.#onData(chunk))
    socket.on("error", (err) => this.#log.debug(`client ${this.session.address}: ${err.message}`))
    socket.on("close", () => this.#finish())
  }

  #onData(chunk: Uint8Array): void {
    const out = this.#stream.process(chunk)
    const action = this.#stream.action
    if (action === "close") {
      // like upsd: write the goodbye and close, without waiting for the client's FIN
      const socket = this.#socket
      socket.write(out, () => socket.destroy())
      this.#finish()
    } else if (action === "starttls") {
      this.#write(out)
      this.#upgrade()
    } else this.#write(out)
  }

  #write(text: string): void {
    if (text === "") return
    this.#socket.write(text)
    if (this.#socket.writableLength > MAX_QUEUED_OUTPUT) {
      this.#log.warn(`client ${this.session.address} does not read its replies; disconnecting`)
      this.destroy()
    }
  }

  #upgrade(): void {
    this.session.startTls = false
    const raw = this.#socket
    raw.removeAllListeners("data")
    raw.removeAllListeners("close")
    raw.removeAllListeners("error")
    const tls = new TLSSocket(raw, { isServer: true, ...(this.#secureContext ? { secureContext: this.#secureContext } : {}) })
    this.session.tls = true
    this.#socket = tls
    this.#attach(tls)
  }

  #finish(): void {
    if (this.#closed) return
    this.#closed = true
    this.session.close()
    this.#onClose(this)
  }
}

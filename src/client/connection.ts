/**
 * One NUT session: writes request lines, feeds reply lines to the decoder of the oldest pending
 * request (upsd answers strictly in order, so pipelining is safe), and turns transport trouble into
 * `NutClientError`s. No node: imports: the socket comes from a `Dialer`.
 */
import { NutError } from "../protocol/index.ts"
import { NutClientError, ProtocolViolation } from "./errors.ts"
import { LineBuffer } from "./line-buffer.ts"
import type { ReplyDecoder } from "./reply.ts"
import type { ClientTlsOptions, ClientTransport, Dialer } from "./types.ts"

interface Pending {
  /** First word of the request, for messages (never the arguments: PASSWORD must not leak). */
  readonly label: string
  readonly decoder: ReplyDecoder<unknown>
  resolve(value: unknown): void
  reject(error: Error): void
}

export interface ConnectionOptions {
  readonly host: string
  readonly port: number
  readonly timeoutMs: number
  readonly connectTimeoutMs: number
  readonly dialer: Dialer
}

const encoder = new TextEncoder()

/** A line-protocol session over one transport. */
export class Connection {
  readonly host: string
  readonly port: number
  readonly #timeoutMs: number
  readonly #lines = new LineBuffer()
  readonly #queue: Pending[] = []
  #transport: ClientTransport | undefined
  #failure: NutClientError | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #closing = false
  #ended = false
  /** Takes lines the server sent unasked (nutctl's push extension); true = consumed. */
  #unsolicited: ((line: string) => boolean) | undefined

  private constructor(options: ConnectionOptions) {
    this.host = options.host
    this.port = options.port
    this.#timeoutMs = options.timeoutMs
  }

  /** Dial and return a ready session; connection failures become `connect-failed` / `timeout`. */
  static async open(options: ConnectionOptions): Promise<Connection> {
    const conn = new Connection(options)
    try {
      conn.#transport = await options.dialer(
        { host: options.host, port: options.port, timeoutMs: options.connectTimeoutMs },
        { data: (chunk) => conn.#onData(chunk), closed: (error) => conn.#onClosed(error) },
      )
    } catch (error) {
      const code = (error as { code?: unknown }).code === "ETIMEDOUT" ? "timeout" : "connect-failed"
      throw conn.#error(code, describeSystemError(error), error)
    }
    return conn
  }

  /** True once the session failed or was closed; every further request rejects. */
  get closed(): boolean {
    return this.#failure !== undefined || this.#closing
  }

  /** Send one request line and decode its reply. */
  request<T>(line: string, decoder: ReplyDecoder<T>): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure)
    if (this.#closing || !this.#transport) return Promise.reject(this.#error("closed", "the session was closed"))
    const label = line.split(" ", 1)[0] ?? line
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ label, decoder, resolve: resolve as (v: unknown) => void, reject })
      if (this.#queue.length === 1) this.#arm()
      this.#transport?.write(encoder.encode(line + "\n"))
    })
  }

  /**
   * Route lines the server sends unasked to `handler` before they reach the reply queue (it returns
   * true for a line it took). Only for extensions the client opted in to: NUT itself never sends
   * unsolicited output, so without a handler such a line is a protocol violation.
   */
  onUnsolicited(handler: ((line: string) => boolean) | undefined): void {
    this.#unsolicited = handler
  }

  /** Upgrade to TLS after the server said `OK STARTTLS`; nothing may be pending. */
  async startTls(options: ClientTlsOptions): Promise<void> {
    if (!this.#transport) throw this.#error("closed", "the session was closed")
    try {
      await this.#transport.startTls({ ...options, host: this.host })
    } catch (error) {
      const failure = this.#error("tls-failed", describeSystemError(error), error)
      this.#fail(failure)
      throw failure
    }
  }

  /**
   * End the session: optionally write a last line without waiting for its reply (libupsclient's
   * upscli_disconnect sends `LOGOUT` that way), then close the stream.
   */
  close(lastLine?: string): void {
    if (this.#closing) return
    this.#closing = true
    this.#clearTimer()
    const failure = this.#error("closed", "the session was closed")
    for (const p of this.#queue.splice(0)) p.reject(failure)
    if (this.#ended) return
    if (this.#failure === undefined && lastLine !== undefined) this.#transport?.write(encoder.encode(lastLine + "\n"))
    this.#transport?.close()
  }

  #onData(chunk: Uint8Array): void {
    let lines: string[]
    try {
      lines = this.#lines.push(chunk)
    } catch (error) {
      this.#fail(this.#error("protocol", (error as Error).message, error))
      return
    }
    for (const line of lines) {
      if (this.#failure) return
      if (this.#unsolicited?.(line) === true) continue
      const head = this.#queue[0]
      if (!head) {
        if (this.#closing) continue // the reply to our parting LOGOUT
        this.#fail(this.#error("protocol", `unexpected line without a request: ${line}`))
        return
      }
      try {
        const step = head.decoder.push(line)
        if (step.done) {
          this.#queue.shift()
          head.resolve(step.value)
        }
      } catch (error) {
        this.#queue.shift()
        if (error instanceof NutError) head.reject(error)
        else {
          const failure = this.#error("protocol", `${(error as Error).message} (request ${head.label})`, error)
          head.reject(failure)
          this.#fail(failure)
          return
        }
      }
      this.#arm()
    }
  }

  #onClosed(error: Error | undefined): void {
    this.#ended = true
    this.#clearTimer()
    if (this.#closing || this.#failure) return
    const detail = error ? `connection lost (${describeSystemError(error)})` : "the server closed the connection"
    this.#failure = this.#error("closed", detail, error)
    for (const p of this.#queue.splice(0)) p.reject(this.#failure)
  }

  #fail(failure: NutClientError): void {
    if (this.#failure) return
    this.#failure = failure
    this.#clearTimer()
    for (const p of this.#queue.splice(0)) p.reject(failure)
    this.#transport?.destroy()
  }

  // libupsclient waits up to its timeout for each reply line; so do we, for the oldest request
  #arm(): void {
    this.#clearTimer()
    const head = this.#queue[0]
    if (!head) return
    this.#timer = setTimeout(() => {
      this.#fail(this.#error("timeout", `no reply to ${head.label} within ${formatSeconds(this.#timeoutMs)}`))
    }, this.#timeoutMs)
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #error(code: NutClientError["code"], detail: string, cause?: unknown): NutClientError {
    return new NutClientError(code, detail, { host: this.host, port: this.port, ...(cause !== undefined ? { cause } : {}) })
  }
}

function describeSystemError(error: unknown): string {
  if (error instanceof ProtocolViolation) return error.message
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === "string" && !error.message.includes(code) ? `${error.message} (${code})` : error.message
  }
  return String(error)
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

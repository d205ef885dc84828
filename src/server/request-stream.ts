import { Tokenizer } from "../protocol/index.ts"
import type { ServedUps } from "./context.ts"
import type { RequestCache } from "./request-cache.ts"
import type { Session } from "./session.ts"

/** upsd reads requests in 512-byte chunks; a parse error drops the rest of that chunk. */
const READ_CHUNK = 512
const NEWLINE = 0x0a

/** What the connection must do after writing `out`. */
export type StreamAction = "none" | "close" | "starttls"

/**
 * Socket-free request framing: feed received bytes, get back the reply text for every complete
 * line, in order. Used by the TCP connection and by transcript replays in tests.
 */
export class RequestStream {
  readonly #tokenizer = new Tokenizer()
  readonly #session: Session
  readonly #onLine: () => void
  readonly #cache: RequestCache<ServedUps> | undefined
  /** What the last {@link process} asks of the connection. */
  action: StreamAction = "none"

  constructor(session: Session, onLine: () => void = () => {}) {
    this.#session = session
    this.#onLine = onLine
    this.#cache = session.ctx.requestCache
  }

  /** Process one read: the reply text and what to do after writing it. */
  feed(chunk: Uint8Array): { out: string; action: StreamAction } {
    const out = this.process(chunk)
    return { out, action: this.action }
  }

  /**
   * Process one read; {@link action} tells what to do after writing the returned text. After
   * LOGOUT, upsd still answers the rest of that 512-byte read and closes on its next loop pass;
   * bytes after a STARTTLS line belong to the TLS handshake.
   */
  process(chunk: Uint8Array): string {
    const session = this.#session
    // the usual read: whole plain lines, each known to the cache (one 512-byte read, so no limits apply)
    if (this.#cache !== undefined && chunk.length <= READ_CHUNK && chunk[chunk.length - 1] === NEWLINE && !this.#tokenizer.pending && !session.closeAfterReply) {
      let out = ""
      let start = 0
      while (start < chunk.length) {
        const end = chunk.indexOf(NEWLINE, start)
        const line = this.#cache.line(chunk, start, end)
        if (line === undefined) return out + this.#tokenize(chunk, start)
        this.#onLine()
        out += session.handleLine(line)
        if (session.startTls) {
          this.action = "starttls"
          return out
        }
        start = end + 1
      }
      this.action = session.closeAfterReply ? "close" : "none"
      return out
    }
    return this.#tokenize(chunk, 0)
  }

  #tokenize(chunk: Uint8Array, from: number): string {
    let out = ""
    const session = this.#session
    // `from` continues a read the cache path began: that read is answered to its end even after LOGOUT
    for (let start = from; start < chunk.length && ((start === from && from > 0) || !session.closeAfterReply); start += READ_CHUNK) {
      const end = Math.min(start + READ_CHUNK, chunk.length)
      for (let i = start; i < end; i++) {
        const r = this.#tokenizer.feed(chunk[i] as number)
        if (r === "more") continue
        if (r === "error") {
          // upsd answers nothing and discards the rest of this read (fixtures/nut-wire/04)
          this.#tokenizer.reset()
          break
        }
        this.#onLine()
        out += session.handle(this.#tokenizer.takeLine())
        if (session.startTls) {
          this.action = "starttls"
          return out
        }
      }
    }
    this.action = session.closeAfterReply ? "close" : "none"
    return out
  }
}

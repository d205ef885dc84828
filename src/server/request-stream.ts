import { Tokenizer } from "../protocol/index.ts"
import type { Session } from "./session.ts"

/** upsd reads requests in 512-byte chunks; a parse error drops the rest of that chunk. */
const READ_CHUNK = 512

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

  constructor(session: Session, onLine: () => void = () => {}) {
    this.#session = session
    this.#onLine = onLine
  }

  /**
   * Process one read. After LOGOUT, upsd still answers the rest of that 512-byte read and closes on
   * its next loop pass; bytes after a STARTTLS line belong to the TLS handshake.
   */
  feed(chunk: Uint8Array): { out: string; action: StreamAction } {
    let out = ""
    const session = this.#session
    for (let start = 0; start < chunk.length && !session.closeAfterReply; start += READ_CHUNK) {
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
        if (session.startTls) return { out, action: "starttls" }
      }
    }
    return { out, action: session.closeAfterReply ? "close" : "none" }
  }
}

import { Tokenizer } from "../../protocol/index.ts"

// Both ends read the socket into a SMALLBUF (512 bytes) and, on a parseconf error, log
// "Parse error on sock: …" and drop the rest of that read (server/sstate.c, drivers/dstate.c)
const READ_CHUNK = 512

/**
 * Splits driver-socket bytes into lines of words with NUT's parseconf rules. Bytes outside
 * 0x20–0x7f are dropped from words, as on both ends of the real socket (parseconf's addchar
 * filter applies to every pconf context, so a UTF-8 value loses its non-ASCII bytes in upsd).
 */
export class SocketLineReader {
  readonly #tokenizer = new Tokenizer()
  readonly #onLine: (words: string[]) => void
  readonly #onError: (reason: string) => void

  constructor(onLine: (words: string[]) => void, onError: (reason: string) => void) {
    this.#onLine = onLine
    this.#onError = onError
  }

  /** Feed received bytes; calls `onLine` for every complete line (empty lines are skipped). */
  feed(bytes: Uint8Array): void {
    for (let start = 0; start < bytes.length; start += READ_CHUNK) {
      const end = Math.min(start + READ_CHUNK, bytes.length)
      for (let i = start; i < end; i++) {
        const r = this.#tokenizer.feed(bytes[i] as number)
        if (r === "more") continue
        if (r === "error") {
          this.#onError(this.#tokenizer.error)
          this.#tokenizer.reset()
          break
        }
        const words = this.#tokenizer.takeLine()
        if (words.length > 0) this.#onLine(words)
      }
    }
  }
}

import { ProtocolViolation } from "./errors.ts"

/**
 * Longest reply line accepted. upsd keeps its lines under 512 bytes (NUT_NET_ANSWER_MAX), so
 * anything far longer is not a NUT server; the limit only stops unbounded buffering.
 */
export const MAX_REPLY_LINE = 65_536

const utf8 = new TextDecoder("utf-8", { fatal: false })

/**
 * Splits the server's byte stream into `\n`-terminated lines (a trailing `\r` is dropped too).
 * TCP may split or merge lines arbitrarily, so partial lines are kept until their newline comes.
 */
export class LineBuffer {
  #parts: Uint8Array[] = []
  #size = 0

  /** Add received bytes; returns the lines they completed, without line terminators. */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = []
    let start = 0
    for (;;) {
      const nl = chunk.indexOf(0x0a, start)
      if (nl < 0) break
      lines.push(this.#finish(chunk.subarray(start, nl)))
      start = nl + 1
    }
    if (start < chunk.length) {
      this.#size += chunk.length - start
      if (this.#size > MAX_REPLY_LINE) throw new ProtocolViolation(`reply line longer than ${MAX_REPLY_LINE} bytes`)
      this.#parts.push(chunk.slice(start))
    }
    return lines
  }

  /** True when part of a line has arrived without its newline. */
  get pending(): boolean {
    return this.#size > 0
  }

  #finish(tail: Uint8Array): string {
    let bytes = tail
    if (this.#parts.length > 0) {
      bytes = new Uint8Array(this.#size + tail.length)
      let at = 0
      for (const p of this.#parts) {
        bytes.set(p, at)
        at += p.length
      }
      bytes.set(tail, at)
      this.#parts = []
      this.#size = 0
    }
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length
    return utf8.decode(bytes.subarray(0, end))
  }
}

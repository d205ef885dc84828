/**
 * Request lines seen before, and the replies they got. NUT clients poll: upsmon sends the same
 * `GET VAR ups ups.status` every few seconds, nut_exporter and Home Assistant the same `LIST VAR`
 * on every scrape. For those lines the server skips the tokenizer (the words are kept per line)
 * and, while the UPS's state has not changed, the reply too. A GET on a warm line then allocates
 * nothing; on a 2-core box that is the difference between matching upsd's CPU per request and
 * not (BENCHMARKS.md).
 *
 * Only plain lines take this path: printable ASCII words separated by blanks, no quotes,
 * backslashes, `#` or `=` — everything else goes through the full tokenizer. A line is found by a
 * hash of its bytes and confirmed byte for byte, so a collision can only cost a miss.
 */
/** Longest line kept (the real polls are 20–60 bytes); longer plain lines take the tokenizer. */
export const MAX_CACHED_LINE = 200
/** Lines kept; a client sending ever-new lines only refills the table. */
export const MAX_CACHED_LINES = 1024
/** Words per line, as the tokenizer keeps them (parseconf's PCONF_MAX_ARGS). */
const MAX_WORDS = 32

const OTHER = 0
const WORD = 1
const BLANK = 2
/** Byte classes of a plain line: word bytes, blanks (the tokenizer's whitespace), or anything else. */
const CLASS = new Uint8Array(256)
for (let b = 0x21; b <= 0x7e; b++) CLASS[b] = WORD
for (const b of [0x22, 0x23, 0x3d, 0x5c]) CLASS[b] = OTHER // `"` `#` `=` `\` have meanings
for (const b of [0x09, 0x0b, 0x0c, 0x0d, 0x20]) CLASS[b] = BLANK

/** A request line, its words, and the reply it got last when that reply may be reused. `U`: a served UPS. */
export interface CachedLine<U = unknown> {
  readonly bytes: Uint8Array
  readonly words: readonly string[]
  /** The first word upper-cased (the command), "" for an empty line. */
  readonly command: string
  /** A reply that depends only on `ups`'s state, valid while the state's version is `version`. */
  reply: string | undefined
  ups: U | undefined
  version: number
}

export class RequestCache<U = unknown> {
  readonly #lines = new Map<number, CachedLine<U>>()

  /**
   * The line in `chunk[start, end)` (without its newline), or undefined when it is not a plain
   * line and must go through the tokenizer.
   */
  line(chunk: Uint8Array, start: number, end: number): CachedLine<U> | undefined {
    if (end - start > MAX_CACHED_LINE) return undefined
    // FNV-1a over the bytes, checking their class on the way
    let hash = 0x811c9dc5
    for (let i = start; i < end; i++) {
      const b = chunk[i] as number
      if (CLASS[b] === OTHER) return undefined
      hash = Math.imul(hash ^ b, 0x01000193)
    }
    const known = this.#lines.get(hash)
    if (known !== undefined && sameBytes(known.bytes, chunk, start, end)) return known
    if (this.#lines.size >= MAX_CACHED_LINES) this.#lines.clear()
    const words = splitPlain(chunk, start, end)
    const fresh: CachedLine<U> = { bytes: chunk.slice(start, end), words, command: words[0]?.toUpperCase() ?? "", reply: undefined, ups: undefined, version: -1 }
    this.#lines.set(hash, fresh)
    return fresh
  }

  /** Forget every line and reply (the set of UPSes or a description changed: replies may name them). */
  clear(): void {
    this.#lines.clear()
  }

  /** Lines held (for tests). */
  get size(): number {
    return this.#lines.size
  }
}

function sameBytes(kept: Uint8Array, chunk: Uint8Array, start: number, end: number): boolean {
  if (kept.length !== end - start) return false
  for (let i = 0; i < kept.length; i++) if (kept[i] !== chunk[start + i]) return false
  return true
}

/** The words of a plain line: what the tokenizer gives for it, computed without its state machine. */
function splitPlain(chunk: Uint8Array, start: number, end: number): string[] {
  const words: string[] = []
  let i = start
  while (i < end && words.length < MAX_WORDS) {
    while (i < end && CLASS[chunk[i] as number] === BLANK) i++
    if (i >= end) break
    let word = ""
    while (i < end && CLASS[chunk[i] as number] === WORD) word += String.fromCharCode(chunk[i++] as number)
    words.push(word)
  }
  return words
}

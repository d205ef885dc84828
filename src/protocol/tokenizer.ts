/**
 * NUT's parseconf word splitter, written from its documented rules (research/nut-reference.md
 * §1.2): the same grammar tokenizes network requests, the driver socket and every NUT config file.
 *
 * - words split on whitespace; `\n` ends the line
 * - `"…"` groups a word (`""` is an empty word); `\x` takes x literally, inside and outside quotes
 * - `#` outside quotes starts a comment; `#` inside quotes without a backslash is a parse error
 * - `=` inside an unquoted word ends it and becomes a word of its own (`a=b` → `a`, `=`, `b`)
 * - bytes < 0x20 and ≥ 0x80 are silently dropped from words (CVE-2012-2944 fix)
 * - at most {@link MAX_WORDS} words per line and {@link MAX_WORD_LEN} bytes per word; the rest is
 *   silently dropped
 */

/** Words kept per line (parseconf's PCONF_MAX_ARGS); more are silently dropped. */
export const MAX_WORDS = 32
/** Bytes kept per word; the rest of a longer word is silently dropped. */
export const MAX_WORD_LEN = 512

const S_START = 0 // between words
const S_WORD = 1 // inside an unquoted word
const S_WORD_LIT = 2 // after a backslash in an unquoted word
const S_QUOTE = 3 // inside quotes
const S_QUOTE_LIT = 4 // after a backslash inside quotes
const S_COMMENT = 5 // after `#` until end of line
const S_CONTINUE = 6 // after a backslash between words (line continuation or literal)

type State = typeof S_START | typeof S_WORD | typeof S_WORD_LIT | typeof S_QUOTE | typeof S_QUOTE_LIT | typeof S_COMMENT | typeof S_CONTINUE

/** Outcome of feeding one byte. */
export type FeedResult = "more" | "line" | "error"

export interface TokenizerOptions {
  /** Drop bytes < 0x20 and ≥ 0x80 from words, as upsd does. @default true */
  readonly filterBytes?: boolean
}

/**
 * Incremental tokenizer: feed bytes one by one; when a line completes, {@link takeLine} returns its
 * words. A parse error resets the line (the caller decides what else to drop).
 */
export class Tokenizer {
  #state: State = S_START
  #words: string[] = []
  #word: number[] = []
  #text = ""
  #wordOpen = false
  #error = ""
  readonly #filter: boolean

  constructor(options: TokenizerOptions = {}) {
    this.#filter = options.filterBytes ?? true
  }

  /** Why the last "error" happened. */
  get error(): string {
    return this.#error
  }

  /** True while inside an unterminated quoted word. */
  get inQuote(): boolean {
    return this.#state === S_QUOTE || this.#state === S_QUOTE_LIT
  }

  /** True while a line has started but is not complete. */
  get pending(): boolean {
    return this.#state !== S_START || this.#words.length > 0 || this.#wordOpen
  }

  /** Feed one byte. */
  feed(byte: number): FeedResult {
    switch (this.#state) {
      case S_START:
        return this.#start(byte)
      case S_WORD:
        return this.#inWord(byte)
      case S_WORD_LIT:
        this.#state = S_WORD
        this.#add(byte)
        return "more"
      case S_QUOTE:
        if (byte === 0x22) {
          this.#endWord()
          this.#state = S_START
        } else if (byte === 0x5c) this.#state = S_QUOTE_LIT
        else if (byte === 0x23) return this.#fail("unescaped # inside quotes")
        else this.#add(byte)
        return "more"
      case S_QUOTE_LIT:
        this.#state = S_QUOTE
        this.#add(byte)
        return "more"
      case S_COMMENT:
        return byte === 0x0a ? this.#endLine() : "more"
      case S_CONTINUE:
        if (byte === 0x0a) {
          this.#state = S_START // backslash-newline continues the logical line
          return "more"
        }
        this.#state = S_WORD
        this.#wordOpen = true
        this.#add(byte)
        return "more"
    }
  }

  /** The words of the line that just completed; resets for the next line. */
  takeLine(): string[] {
    const words = this.#words
    this.#words = []
    return words
  }

  /** Forget any partial line (after a parse error, or at end of input). */
  reset(): void {
    this.#state = S_START
    this.#words = []
    this.#word = []
    this.#text = ""
    this.#wordOpen = false
  }

  /** Finish input that lacks a final newline; returns the last line's words, if any. */
  end(): string[] | undefined {
    if (this.#state === S_QUOTE || this.#state === S_QUOTE_LIT) {
      this.reset()
      return undefined
    }
    if (this.#wordOpen) this.#endWord()
    const words = this.#words
    this.reset()
    return words.length > 0 ? words : undefined
  }

  #start(byte: number): FeedResult {
    if (byte === 0x0a) return this.#endLine()
    if (isSpace(byte)) return "more"
    if (byte === 0x23) {
      this.#state = S_COMMENT
      return "more"
    }
    if (byte === 0x22) {
      this.#state = S_QUOTE
      this.#wordOpen = true
      return "more"
    }
    if (byte === 0x5c) {
      this.#state = S_CONTINUE
      return "more"
    }
    if (byte === 0x3d) {
      this.#pushWord("=")
      return "more"
    }
    this.#state = S_WORD
    this.#wordOpen = true
    this.#add(byte)
    return "more"
  }

  #inWord(byte: number): FeedResult {
    if (byte === 0x0a) {
      this.#endWord()
      return this.#endLine()
    }
    if (isSpace(byte)) {
      this.#endWord()
      this.#state = S_START
    } else if (byte === 0x23) {
      this.#endWord()
      this.#state = S_COMMENT
    } else if (byte === 0x5c) this.#state = S_WORD_LIT
    else if (byte === 0x3d) {
      this.#endWord()
      this.#pushWord("=")
      this.#state = S_START
    } else this.#add(byte)
    return "more"
  }

  #add(byte: number): void {
    if (this.#filter) {
      // filtered input is pure ASCII: build the word as a string, no byte array (hot path of upsd)
      if (byte < 0x20 || byte >= 0x80 || this.#text.length >= MAX_WORD_LEN) return
      this.#text += String.fromCharCode(byte)
    } else if (this.#word.length < MAX_WORD_LEN) this.#word.push(byte)
  }

  #endWord(): void {
    this.#wordOpen = false
    if (this.#filter) {
      this.#pushWord(this.#text)
      this.#text = ""
      return
    }
    const bytes = this.#word
    this.#word = []
    this.#pushWord(decode(bytes))
  }

  #pushWord(word: string): void {
    if (this.#words.length < MAX_WORDS) this.#words.push(word)
  }

  #endLine(): FeedResult {
    this.#state = S_START
    return "line"
  }

  #fail(reason: string): FeedResult {
    this.#error = reason
    this.reset()
    return "error"
  }
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d && byte !== 0x0a)
}

const utf8 = new TextDecoder()

function decode(bytes: number[]): string {
  let ascii = true
  for (const b of bytes) if (b >= 0x80) ascii = false
  return ascii ? String.fromCharCode(...bytes) : utf8.decode(Uint8Array.from(bytes))
}

/** One logical line of a config file, with the 1-based line number it started on. */
export interface ConfigLine {
  readonly line: number
  readonly words: readonly string[]
}

/** A parse error in a config file, with the line it happened on. */
export interface ConfigLineError {
  readonly line: number
  readonly message: string
}

/**
 * Split a whole NUT-style config text into lines of words. UTF-8 is kept (config files are
 * trusted input); malformed lines are reported, not thrown, so callers can go on.
 */
export function tokenizeConfig(text: string): { lines: ConfigLine[]; errors: ConfigLineError[] } {
  const tok = new Tokenizer({ filterBytes: false })
  const bytes = new TextEncoder().encode(text)
  const lines: ConfigLine[] = []
  const errors: ConfigLineError[] = []
  let lineNo = 1
  let startLine = 1
  let skipToEol = false
  for (const b of bytes) {
    if (skipToEol) {
      if (b === 0x0a) {
        skipToEol = false
        lineNo++
        startLine = lineNo
      }
      continue
    }
    if (!tok.pending) startLine = lineNo
    const r = tok.feed(b)
    if (b === 0x0a) lineNo++
    if (r === "line") {
      const words = tok.takeLine()
      if (words.length > 0) lines.push({ line: startLine, words })
    } else if (r === "error") {
      errors.push({ line: lineNo, message: tok.error })
      skipToEol = b !== 0x0a
      if (!skipToEol) startLine = lineNo
    }
  }
  if (tok.inQuote) errors.push({ line: startLine, message: "unterminated quoted word" })
  const last = tok.end()
  if (last) lines.push({ line: startLine, words: last })
  return { lines, errors }
}

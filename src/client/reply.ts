/**
 * Pure decoders for upsd replies, written from libupsclient's checks (research/nut-reference.md
 * §1.8): a GET reply must echo the query words (case-insensitively), a LIST must open with
 * `BEGIN LIST <query>`, every item must echo the query, the list ends at a line whose first two
 * words are exactly `END LIST`, and any line may be `ERR <code>` instead. No sockets here: the
 * connection feeds lines to a decoder until it says `done`.
 */
import { NutError, Tokenizer, isNutErrCode } from "../protocol/index.ts"
import { ProtocolViolation } from "./errors.ts"
import type { TrackingResult, VarType } from "./types.ts"

/** What a decoder says after each line of a reply. */
export type ReplyStep<T> = { readonly done: false } | { readonly done: true; readonly value: T }

/** Consumes the lines of one reply unit (one line, or a BEGIN…END LIST block). */
export interface ReplyDecoder<T> {
  push(line: string): ReplyStep<T>
}

const MORE: ReplyStep<never> = { done: false }

const encoder = new TextEncoder()

/**
 * Split a reply line into words and unescape quoted values, as libupsclient does with
 * parseconf: `VAR ups ups.desc "quote\"and\#hash"` → `["VAR", "ups", "ups.desc", 'quote"and#hash']`.
 * UTF-8 in values is kept (libupsclient would drop non-ASCII bytes).
 */
export function splitReply(line: string): string[] {
  const tok = new Tokenizer({ filterBytes: false })
  for (const byte of encoder.encode(line)) {
    if (tok.feed(byte) === "error") throw new ProtocolViolation(`cannot parse reply (${tok.error}): ${line}`)
  }
  if (tok.inQuote) throw new ProtocolViolation(`unterminated quoted word in reply: ${line}`)
  return tok.end() ?? []
}

/**
 * Throw the server's refusal when `line` is `ERR <code>`. A code NUT does not define is a
 * protocol violation: callers must be able to rely on `NutError.code`.
 */
export function throwIfErr(line: string): void {
  if (!line.startsWith("ERR")) return
  const words = line.split(" ").filter((w) => w !== "")
  if (words[0] !== "ERR") return
  const code = words[1] ?? ""
  if (isNutErrCode(code)) throw new NutError(code)
  throw new ProtocolViolation(`unknown error from server: ${line}`)
}

/** A one-line reply, mapped by `map` unless it is `ERR …`. */
export function lineReply<T>(map: (line: string) => T): ReplyDecoder<T> {
  return {
    push(line) {
      throwIfErr(line)
      return { done: true, value: map(line) }
    },
  }
}

/** A reply that must start with `OK` (`OK`, `OK Goodbye`, `OK FSD-SET`, `OK TRACKING <id>` …); returns the words after OK. */
export function okReply(): ReplyDecoder<string[]> {
  return lineReply((line) => {
    const words = line.split(" ").filter((w) => w !== "")
    if (words[0] !== "OK") throw new ProtocolViolation(`expected OK, got: ${line}`)
    return words.slice(1)
  })
}

/**
 * A GET reply: the first words must echo `query` (`VAR ups var` for `GET VAR ups var`), compared
 * case-insensitively like libupsclient's verify_resp; returns the words after the echo.
 */
export function getReply(query: readonly string[]): ReplyDecoder<string[]> {
  return lineReply((line) => afterEcho(splitReply(line), query, line))
}

/** A LIST reply: validates the framing and returns each item's words after the echoed query. */
export function listReply(query: readonly string[]): ReplyDecoder<string[][]> {
  let begun = false
  const items: string[][] = []
  return {
    push(line) {
      throwIfErr(line)
      const words = splitReply(line)
      if (!begun) {
        if (words.length < 2 || words[0]?.toUpperCase() !== "BEGIN" || words[1]?.toUpperCase() !== "LIST") {
          throw new ProtocolViolation(`expected BEGIN LIST ${query.join(" ")}, got: ${line}`)
        }
        afterEcho(words.slice(2), query, line)
        begun = true
        return MORE
      }
      // libupsclient ends the list at the first line whose words are exactly END LIST (case-sensitive)
      if (words[0] === "END" && words[1] === "LIST") return { done: true, value: items }
      items.push(afterEcho(words, query, line))
      return MORE
    },
  }
}

/**
 * The reply to `GET TRACKING <id>`: `PENDING`, `SUCCESS`, or `ERR UNKNOWN|INVALID-ARGUMENT|FAILED`
 * as results; any other `ERR` (FEATURE-NOT-CONFIGURED when tracking is off) is a refusal.
 */
export function trackingReply(): ReplyDecoder<TrackingResult> {
  return {
    push(line) {
      const words = line.split(" ").filter((w) => w !== "")
      if (words.length === 1 && (words[0] === "PENDING" || words[0] === "SUCCESS")) return { done: true, value: words[0] }
      if (words.length === 2 && words[0] === "ERR") {
        const w = words[1]
        if (w === "UNKNOWN" || w === "INVALID-ARGUMENT" || w === "FAILED") return { done: true, value: w }
      }
      throwIfErr(line)
      throw new ProtocolViolation(`unexpected tracking status: ${line}`)
    },
  }
}

/**
 * Decode the words after `TYPE <ups> <var>`: `[RW] [ENUM] [RANGE] STRING:<n>|NUMBER` (2.8.0), or
 * 2.7's `ENUM`/`RANGE` alone. Unknown words are kept in `other`.
 */
export function decodeType(words: readonly string[]): VarType {
  let rw = false
  let isEnum = false
  let isRange = false
  let kind: VarType["kind"] = "UNKNOWN"
  let maxLength: number | undefined
  const other: string[] = []
  for (const w of words) {
    const u = w.toUpperCase()
    if (u === "RW") rw = true
    else if (u === "ENUM") isEnum = true
    else if (u === "RANGE") isRange = true
    else if (u === "NUMBER") kind = "NUMBER"
    else if (u.startsWith("STRING:")) {
      kind = "STRING"
      const n = Number.parseInt(w.slice(7), 10)
      maxLength = Number.isFinite(n) ? n : 0
    } else other.push(w)
  }
  const base = { rw, enum: isEnum, range: isRange, kind, words: [...words], other }
  return maxLength === undefined ? base : { ...base, maxLength }
}

/** The words after `query` in `words`, which must echo it case-insensitively. */
function afterEcho(words: readonly string[], query: readonly string[], line: string): string[] {
  if (words.length < query.length) throw new ProtocolViolation(`reply does not echo ${query.join(" ")}: ${line}`)
  for (let i = 0; i < query.length; i++) {
    if (words[i]?.toLowerCase() !== query[i]?.toLowerCase()) {
      throw new ProtocolViolation(`reply does not echo ${query.join(" ")}: ${line}`)
    }
  }
  return words.slice(query.length)
}

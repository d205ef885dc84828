import { Tokenizer } from "../../protocol/index.ts"
import { joinStatusWords } from "./dummy-status.ts"

/** One thing a dummy-ups data file does, in file order. */
export type DummyStep =
  /** `name: value…` — set through dummy-ups' setvar (an empty value deletes the variable). */
  | { readonly kind: "set"; readonly line: number; readonly name: string; readonly value: string }
  /** `ups.status: OB LB` — the words go through the driver core's status_set/status_commit. */
  | { readonly kind: "status"; readonly line: number; readonly value: string }
  /** `TIMER n` — stop reading; go on at the first poll at least `seconds` later. */
  | { readonly kind: "timer"; readonly line: number; readonly seconds: number }

/** A line dummy-ups would read differently from what its author probably meant. */
export interface DummyFileProblem {
  readonly line: number
  readonly message: string
}

/** A .dev/.seq text turned into steps. */
export interface DummyFile {
  readonly steps: readonly DummyStep[]
  readonly problems: readonly DummyFileProblem[]
}

// dummy-ups 2.8.0 joins value words into `char var_value[128]`: the first word with snprintf (≤127
// bytes), every further " word" with NUT's snprintfcat, which stops the string at 126 bytes.
const FIRST_VALUE_MAX = 127
const JOINED_VALUE_MAX = 126

/**
 * Turn the text of a dummy-ups `.dev`/`.seq` file into the steps NUT 2.8.0's dummy-ups takes,
 * reproducing its parser (verified against the Debian binary, see the quirks below). Pure: the
 * driver replays the steps, tests and demos can use them without files.
 */
export function parseDummyFile(text: string): DummyFile {
  const steps: DummyStep[] = []
  const problems: DummyFileProblem[] = []
  // Quirk: var_value is not cleared between lines, so a line without a value re-uses the value of
  // the previous valued line. The buffer lives on the stack of one parse call, and a call ends at
  // each TIMER: at the start of a call it holds garbage, so such a line is reported and skipped.
  let lastValue: string | undefined
  // Quirk: parseconf keeps its argument buffers, so `TIMER` without a number reads the second word
  // of the last line that had one (`a: 7` then `TIMER` pauses 7 s).
  let lastSecondWord: string | undefined

  for (const { line, words } of tokenizeDummyText(text, problems)) {
    const first = words[0] ?? ""
    const staleSecond = lastSecondWord
    if (words[1] !== undefined) lastSecondWord = words[1]

    // `strncmp(arg, "TIMER", 5)`: case-sensitive, and `TIMERS 3` or `TIMER: 3` count too
    if (first.startsWith("TIMER")) {
      const arg = words[1] ?? staleSecond
      const seconds = atoi(arg ?? "")
      if (arg === undefined || !/^\s*[+-]?\d/.test(arg)) {
        problems.push({ line, message: `TIMER expects a number of seconds, got ${arg === undefined ? "nothing" : JSON.stringify(arg)}: pausing 0 s` })
      } else if (words[1] === undefined) {
        problems.push({ line, message: `TIMER without a number re-uses ${JSON.stringify(arg)} from an earlier line (dummy-ups 2.8.0 quirk)` })
      }
      steps.push({ kind: "timer", line, seconds })
      lastValue = undefined
      continue
    }

    // Only the part before the first ':' names the variable (`a:b: x` sets `a`)
    const colon = first.indexOf(":")
    const name = colon >= 0 ? first.slice(0, colon) : first
    // The driver publishes its own driver.* (the prefix test is case-sensitive, like strncmp)
    if (name.startsWith("driver.")) continue
    if (name === "") {
      problems.push({ line, message: "line without a variable name: skipped" })
      continue
    }
    // `strncmp(name, "ups.status", 10)`: also `ups.statusfoo`, never `UPS.STATUS`
    if (name.startsWith("ups.status")) {
      steps.push({ kind: "status", line, value: joinStatusWords(words.slice(1)) })
      continue
    }
    if (words.length > 1) {
      lastValue = joinValueWords(words.slice(1))
      steps.push({ kind: "set", line, name, value: lastValue })
    } else if (lastValue !== undefined) {
      const effect = lastValue === "" ? "an empty value, which deletes it" : JSON.stringify(lastValue)
      problems.push({ line, message: `${name} has no value: dummy-ups 2.8.0 re-uses the last value read, ${effect}` })
      steps.push({ kind: "set", line, name, value: lastValue })
    } else {
      problems.push({ line, message: `${name} has no value: skipped (dummy-ups 2.8.0 would set an undefined buffer)` })
    }
  }
  return { steps, problems: problems.sort((a, b) => a.line - b.line) }
}

/** Value words re-joined with single spaces, cut like dummy-ups' 128-byte buffer. */
function joinValueWords(words: readonly string[]): string {
  let value = (words[0] ?? "").slice(0, FIRST_VALUE_MAX)
  for (const word of words.slice(1)) {
    const room = JOINED_VALUE_MAX - value.length
    if (room <= 0) break
    value += ` ${word}`.slice(0, room)
  }
  return value
}

/** C's atoi: optional blanks and sign, then digits; anything else is 0. */
function atoi(text: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(text)
  return m?.[1] === undefined ? 0 : Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Number.parseInt(m[1], 10)))
}

/**
 * Split the text into lines of words the way dummy-ups' parseconf does for its data file. Not
 * {@link tokenizeConfig}: the driver differs from a config reader in three ways (all observed):
 * - bytes < 0x20 and ≥ 0x80 are dropped from words (`°C` → `C`; a word of only such bytes stays
 *   as an empty word, so `Grad é` reads as `Grad ` with a trailing space)
 * - after a parse error (`#` inside quotes) the words so far are dropped but the rest of the line
 *   is read as a new line (`a: "x#y" z` yields the line `y" z`)
 * - a quote still open at the end of the file keeps everything up to there (newlines dropped) as
 *   one word, if it is not empty
 */
function tokenizeDummyText(text: string, problems: DummyFileProblem[]): Array<{ line: number; words: string[] }> {
  const tok = new Tokenizer({ filterBytes: true })
  const lines: Array<{ line: number; words: string[] }> = []
  let lineNo = 1
  let startLine = 1
  let quoteLine = 1
  for (const b of new TextEncoder().encode(text)) {
    if (!tok.pending) startLine = lineNo
    const wasInQuote = tok.inQuote
    const r = tok.feed(b)
    if (!wasInQuote && tok.inQuote) quoteLine = lineNo
    if (b === 0x0a) lineNo++
    if (r === "line") {
      const words = tok.takeLine()
      if (words.length > 0) lines.push({ line: startLine, words })
    } else if (r === "error") {
      problems.push({ line: lineNo - (b === 0x0a ? 1 : 0), message: `${tok.error}: words before it skipped` })
    }
  }
  if (tok.inQuote) {
    problems.push({ line: quoteLine, message: "quote not closed: the rest of the file is read as one word" })
    tok.feed(0x01) // leaves a pending backslash-escape; dropped like every control byte
    tok.feed(0x22)
    const words = tok.end() ?? []
    if (words.at(-1) === "") words.pop()
    if (words.length > 0) lines.push({ line: startLine, words })
    return lines
  }
  const last = tok.end()
  if (last) lines.push({ line: startLine, words: last })
  return lines
}

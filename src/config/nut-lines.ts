/**
 * Helpers shared by the parsers of NUT's own files: every one of them is a parseconf file
 * (research/nut-reference.md §1.2), read here with the protocol tokenizer.
 */
import { tokenizeConfig, type ConfigLine } from "../protocol/index.ts"
import { configIssue, type ConfigIssue } from "./errors.ts"

/** Split a NUT config text into lines; parse errors become CONFIG_SYNTAX issues. */
export function readNutLines(text: string, file: string, issues: ConfigIssue[]): ConfigLine[] {
  const { lines, errors } = tokenizeConfig(text)
  for (const e of errors) {
    issues.push(
      configIssue({
        code: "CONFIG_SYNTAX",
        file,
        line: e.line,
        expected: "parseconf syntax",
        message: `${file}:${e.line}: ${e.message} (quote with "…", escape \\, \\# and \\" with a backslash)`,
      }),
    )
  }
  return lines
}

/** `[name]` section header → name, else undefined. */
export function sectionName(word: string): string | undefined {
  return word.length >= 2 && word.startsWith("[") && word.endsWith("]") ? word.slice(1, -1) : undefined
}

/**
 * A line that starts with `[` is meant as a section header. When it is not a complete one
 * (`[office` without its `]`, `[my ups]` with a space, `[]`), NUT's parsers take it as a key of
 * the previous section, so the lines after it silently join that section; this says why instead.
 * @returns the problem, or undefined when the line is a good header or no header at all
 */
export function badSectionHeader(words: readonly string[], file: string, line: number): string | undefined {
  const first = words[0] ?? ""
  if (!first.startsWith("[")) return undefined
  const text = words.join(" ")
  if (first === "[]") return `${file}:${line}: "[]" is a section header without a name`
  if (first.endsWith("]")) return undefined
  const why = first.includes("]") ? 'text after "]"' : words.some((w) => w.endsWith("]")) ? "a name cannot contain spaces" : 'missing "]"'
  return `${file}:${line}: "${text}" is not a section header (${why})`
}

/**
 * A non-negative integer as NUT writes it. upsd and upsmon use `atoi` after checking only the
 * first digit, so `15s` would silently be 15; we refuse anything but digits instead.
 */
export function parseCount(word: string | undefined): number | undefined {
  if (word === undefined || !/^\d+$/.test(word)) return undefined
  const n = Number(word)
  return Number.isSafeInteger(n) ? n : undefined
}

/** A signed integer (upsmon's OVERDURATION takes -1). */
export function parseInteger(word: string | undefined): number | undefined {
  if (word === undefined || !/^-?\d+$/.test(word)) return undefined
  const n = Number(word)
  return Number.isSafeInteger(n) ? n : undefined
}

/**
 * A NUT boolean: digits (non-zero is true) or true/on/yes/false/off/no in any case, as upsd
 * reads ALLOW_NO_DEVICE (server/conf.c).
 */
export function parseNutBool(word: string | undefined): boolean | undefined {
  if (word === undefined) return undefined
  if (/^\d+$/.test(word)) return Number(word) !== 0
  const w = word.toLowerCase()
  if (w === "true" || w === "on" || w === "yes") return true
  if (w === "false" || w === "off" || w === "no") return false
  return undefined
}

/** A TCP port 1–65535. */
export function parsePort(word: string | undefined): number | undefined {
  const n = parseCount(word)
  return n !== undefined && n >= 1 && n <= 65535 ? n : undefined
}

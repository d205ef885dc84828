/**
 * Duplicate keys in JSON text. JSON.parse (and confbox's JSONC parser) keep the last of two equal
 * keys without a word, where the YAML and TOML parsers refuse them; a config with `"maxage"`
 * twice would silently use the second. Call it on text that already parsed: it assumes valid
 * JSONC (comments and trailing commas allowed).
 */
import type { KeyPath } from "./key-line.ts"

/** A key given twice in one object. */
export interface DuplicateKey {
  readonly path: KeyPath
  /** 1-based lines of the second and of the first occurrence. */
  readonly line: number
  readonly firstLine: number
}

export function findJsonDuplicates(text: string): DuplicateKey[] {
  const out: DuplicateKey[] = []
  let pos = 0
  let line = 1
  const skip = (): void => {
    for (;;) {
      const c = text[pos]
      if (c === "\n") {
        line++
        pos++
      } else if (c === " " || c === "\t" || c === "\r") pos++
      else if (c === "/" && text[pos + 1] === "/") while (pos < text.length && text[pos] !== "\n") pos++
      else if (c === "/" && text[pos + 1] === "*") {
        const end = text.indexOf("*/", pos + 2)
        const stop = end < 0 ? text.length : end + 2
        for (; pos < stop; pos++) if (text[pos] === "\n") line++
      } else return
    }
  }
  const string = (): string => {
    const start = pos
    pos++ // opening quote
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === "\\" ? 2 : 1
    pos++
    try {
      return JSON.parse(text.slice(start, pos)) as string
    } catch {
      return text.slice(start + 1, pos - 1)
    }
  }
  const value = (path: KeyPath): void => {
    skip()
    const c = text[pos]
    if (c === '"') string()
    else if (c === "{") {
      pos++
      const seen = new Map<string, number>()
      for (skip(); pos < text.length && text[pos] !== "}"; skip()) {
        const keyLine = line
        const key = string()
        const first = seen.get(key)
        if (first === undefined) seen.set(key, keyLine)
        else out.push({ path: [...path, key], line: keyLine, firstLine: first })
        skip()
        pos++ // colon
        value([...path, key])
        skip()
        if (text[pos] === ",") pos++
      }
      pos++
    } else if (c === "[") {
      pos++
      for (let i = 0; (skip(), pos < text.length && text[pos] !== "]"); i++) {
        value([...path, i])
        skip()
        if (text[pos] === ",") pos++
      }
      pos++
    } else while (pos < text.length && !/[,\]}\s/]/.test(text[pos] as string)) pos++
  }
  value([])
  return out
}

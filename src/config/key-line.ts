/**
 * Find the line of a key path (`roles[1].hosts`) in the text of a YAML, TOML or JSON config, so
 * schema errors can point at a line. The parsers confbox wraps do not report node positions, so
 * this is a best-effort scan: it returns the deepest part of the path it could locate.
 */

export type ConfigFormat = "yaml" | "toml" | "json"
export type KeyPath = readonly (string | number)[]

/** 1-based line of `path` in `text`, or of its deepest ancestor found; undefined if none. */
export function findKeyLine(text: string, path: KeyPath, format: ConfigFormat): number | undefined {
  const lines = text.split("\n")
  if (format === "json") return jsonLine(text, path)
  if (format === "toml") return tomlLine(lines, path)
  return yamlLine(lines, path)
}

// ----- YAML (block style, with flow collections on one line) -----

function yamlLine(lines: readonly string[], path: KeyPath): number | undefined {
  let at: Container = { from: 0, indent: -1, item: false }
  let found: number | undefined
  for (const seg of path) {
    const r = typeof seg === "number" ? yamlItem(lines, at, seg) : yamlKey(lines, at, seg)
    // not found: a flow collection (`{ a: 1 }`, `[x, y]`) or a missing key; keep the ancestor
    if (r === undefined) return found
    found = r.line + 1
    if (r.inline) return found
    at = r.next
  }
  return found
}

/** Where the children of the last path part are: from which line, deeper than which indent. */
interface Container {
  readonly from: number
  readonly indent: number
  /** The container is a `- ` item whose first key may sit on its own line `from`. */
  readonly item: boolean
}

interface Hit {
  readonly line: number
  readonly inline?: boolean
  readonly next: Container
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length
}

function isContent(line: string): boolean {
  const t = line.trim()
  return t !== "" && !t.startsWith("#") && t !== "---"
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
}

function yamlKey(lines: readonly string[], at: Container, key: string): Hit | undefined {
  const re = new RegExp(`^(\\s*(?:-\\s+)?)(["']?)${escapeRe(key)}\\2\\s*:(\\s|$)`)
  const flow = new RegExp(`[{,]\\s*(["']?)${escapeRe(key)}\\1\\s*:`)
  const parentLine = at.from > 0 && !at.item ? lines[at.from - 1] : undefined
  if (parentLine !== undefined && flow.test(parentLine)) return { line: at.from - 1, inline: true, next: at }
  for (let i = at.from; i < lines.length; i++) {
    const line = lines[i] as string
    if (!isContent(line)) continue
    const ownItemLine = at.item && i === at.from
    if (!ownItemLine && indentOf(line) <= at.indent) return undefined
    const m = re.exec(line)
    if (m) return { line: i, next: { from: i + 1, indent: (m[1] as string).length, item: false } }
    if (flow.test(line)) return { line: i, inline: true, next: at }
  }
  return undefined
}

function yamlItem(lines: readonly string[], at: Container, index: number): Hit | undefined {
  const parentLine = at.from > 0 && !at.item ? lines[at.from - 1] : undefined
  if (parentLine !== undefined && /:\s*\[/.test(parentLine)) return { line: at.from - 1, inline: true, next: at }
  let dashIndent: number | undefined
  let count = -1
  for (let i = at.from; i < lines.length; i++) {
    const line = lines[i] as string
    if (!isContent(line)) continue
    const indent = indentOf(line)
    const item = /^-(\s|$)/.test(line.trimStart())
    // a sequence may sit at its key's own indent (`roles:` then `- hosts: …`)
    if (indent < at.indent || (indent <= at.indent && !item)) return undefined
    if (!item) continue
    dashIndent ??= indent
    if (indent < dashIndent) return undefined
    if (indent > dashIndent) continue
    if (++count === index) return { line: i, next: { from: i, indent, item: true } }
  }
  return undefined
}

// ----- TOML -----

function tomlLine(lines: readonly string[], path: KeyPath): number | undefined {
  let found: number | undefined
  let tablePath = "" // dotted path of the table the search is inside
  let headerLine = -1
  for (const seg of path) {
    if (typeof seg === "number") {
      // nth [[array.of.tables]]
      let n = -1
      const re = new RegExp(`^\\s*\\[\\[\\s*${escapeRe(tablePath)}\\s*\\]\\]`)
      const at = lines.findIndex((l, i) => i >= headerLine && re.test(l) && ++n === seg)
      if (at < 0) return found
      found = at + 1
      headerLine = at
      continue
    }
    const dotted = tablePath === "" ? seg : `${tablePath}.${seg}`
    const header = new RegExp(`^\\s*\\[{1,2}\\s*${escapeRe(dotted)}\\s*\\]{1,2}`)
    const h = lines.findIndex((l, i) => i > headerLine && header.test(l))
    if (h >= 0) {
      tablePath = dotted
      headerLine = h
      found = h + 1
      continue
    }
    // `[ups.rack]` with no `[ups]` of its own: step into the dotted name without moving
    const prefix = new RegExp(`^\\s*\\[{1,2}\\s*${escapeRe(dotted)}\\.`)
    if (lines.some((l, i) => i > headerLine && prefix.test(l))) {
      tablePath = dotted
      continue
    }
    const key = new RegExp(`^\\s*["']?${escapeRe(seg)}["']?\\s*=`)
    for (let i = headerLine + 1; i < lines.length; i++) {
      const l = lines[i] as string
      if (/^\s*\[/.test(l)) break
      // a leaf, or an inline table / array holding the rest of the path
      if (key.test(l)) return i + 1
    }
    return found
  }
  return found
}

// ----- JSON: a small scanner that records where each value starts -----

function jsonLine(text: string, path: KeyPath): number | undefined {
  let pos = 0
  let found: number | undefined
  const lineAt = (i: number): number => text.slice(0, i).split("\n").length
  const ws = (): void => {
    while (pos < text.length && /\s/.test(text[pos] as string)) pos++
  }
  const skipString = (): string => {
    const start = ++pos
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === "\\" ? 2 : 1
    return text.slice(start, pos++)
  }
  const skipValue = (): void => {
    ws()
    const c = text[pos]
    if (c === '"') skipString()
    else if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]"
      pos++
      for (ws(); pos < text.length && text[pos] !== close; ws()) {
        if (c === "{") {
          skipString()
          ws()
          pos++ // colon
        }
        skipValue()
        ws()
        if (text[pos] === ",") pos++
      }
      pos++
    } else while (pos < text.length && !/[,\]}\s]/.test(text[pos] as string)) pos++
  }
  for (const seg of path) {
    ws()
    const c = text[pos]
    let hit = false
    if (c === "{" && typeof seg === "string") {
      pos++
      for (ws(); pos < text.length && text[pos] === '"'; ws()) {
        const keyAt = pos
        const k = skipString()
        ws()
        pos++ // colon
        if (k === seg) {
          found = lineAt(keyAt)
          hit = true
          break
        }
        skipValue()
        ws()
        if (text[pos] === ",") pos++
      }
    } else if (c === "[" && typeof seg === "number") {
      pos++
      for (let i = 0; pos < text.length; i++) {
        ws()
        if (text[pos] === "]") break
        if (i === seg) {
          found = lineAt(pos)
          hit = true
          break
        }
        skipValue()
        ws()
        if (text[pos] === ",") pos++
      }
    }
    if (!hit) return found
  }
  return found
}

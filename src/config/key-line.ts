/**
 * Find the line of a key path (`roles[1].hosts`) in the text of a YAML, TOML or JSON config, so
 * schema errors can point at a line. The parsers confbox wraps do not report node positions, so
 * this is a best-effort scan: it returns the deepest part of the path it could locate.
 */

export type ConfigFormat = "yaml" | "toml" | "json"
export type KeyPath = readonly (string | number)[]

/** `roles[1].hosts` from `["roles", 1, "hosts"]`. */
export function keyPathString(path: KeyPath): string {
  let s = ""
  for (const seg of path) {
    if (typeof seg === "number") s += `[${seg}]`
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) s += s === "" ? seg : `.${seg}`
    else s += `[${JSON.stringify(seg)}]`
  }
  return s
}

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
  const parentLine = at.from > 0 && !at.item ? lines[at.from - 1] : undefined
  // `server: { listen: …, maxage: 15 }`: the key is inside the parent's own flow mapping
  if (parentLine !== undefined && flowHasKey(afterKey(parentLine), key)) return { line: at.from - 1, inline: true, next: at }
  // only keys at the container's own indent are its children (a deeper `shutdown:` is a grandchild)
  let childIndent: number | undefined
  for (let i = at.from; i < lines.length; i++) {
    const line = lines[i] as string
    if (!isContent(line)) continue
    const ownItemLine = at.item && i === at.from
    if (!ownItemLine && indentOf(line) <= at.indent) return undefined
    const column = ownItemLine ? line.length - line.replace(/^\s*-\s+/, "").length : indentOf(line)
    childIndent ??= column
    if (column !== childIndent) continue
    const m = re.exec(line)
    if (m && (m[1] as string).length === childIndent) return { line: i, next: { from: i + 1, indent: (m[1] as string).length, item: false } }
    // `- { hosts: a, role: primary }`: the item is a flow mapping on its own line
    if (ownItemLine && flowHasKey(line.replace(/^\s*-\s+/, ""), key)) return { line: i, inline: true, next: at }
  }
  return undefined
}

/** The text after a line's `key:` (its value), or the whole line when it has no key. */
function afterKey(line: string): string {
  const m = /^\s*(?:-\s+)?(?:"[^"]*"|'[^']*'|[^\s"'{[#][^:#]*?)\s*:(\s|$)/.exec(line)
  return m ? line.slice(m[0].length) : line
}

/**
 * Whether `text` starts with a flow mapping that has `key` as one of its own keys: keys of
 * mappings nested inside it (`roles: [ { shutdown: … } ]`) do not count.
 */
function flowHasKey(text: string, key: string): boolean {
  const start = text.search(/\S/)
  if (start < 0 || text[start] !== "{") return false
  const keyRe = new RegExp(`^\\s*(["']?)${escapeRe(key)}\\1\\s*:`)
  let depth = 0
  let quote: string | undefined
  for (let i = start; i < text.length; i++) {
    const c = text[i] as string
    if (quote !== undefined) {
      if (c === "\\" && quote === '"') i++
      else if (c === quote) quote = undefined
      continue
    }
    if (c === '"' || c === "'") quote = c
    else if (c === "#" && /\s/.test(text[i - 1] ?? "")) return false
    else if (c === "{" || c === "[") {
      depth++
      if (depth === 1 && keyRe.test(text.slice(i + 1))) return true
    } else if (c === "}" || c === "]") {
      if (--depth === 0) return false
    } else if (c === "," && depth === 1 && keyRe.test(text.slice(i + 1))) return true
  }
  return false
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

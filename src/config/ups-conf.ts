/**
 * ups.conf: `[name]` sections with `driver`, `port`, `desc` and driver options; keys before the
 * first section are global driver settings (statepath, maxretry, …) that upsd ignores.
 */
import type { ConfigIssue } from "./errors.ts"
import { configIssue, throwIfIssues } from "./errors.ts"
import { unknownDriverProblem } from "./nut-drivers.ts"
import { badSectionHeader, readNutLines, sectionName } from "./nut-lines.ts"
import type { ConfigWarning, UpsDefinition } from "./types.ts"

/** What ups.conf defines. */
export interface UpsConf {
  /** Complete sections, in file order. */
  readonly ups: readonly UpsDefinition[]
  /** Keys before the first section, lower-case. */
  readonly globals: Readonly<Record<string, string>>
  readonly warnings: readonly ConfigWarning[]
}

export interface ParseUpsConfOptions {
  /** Name shown in messages. @default "ups.conf" */
  readonly file?: string
  /** Directory relative `port` paths resolve against. @default "." */
  readonly baseDir?: string
}

interface Section {
  readonly name: string
  readonly line: number
  readonly keys: Map<string, string>
  /** Line of each key's last value. */
  readonly keyLines: Map<string, number>
}

/**
 * Parse ups.conf text. A key without `= value` is a flag (stored as ""), as drivers read
 * `nolock` or `pollonly`.
 * @throws ConfigError on parseconf syntax errors and broken `[section` headers
 */
export function parseUpsConf(text: string, options: ParseUpsConfOptions = {}): UpsConf {
  const file = options.file ?? "ups.conf"
  const issues: ConfigIssue[] = []
  const warnings: ConfigWarning[] = []
  const globals: Record<string, string> = {}
  const sections: Section[] = []
  let current: Section | undefined
  // after a broken header: its lines belong to no section (NUT would add them to the previous one)
  let orphaned = false

  for (const { line, words } of readNutLines(text, file, issues)) {
    const first = words[0] ?? ""
    const broken = badSectionHeader(words, file, line)
    if (broken !== undefined) {
      issues.push(configIssue({ code: "CONFIG_SYNTAX", file, line, expected: "a section header like [name]", message: broken }))
      orphaned = true
      continue
    }
    const name = sectionName(first)
    if (name !== undefined) {
      orphaned = false
      // Two sections with one name are merged, later keys winning, as upsd and upsdrvctl key
      // ups.conf by name; said out loud, because it is almost always a copy-paste mistake.
      current = sections.find((s) => s.name === name)
      if (current === undefined) {
        current = { name, line, keys: new Map(), keyLines: new Map() }
        sections.push(current)
      } else {
        warnings.push({ file, line, message: `${file}:${line}: [${name}] is defined again (first on line ${current.line}); NUT merges the two, later keys win` })
      }
      if (words.length > 1) warnings.push({ file, line, message: `${file}:${line}: ignoring words after section [${name}]` })
      continue
    }
    const kv = keyValue(words)
    if (kv === undefined) {
      warnings.push({ file, line, key: first, message: `${file}:${line}: ignoring "${words.join(" ")}" (expected key = value)` })
      continue
    }
    if (kv.extra > 0) warnings.push({ file, line, key: kv.key, message: `${file}:${line}: ${kv.key}: ignoring words after the value (quote values with spaces)` })
    if (orphaned) continue
    if (current === undefined) globals[kv.key] = kv.value
    else {
      current.keys.set(kv.key, kv.value)
      current.keyLines.set(kv.key, line)
    }
  }
  throwIfIssues(issues)

  const ups: UpsDefinition[] = []
  const seen = new Map<string, string>()
  for (const s of sections) {
    const driver = s.keys.get("driver")
    const port = s.keys.get("port")
    if (!driver || port === undefined || port === "") {
      // upsd: "Warning: ignoring incomplete configuration for UPS [x]"
      const missing = !driver ? "driver" : "port"
      warnings.push({ file, line: s.line, key: missing, message: `${file}:${s.line}: ignoring incomplete configuration for UPS [${s.name}]: no ${missing}` })
      continue
    }
    // upsd compares names case-insensitively when it creates UPSes: "UPS name [x] is already in use!"
    const other = seen.get(s.name.toLowerCase())
    if (other !== undefined) {
      warnings.push({ file, line: s.line, message: `${file}:${s.line}: ignoring UPS [${s.name}]: name already in use by [${other}]` })
      continue
    }
    seen.set(s.name.toLowerCase(), s.name)
    const driverLine = s.keyLines.get("driver") ?? s.line
    const unknown = unknownDriverProblem(driver)
    if (unknown !== undefined) warnings.push({ file, line: driverLine, key: "driver", message: `${file}:${driverLine}: ${unknown}` })
    const params: Record<string, string> = {}
    for (const [k, v] of s.keys) if (k !== "driver" && k !== "port" && k !== "desc") params[k] = v
    const desc = s.keys.get("desc")
    const source = { file, line: s.line, portLine: s.keyLines.get("port") ?? s.line }
    ups.push({ name: s.name, driver, port, ...(desc === undefined ? {} : { desc }), params, baseDir: options.baseDir ?? ".", source })
  }
  return { ups, globals, warnings }
}

/** `key = value [extra…]` or a lone flag `key`; undefined for anything else. */
export function keyValue(words: readonly string[]): { key: string; value: string; extra: number } | undefined {
  const key = words[0]
  if (key === undefined || key === "=") return undefined
  if (words.length === 1) return { key: key.toLowerCase(), value: "", extra: 0 }
  if (words[1] !== "=" || words.length < 3) return undefined
  return { key: key.toLowerCase(), value: words[2] ?? "", extra: words.length - 3 }
}

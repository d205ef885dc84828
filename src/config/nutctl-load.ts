/**
 * Load nutctl's own config file: YAML, TOML or JSON (by extension, parsed with confbox),
 * validated with the zod schema. Errors name the file, the line when it can be found, the key
 * path and what was expected.
 */
import { parseJSONC, parseTOML, parseYAML } from "confbox"
import type { z } from "zod"
import { ConfigError, configIssue, readIssue, type ConfigIssue } from "./errors.ts"
import { describeOpenMode } from "./file-mode.ts"
import type { ConfigFs } from "./fs.ts"
import { findJsonDuplicates } from "./json-duplicates.ts"
import { findKeyLine, keyPathString, type ConfigFormat, type KeyPath } from "./key-line.ts"
import { nodeConfigFs } from "./node-fs.ts"
import { checkNutctlConfig } from "./nutctl-checks.ts"
import { nutctlConfigSchema, type NutctlConfig } from "./nutctl-schema.ts"
import type { ConfigWarning } from "./types.ts"

export { keyPathString }

/** A validated nutctl config and where it came from. */
export interface LoadedConfig {
  /** The file as named by the caller. */
  readonly file: string
  readonly format: ConfigFormat
  readonly config: NutctlConfig
  readonly warnings: readonly ConfigWarning[]
}

export interface LoadNutctlConfigOptions {
  /** @default the real file system */
  readonly fs?: ConfigFs
}

/**
 * Read and validate a config file.
 * @throws ConfigError (CONFIG_NOT_FOUND, CONFIG_SYNTAX, CONFIG_INVALID) with every issue found
 */
export async function loadNutctlConfig(file: string, options: LoadNutctlConfigOptions = {}): Promise<LoadedConfig> {
  const fs = options.fs ?? nodeConfigFs
  let text: string
  try {
    text = await fs.readText(file)
  } catch (cause) {
    throw new ConfigError([readIssue(file, cause)], { cause })
  }
  const mode = await fs.mode(file).catch(() => undefined)
  return parseNutctlConfig(text, { file, mode })
}

export interface ParseNutctlConfigOptions {
  /** File name for messages; its extension picks the format unless `format` is given. */
  readonly file: string
  readonly format?: ConfigFormat
  /** Permission bits of the file, to warn about literal secrets others can read. */
  readonly mode?: number | undefined
}

/**
 * Validate config text.
 * @throws ConfigError (CONFIG_SYNTAX, CONFIG_INVALID) with every issue found
 */
export function parseNutctlConfig(text: string, options: ParseNutctlConfigOptions): LoadedConfig {
  const { file } = options
  const format = options.format ?? formatOf(file)
  if (format === undefined) {
    throw new ConfigError([configIssue({ file, expected: "a .yaml, .yml, .toml or .json file", message: `${file}: expects a .yaml, .yml, .toml or .json file` })])
  }
  const data = parseText(text, file, format)
  const result = nutctlConfigSchema.safeParse(data, { reportInput: true, error: phrase })
  if (!result.success) {
    const issues = result.error.issues.map((i) => toIssue(i, text, file, format))
    issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity))
    throw new ConfigError(issues, { cause: result.error })
  }
  const config = result.data
  const lineOf = (path: KeyPath): number | undefined => findKeyLine(text, path, format)
  const where = (line: number | undefined): string => (line === undefined ? file : `${file}:${line}`)
  const checked = checkNutctlConfig({ config, raw: data, file, open: describeOpenMode(options.mode) })
  const warnings: ConfigWarning[] = checked.warnings.map((w) => {
    const line = lineOf(w.path)
    return { file, ...(line === undefined ? {} : { line }), key: w.key ?? keyPathString(w.path), message: `${where(line)}: ${w.message}` }
  })
  warnings.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity))
  if (checked.errors.length > 0) {
    const issues = checked.errors.map((e) => {
      const line = lineOf(e.path)
      const key = e.key ?? keyPathString(e.path)
      return configIssue({ file, line, key, expected: e.expected, got: e.got, ...(e.message === undefined ? {} : { message: `${where(line)}: ${e.message}` }) })
    })
    throw new ConfigError(issues, { warnings })
  }
  return { file, format, config, warnings }
}

/** Format by extension. */
export function formatOf(file: string): ConfigFormat | undefined {
  const ext = file.slice(file.lastIndexOf(".") + 1).toLowerCase()
  if (ext === "yaml" || ext === "yml") return "yaml"
  if (ext === "toml") return "toml"
  if (ext === "json" || ext === "jsonc") return "json"
  return undefined
}

function parseText(text: string, file: string, format: ConfigFormat): unknown {
  // confbox's YAML parser refuses empty input; an empty file is an empty config.
  if (format === "yaml" && text.split("\n").every((l) => l.trim() === "" || l.trim().startsWith("#") || l.trim() === "---")) return {}
  let data: unknown
  try {
    data = format === "yaml" ? parseYAML(text) : format === "toml" ? parseTOML(text) : parseJSONC(text, { allowTrailingComma: true })
  } catch (cause) {
    const line = syntaxLine(cause, text)
    const reason = (cause instanceof Error ? ((cause as { reason?: string }).reason ?? cause.message) : String(cause)).split("\n")[0]
    throw new ConfigError(
      [
        configIssue({
          code: "CONFIG_SYNTAX",
          file,
          line,
          expected: `valid ${format.toUpperCase()}`,
          message: `${line === undefined ? file : `${file}:${line}`}: invalid ${format.toUpperCase()}: ${reason}`,
        }),
      ],
      { cause },
    )
  }
  // JSON keeps the last of two equal keys silently; YAML and TOML refuse them, so JSON does too
  const dups = format === "json" ? findJsonDuplicates(text) : []
  if (dups.length > 0) {
    throw new ConfigError(
      dups.map((d) => {
        const key = keyPathString(d.path)
        return configIssue({ code: "CONFIG_SYNTAX", file, line: d.line, key, expected: "each key once", message: `${file}:${d.line}: ${key} is given twice (first on line ${d.firstLine}); the second would silently win` })
      }),
    )
  }
  return data
}

/** Line of a parser's syntax error: js-yaml `mark.line` (0-based), TOML `line`, JSON `position N`. */
function syntaxLine(cause: unknown, text: string): number | undefined {
  if (typeof cause !== "object" || cause === null) return undefined
  const c = cause as { mark?: { line?: number }; line?: unknown; message?: unknown }
  if (typeof c.mark?.line === "number") return c.mark.line + 1
  if (typeof c.line === "number") return c.line
  const lineCol = typeof c.message === "string" ? /\(line (\d+) column \d+\)/.exec(c.message) : null
  if (lineCol) return Number(lineCol[1])
  const pos = typeof c.message === "string" ? /position (\d+)/.exec(c.message) : null
  if (pos) return text.slice(0, Number(pos[1])).split("\n").length
  return undefined
}

/** Per-parse wording for zod's own issues, as phrases that follow "expects". */
function phrase(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "object" ? "a mapping" : issue.expected === "array" ? "a list" : `a ${issue.expected}`
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`
    case "unrecognized_keys":
      return "only known keys"
    case "too_small":
      return issue.origin === "array" ? `at least ${String(issue.minimum)} entries` : issue.origin === "string" ? "a non-empty string" : `at least ${String(issue.minimum)}`
    case "invalid_union":
      return "one of the allowed forms"
    case "too_big":
      return `at most ${String(issue.maximum)}`
    default:
      return undefined
  }
}

function toIssue(issue: z.core.$ZodIssue, text: string, file: string, format: ConfigFormat): ConfigIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol")
  const at = (line: number | undefined): string => (line === undefined ? file : `${file}:${line}`)
  if (issue.code === "unrecognized_keys") {
    const keyPath = [...path, issue.keys[0] ?? ""]
    const line = findKeyLine(text, keyPath, format)
    const key = keyPathString(keyPath)
    return configIssue({ file, line, key, expected: "a known key", message: `${at(line)}: ${key} is not a known key (check the spelling)` })
  }
  const expected = issue.message
  const key = keyPathString(path) || "the file"
  const line = findKeyLine(text, path, format)
  if (issue.input === undefined) {
    return configIssue({ file, line, key, expected, message: `${at(line)}: ${key} is missing; it expects ${expected}` })
  }
  // never echo a value that may be a secret
  const secret = path.some((p) => typeof p === "string" && /pass|secret|token|key$/i.test(p))
  return configIssue({ file, line, key, expected, got: secret ? undefined : issue.input })
}

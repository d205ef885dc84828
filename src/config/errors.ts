/**
 * Config errors. One loader run collects every problem it can find (so `nutctl config check`
 * shows them all at once) and throws one ConfigError that carries them; the error's own fields
 * are those of the first problem.
 */
import type { ConfigWarning } from "./types.ts"

/** Stable codes callers match on (never on the message). */
export const CONFIG_ERROR_CODES = [
  /** A required file does not exist. */
  "CONFIG_NOT_FOUND",
  /** A file exists but cannot be read (permissions, a directory, …). */
  "CONFIG_UNREADABLE",
  /** The text does not parse (parseconf quoting, YAML/TOML/JSON syntax). */
  "CONFIG_SYNTAX",
  /** A key has a value of the wrong shape, or a required key is missing. */
  "CONFIG_INVALID",
  /** A `{ env }` / `{ file }` secret cannot be resolved. */
  "CONFIG_SECRET",
] as const

export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number]

/** One problem in one file. */
export interface ConfigIssue {
  readonly code: ConfigErrorCode
  /** The file as the caller named it. */
  readonly file: string
  /** 1-based line, when known. */
  readonly line?: number
  /** The directive or key path (`MAXAGE`, `roles[1].hosts`). */
  readonly key?: string
  /** What was expected, as a phrase that follows "expects" (`a number of seconds`). */
  readonly expected: string
  /** What was found instead, as shown (`"soon"`, `42`, `a list`); never set for secrets. */
  readonly got?: string
  /** The whole human sentence, `upsd.conf:3: MAXAGE expects a number of seconds, got "soon"`. */
  readonly message: string
}

/** What describes an issue before its message is built. */
export interface IssueInit {
  readonly code?: ConfigErrorCode
  readonly file: string
  readonly line?: number | undefined
  readonly key?: string | undefined
  readonly expected: string
  /** The offending value; undefined shows nothing. */
  readonly got?: unknown
  /** A complete message to use instead of the "KEY expects …, got …" sentence. */
  readonly message?: string
}

/** Build an issue with its standard message. */
export function configIssue(init: IssueInit): ConfigIssue {
  const where = init.line === undefined ? init.file : `${init.file}:${init.line}`
  const got = init.got === undefined ? undefined : describeValue(init.got)
  let message = init.message
  if (message === undefined) {
    const subject = init.key === undefined ? "" : `${init.key} `
    message = `${where}: ${subject}expects ${init.expected}`
    if (got !== undefined) message += `, got ${got}`
  }
  return {
    code: init.code ?? "CONFIG_INVALID",
    file: init.file,
    ...(init.line === undefined ? {} : { line: init.line }),
    ...(init.key === undefined ? {} : { key: init.key }),
    expected: init.expected,
    ...(got === undefined ? {} : { got }),
    message,
  }
}

/** How a value is shown in a message: strings quoted, scalars as written, collections by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value)
  if (value === null || typeof value === "number" || typeof value === "boolean") return String(value)
  if (Array.isArray(value)) return "a list"
  if (typeof value === "object") return "a mapping"
  return typeof value
}

/** A config file (or several) that cannot be used. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode
  readonly file: string
  readonly line: number | undefined
  readonly key: string | undefined
  readonly expected: string
  /** Every problem found, the first one being this error's own fields. */
  readonly issues: readonly ConfigIssue[]
  /**
   * Warnings found on the way: show them too, since they often explain an error (sections
   * skipped with a warning leave ups.conf without any UPS).
   */
  readonly warnings: readonly ConfigWarning[]

  constructor(issues: readonly ConfigIssue[], options?: ErrorOptions & { readonly warnings?: readonly ConfigWarning[] }) {
    const first = issues[0]
    if (first === undefined) throw new TypeError("ConfigError needs at least one issue")
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""
    super(first.message + more, options)
    this.name = "ConfigError"
    this.code = first.code
    this.file = first.file
    this.line = first.line
    this.key = first.key
    this.expected = first.expected
    this.issues = issues
    this.warnings = options?.warnings ?? []
  }
}

/** Throw a ConfigError when any issue was collected. */
export function throwIfIssues(issues: readonly ConfigIssue[]): void {
  if (issues.length > 0) throw new ConfigError(issues)
}

/** Why a read failed, in plain words (`no such file`, `permission denied`, …), and whether it is "not found". */
export function readFailure(cause: unknown): { readonly reason: string; readonly notFound: boolean } {
  const code = errnoCode(cause)
  const notFound = code === "ENOENT" || code === "ENOTDIR" || code === "NotFound"
  const reason = notFound
    ? "no such file"
    : code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : code === "EISDIR"
        ? "is a directory"
        : cause instanceof Error
          ? cause.message
          : String(cause)
  return { reason, notFound }
}

/** Turn a failed read into a ConfigIssue worded `Cannot read FILE: reason`. */
export function readIssue(file: string, cause: unknown): ConfigIssue {
  const { reason, notFound } = readFailure(cause)
  return configIssue({
    code: notFound ? "CONFIG_NOT_FOUND" : "CONFIG_UNREADABLE",
    file,
    expected: "a readable file",
    message: `Cannot read ${file}: ${reason}`,
  })
}

/** The `code` of a Node/Deno/Bun system error, if any. */
export function errnoCode(cause: unknown): string | undefined {
  if (typeof cause === "object" && cause !== null && "code" in cause) {
    const code = (cause as { code: unknown }).code
    if (typeof code === "string") return code
  }
  if (cause instanceof Error && cause.name === "NotFound") return "NotFound"
  return undefined
}

/** What to tell the user about `e`: every problem of a ConfigError (each names file, line or key), else its message. */
export function problemMessages(e: unknown): string[] {
  return e instanceof ConfigError ? e.issues.map((i) => i.message) : [(e as Error).message]
}

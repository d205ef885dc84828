/**
 * upsd.users (research/nut-reference.md §2.2): one `[name]` section per user with `password`,
 * repeatable multi-value `actions` / `instcmds`, and `upsmon primary|secondary` (also written
 * `upsmon = …`, or with the old names master/slave). Setting names are case-insensitive.
 */
import type { UserRecord } from "../server/index.ts"
import { unknownActionProblem } from "./actions.ts"
import { configIssue, throwIfIssues, type ConfigIssue } from "./errors.ts"
import { badSectionHeader, readNutLines, sectionName } from "./nut-lines.ts"
import type { ConfigWarning } from "./types.ts"
import { createUserRecord, upsmonRole } from "./user-record.ts"

/** Users of upsd.users, in file order. */
export interface UpsdUsers {
  readonly users: readonly UserRecord[]
  readonly warnings: readonly ConfigWarning[]
}

interface Draft {
  name: string
  line: number
  password: string | undefined
  actions: string[]
  instcmds: string[]
  upsmon: "primary" | "secondary" | undefined
}

/**
 * Parse upsd.users text. Problems upsd only logs stay warnings here; only syntax errors and
 * broken `[user` headers throw (upsd would give the lines after one to the previous user).
 * @param file name shown in messages
 * @throws ConfigError on parseconf syntax errors and broken section headers
 */
export function parseUpsdUsers(text: string, file = "upsd.users"): UpsdUsers {
  const issues: ConfigIssue[] = []
  const warnings: ConfigWarning[] = []
  const drafts: Draft[] = []
  // undefined before the first section, and inside a duplicate section
  let current: Draft | undefined
  let inDuplicate = false

  const warn = (line: number, message: string, key?: string): void => {
    warnings.push({ file, line, ...(key === undefined ? {} : { key }), message: `${file}:${line}: ${message}` })
  }

  const apply = (line: number, key: string, value: string): void => {
    if (current === undefined) return
    switch (key.toLowerCase()) {
      case "password":
        if (current.password !== undefined) warn(line, `ignoring duplicate password for ${current.name}`, "password")
        else {
          current.password = value
          // upsd compares the password as is, so "" lets anyone who knows the name log in
          if (value === "") warn(line, `user ${current.name} has an empty password: anyone who knows the name can log in`, "password")
        }
        return
      case "actions": {
        const unknown = unknownActionProblem(value)
        if (unknown !== undefined) warn(line, unknown, "actions")
        current.actions.push(value)
        return
      }
      case "instcmds":
        current.instcmds.push(value)
        return
      case "upsmon": {
        const role = upsmonRole(value)
        if (role === undefined) warn(line, `unknown upsmon type ${value} (expected primary or secondary)`, "upsmon")
        // Several upsmon lines add up, as each one adds its actions in upsd.
        else if (current.upsmon !== "primary") current.upsmon = role
        return
      }
      case "allowfrom":
        warn(line, "allowfrom in upsd.users is no longer used", "allowfrom")
        return
      default:
        warn(line, `unrecognized user setting ${key}`, key)
    }
  }

  for (const { line, words } of readNutLines(text, file, issues)) {
    const first = words[0] ?? ""
    const broken = badSectionHeader(words, file, line)
    if (broken !== undefined) {
      issues.push(configIssue({ code: "CONFIG_SYNTAX", file, line, expected: "a section header like [name]", message: broken }))
      // its lines belong to nobody, not to the previous user
      current = undefined
      inDuplicate = true
      continue
    }
    const name = sectionName(first)
    if (name !== undefined) {
      // upsd: "Ignoring duplicate user x". It then keeps adding the duplicate's settings to the
      // previous user, which is a bug; we drop them instead.
      inDuplicate = drafts.some((d) => d.name === name)
      if (inDuplicate) {
        warn(line, `ignoring duplicate user ${name} (first defined on line ${drafts.find((d) => d.name === name)?.line})`)
        current = undefined
      } else {
        current = { name, line, password: undefined, actions: [], instcmds: [], upsmon: undefined }
        drafts.push(current)
      }
      continue
    }
    if (current === undefined) {
      if (!inDuplicate) warn(line, `ignoring ${first} outside a [user] section`, first)
      continue
    }
    if (first.toLowerCase() === "user") {
      warn(line, "ignoring a line of the pre-2.0 upsd.users format")
      continue
    }
    if (words[1] === "=" && words.length >= 3) {
      for (const value of words.slice(2)) apply(line, first, value)
    } else if (first.toLowerCase() === "upsmon" && words.length >= 2) {
      apply(line, first, words[1] as string)
    } else {
      warn(line, `ignoring "${words.join(" ")}" (expected key = value, or upsmon primary|secondary)`, first)
    }
  }
  throwIfIssues(issues)

  const users = drafts.map((d) => {
    if (d.password === undefined) warn(d.line, `user ${d.name} has no password and can never log in`, "password")
    return createUserRecord(d)
  })
  return { users, warnings }
}

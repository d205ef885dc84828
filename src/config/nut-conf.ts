/**
 * nut.conf: a shell-style file (`MODE=netserver`) read by NUT's init scripts. It tells which
 * daemons run on this host; parseconf reads `KEY=value` the same way.
 */
import { throwIfIssues, type ConfigIssue } from "./errors.ts"
import { readNutLines } from "./nut-lines.ts"
import type { ConfigWarning } from "./types.ts"

/** MODE values of nut.conf. */
export const NUT_MODES = ["none", "standalone", "netserver", "netclient", "controlled", "manual"] as const
export type NutMode = (typeof NUT_MODES)[number]

export interface NutConf {
  /** MODE, lower-cased; undefined when missing or unknown. */
  readonly mode: NutMode | undefined
  /** Every assignment (UPSD_OPTIONS, POWEROFF_WAIT, …), as written. */
  readonly vars: Readonly<Record<string, string>>
  readonly warnings: readonly ConfigWarning[]
}

/**
 * Parse nut.conf text.
 * @throws ConfigError on quoting errors
 */
export function parseNutConf(text: string, file = "nut.conf"): NutConf {
  const issues: ConfigIssue[] = []
  const warnings: ConfigWarning[] = []
  const vars: Record<string, string> = {}
  for (const { line, words } of readNutLines(text, file, issues)) {
    const [key = "", eq, value = ""] = words
    if (eq !== "=") {
      warnings.push({ file, line, key, message: `${file}:${line}: ignoring "${words.join(" ")}" (expected KEY=value)` })
      continue
    }
    vars[key] = value
  }
  throwIfIssues(issues)
  let mode: NutMode | undefined
  const raw = vars["MODE"]
  if (raw !== undefined) {
    const m = raw.toLowerCase()
    if ((NUT_MODES as readonly string[]).includes(m)) mode = m as NutMode
    else warnings.push({ file, key: "MODE", message: `${file}: unknown MODE ${raw} (expected one of ${NUT_MODES.join(", ")})` })
  }
  return { mode, vars, warnings }
}

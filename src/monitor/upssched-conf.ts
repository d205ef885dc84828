/**
 * upssched.conf (research/nut-reference.md §3.8, clients/upssched.c): CMDSCRIPT and AT lines.
 * nutctl runs the timers itself, so PIPEFN and LOCKFN (the daemon's socket and lock) are accepted
 * and ignored, and no longer have to precede the AT lines as upssched demands.
 */
import { tokenizeConfig } from "../protocol/index.ts"
import { MonitorConfigError, type MonitorConfigProblem } from "./errors.ts"
import { notifyTypeOf } from "./notify-types.ts"

/** What an AT line does when it matches. */
export type UpsschedAction =
  /** Add a timer; same-named timers are not merged (upssched keeps both). */
  | { readonly kind: "start-timer"; readonly name: string; readonly seconds: number }
  /** Remove the first running timer of that name; if none runs, run `command` (when given). */
  | { readonly kind: "cancel-timer"; readonly name: string; readonly command?: string }
  /** Run CMDSCRIPT with this argument now. */
  | { readonly kind: "execute"; readonly command: string }

/** One AT line. */
export interface UpsschedRule {
  readonly line: number
  /** As written; matched against NOTIFYTYPE case-insensitively. */
  readonly notifyType: string
  /** `*`, or the UPS exactly as upsmon's MONITOR line writes it (compared case-sensitively). */
  readonly upsName: string
  /** CMDSCRIPT in effect at this line (upssched reads the file top to bottom). */
  readonly cmdScript: string
  readonly action: UpsschedAction
}

/** A parsed upssched.conf. */
export interface UpsschedConf {
  readonly cmdScript?: string
  readonly pipeFn?: string
  readonly lockFn?: string
  readonly rules: readonly UpsschedRule[]
  /** Lines upssched would ignore (with a log message), kept for `nutctl config check`. */
  readonly warnings: readonly { readonly line: number; readonly message: string }[]
}

const COMMANDS = new Set(["START-TIMER", "CANCEL-TIMER", "EXECUTE"])

/**
 * Parse upssched.conf text.
 * @param file name shown in messages
 * @throws MonitorConfigError for syntax errors, an AT line before CMDSCRIPT, or START-TIMER
 *   without a time (upssched stops on those)
 */
export function parseUpsschedConf(text: string, file = "upssched.conf"): UpsschedConf {
  const problems: MonitorConfigProblem[] = []
  const warnings: { line: number; message: string }[] = []
  const rules: UpsschedRule[] = []
  let cmdScript: string | undefined
  let pipeFn: string | undefined
  let lockFn: string | undefined
  const { lines, errors } = tokenizeConfig(text)
  for (const e of errors) problems.push({ code: "UPSSCHED_SYNTAX", file, line: e.line, message: `${file}:${e.line}: ${e.message}` })

  for (const { line, words } of lines) {
    const [key = "", arg1] = words
    const warn = (message: string): void => {
      warnings.push({ line, message: `${file}:${line}: ${message}` })
    }
    const fail = (message: string): void => {
      problems.push({ code: "UPSSCHED_INVALID", file, line, message: `${file}:${line}: ${message}` })
    }
    // Keywords are case-sensitive (strcmp), and every directive needs at least one argument.
    if ((key === "CMDSCRIPT" || key === "PIPEFN" || key === "LOCKFN") && arg1 !== undefined) {
      if (key === "CMDSCRIPT") cmdScript = arg1
      else if (key === "PIPEFN") pipeFn = arg1
      else lockFn = arg1
      continue
    }
    if (key !== "AT" || words.length < 5) {
      warn(`invalid directive ${words.join(" ")}`)
      continue
    }
    const [, type = "", upsName = "", command = "", name = "", extra] = words
    if (cmdScript === undefined) {
      fail("CMDSCRIPT must be set before any AT line")
      continue
    }
    if (notifyTypeOf(type) === undefined) warn(`AT ${type}: not a notify type nutctl raises, the line never matches`)
    if (!COMMANDS.has(command)) {
      warn(`invalid command ${command} (expected START-TIMER, CANCEL-TIMER or EXECUTE)`)
      continue
    }
    const base = { line, notifyType: type, upsName, cmdScript }
    if (command === "EXECUTE") {
      if (name === "") warn("empty EXECUTE command argument, the line does nothing")
      else rules.push({ ...base, action: { kind: "execute", command: name } })
    } else if (command === "CANCEL-TIMER") {
      rules.push({ ...base, action: { kind: "cancel-timer", name, ...(extra === undefined || extra === "" ? {} : { command: extra }) } })
    } else {
      const seconds = timerSeconds(extra)
      if (seconds === undefined) fail(`START-TIMER ${name} needs a number of seconds`)
      else if (seconds < 0) warn(`START-TIMER ${name}: bogus offset ${extra}, ignored`)
      else {
        if (!/^\d+$/.test(extra ?? "")) warn(`START-TIMER ${name}: "${extra}" read as ${seconds} seconds`)
        rules.push({ ...base, action: { kind: "start-timer", name, seconds } })
      }
    }
  }
  const [first, ...rest] = problems
  if (first !== undefined) throw new MonitorConfigError([first, ...rest])
  return { ...(cmdScript === undefined ? {} : { cmdScript }), ...(pipeFn === undefined ? {} : { pipeFn }), ...(lockFn === undefined ? {} : { lockFn }), rules, warnings }
}

/** upssched reads the offset with strtol: leading digits count, anything else is 0. */
function timerSeconds(word: string | undefined): number | undefined {
  if (word === undefined) return undefined
  const m = /^\s*([+-]?\d+)/.exec(word)
  return m ? Number(m[1]) : 0
}

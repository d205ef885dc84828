/** Typed errors of the monitor folder. */

/** Stable codes callers match on. */
export const MONITOR_ERROR_CODES = [
  /** upssched.conf does not tokenize (parseconf quoting). */
  "UPSSCHED_SYNTAX",
  /** upssched.conf has a line upssched itself would refuse to run with. */
  "UPSSCHED_INVALID",
] as const

export type MonitorErrorCode = (typeof MONITOR_ERROR_CODES)[number]

/** One problem in a monitor config file. */
export interface MonitorConfigProblem {
  readonly code: MonitorErrorCode
  readonly file: string
  readonly line: number
  /** `upssched.conf:4: AT needs CMDSCRIPT before it` */
  readonly message: string
}

/** All problems of one file; the error's own fields are those of the first. */
export class MonitorConfigError extends Error {
  readonly code: MonitorErrorCode
  readonly file: string
  readonly line: number
  readonly problems: readonly MonitorConfigProblem[]

  constructor(problems: readonly [MonitorConfigProblem, ...MonitorConfigProblem[]]) {
    const first = problems[0]
    super(problems.length === 1 ? `Cannot read ${first.file}: ${first.message}` : `Cannot read ${first.file}: ${problems.length} problems, first: ${first.message}`)
    this.name = "MonitorConfigError"
    this.code = first.code
    this.file = first.file
    this.line = first.line
    this.problems = problems
  }
}

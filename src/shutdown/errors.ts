/** Typed errors of the executor API; callers match on `code`. */

/** Stable codes. */
export const SHUTDOWN_ERROR_CODES = [
  /** `defineExecutor` got a definition it cannot use (bad name, no schema, no plan). */
  "EXECUTOR_INVALID",
  /** An executor's config section does not pass its schema. */
  "EXECUTOR_CONFIG_INVALID",
  /** A plan's steps are malformed (duplicate id, no timeout). */
  "PLAN_INVALID",
  /** A step ran past its timeout. */
  "STEP_TIMEOUT",
  /** A step rejected. */
  "STEP_FAILED",
  /** Power returned (or the shutdown was called off) before the point of no return. */
  "PLAN_ABORTED",
  /** An executor named in the config is not built in and its module cannot be loaded. */
  "EXECUTOR_UNKNOWN",
] as const

export type ShutdownErrorCode = (typeof SHUTDOWN_ERROR_CODES)[number]

/** A definition or plan that breaks the executor contract (a plugin bug). */
export class ExecutorDefinitionError extends Error {
  readonly code: "EXECUTOR_INVALID" | "PLAN_INVALID"
  /** The executor, as far as it has a name. */
  readonly executor: string
  constructor(code: "EXECUTOR_INVALID" | "PLAN_INVALID", executor: string, detail: string) {
    super(`${code === "PLAN_INVALID" ? "Invalid plan from" : "Cannot define"} executor ${executor}: ${detail}`)
    this.name = "ExecutorDefinitionError"
    this.code = code
    this.executor = executor
  }
}

/** One config problem: the key path (`timeout`, `hosts[2]`) and what is wrong there. */
export interface ExecutorConfigIssue {
  readonly key: string
  readonly message: string
}

/** An executor's config section failed its schema. */
export class ExecutorConfigError extends Error {
  readonly code = "EXECUTOR_CONFIG_INVALID"
  readonly executor: string
  /** Where the section came from (`nutctl.yaml executors.command`, `upsmon.conf SHUTDOWNCMD`). */
  readonly source: string
  readonly issues: readonly ExecutorConfigIssue[]
  constructor(executor: string, source: string, issues: readonly ExecutorConfigIssue[]) {
    const detail = issues.map((i) => (i.key === "" ? i.message : `${i.key}: ${i.message}`)).join("; ")
    super(`Cannot configure executor ${executor} from ${source}: ${detail}`)
    this.name = "ExecutorConfigError"
    this.executor = executor
    this.source = source
    this.issues = issues
  }
}

/** A step ran out of time; its signal was aborted. */
export class ExecutorTimeoutError extends Error {
  readonly code = "STEP_TIMEOUT"
  readonly executor: string
  readonly step: string
  readonly timeoutMs: number
  constructor(executor: string, step: string, timeoutMs: number) {
    super(`Step ${executor}/${step} did not finish within ${timeoutMs} ms`)
    this.name = "ExecutorTimeoutError"
    this.executor = executor
    this.step = step
    this.timeoutMs = timeoutMs
  }
}

/** A step failed; `cause` is what it threw. */
export class StepFailedError extends Error {
  readonly code = "STEP_FAILED"
  readonly executor: string
  readonly step: string
  constructor(executor: string, step: string, options: ErrorOptions) {
    const cause = options.cause
    super(`Step ${executor}/${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`, options)
    this.name = "StepFailedError"
    this.executor = executor
    this.step = step
  }
}

/** The reason a step's signal carries when power returned before the point of no return. */
export class PlanAbortedError extends Error {
  readonly code = "PLAN_ABORTED"
  /** Why (`power returned`), as the caller said. */
  readonly reason: string
  constructor(reason: string) {
    super(`Shutdown called off: ${reason}`)
    this.name = "PlanAbortedError"
    this.reason = reason
  }
}

/** An executor that is neither built in nor loadable from its `module`. */
export class ExecutorLoadError extends Error {
  readonly code = "EXECUTOR_UNKNOWN"
  readonly executor: string
  constructor(executor: string, detail: string, options?: ErrorOptions) {
    super(`Cannot load executor ${executor}: ${detail}`, options)
    this.name = "ExecutorLoadError"
    this.executor = executor
  }
}

/**
 * The executor API (DESIGN.md §5): what shutdown plugins implement and import. Plugins import only
 * this file.
 */
/** The executor contract: definition, context, steps, Standard Schema config. */
export type { Clock, Executor, ExecutorContext, ExecutorLog, SchemaOutput, StandardIssue, StandardResult, StandardSchemaV1, Step } from "./types.ts"
/** Define a plugin, validate its config section, ask for its checked plan. */
export { configureExecutor, defineExecutor, planExecutor, type SchemaOutputOf } from "./define-executor.ts"
/** Run one executor's steps in order under their timeouts (until issue 5's plan runner). */
export { runSteps, type RunStepsOptions, type StepOutcome } from "./run-steps.ts"
/** Typed errors with stable codes. */
export {
  SHUTDOWN_ERROR_CODES,
  ExecutorConfigError,
  ExecutorDefinitionError,
  ExecutorTimeoutError,
  StepFailedError,
  type ExecutorConfigIssue,
  type ShutdownErrorCode,
} from "./errors.ts"

/**
 * Shutdown plans (README "Shutdown plans and executor plugins"): the executor API plugins implement (they import only this file),
 * plans built from a host's executors, the runner with its journal, learned durations and the
 * runtime budget.
 */
/** The executor contract: definition, context, steps, Standard Schema config. */
export type {
  Clock,
  Executor,
  ExecutorContext,
  ExecutorLog,
  ExecutorState,
  PowerControl,
  ProbeContext,
  ProbeResult,
  ProgramLookup,
  SchemaOutput,
  StandardIssue,
  StandardResult,
  StandardSchemaV1,
  Step,
  StepFallback,
  StepResult,
} from "./types.ts"
/** JSON values (what executor state keeps). */
export type { JsonValue } from "../store/index.ts"
/** Define a plugin, validate its config section, ask for its checked plan / restore steps, probe it. */
export { configureExecutor, defineExecutor, planExecutor, planRestore, probeExecutor, type SchemaOutputOf } from "./define-executor.ts"
/** Find a plugin by name (built in) or module path (a user's own). */
export { isExecutor, loadExecutor, type ExecutorCatalog, type LoadExecutorOptions } from "./loader.ts"
/** A host's plan: executors' steps, phases (parallel groups), the point of no return. */
export {
  buildPlan,
  durationKeyOf,
  executorLog,
  executorState,
  planPhases,
  planSteps,
  pointOfNoReturn,
  type BuildPlanOptions,
  type ConfiguredExecutor,
  type HostPlan,
  type Phase,
  type PlanPart,
  type PlannedStep,
  type ShutdownLog,
} from "./plan.ts"
/** Run a plan: deadlines, fallbacks, journal/resume, abort on power return, progress, learning. */
export { runPlan, type PlanResult, type RunPlanOptions, type StepReport } from "./runner.ts"
/** Restore what a shutdown changed (after an abort, or at the next start). */
export { restoreAfterPowerReturn, runRestoreSteps, type RestoreAfterPowerReturnOptions, type RestoreOutcome } from "./restore.ts"
/** The journal a run keeps in the store. */
export { readJournal, type JournalRecord, type JournalState, type JournalStep } from "./journal.ts"
/** Progress events and their terminal / logfmt writers. */
export { createProgressWriter, formatDuration, type ProgressEvent, type ProgressSink, type ProgressWriterOptions } from "./progress.ts"
/** Learned step durations. */
export { learnedMs, listDurations, loadDurations, recordDuration, type DurationRecord, type DurationSample } from "./durations.ts"
/** The runtime budget behind `shutdown.when.runtimeBelow: auto`. */
export {
  DEFAULT_MARGIN,
  createRuntimeBudget,
  planNeedMs,
  planTimeline,
  runtimeCovers,
  type EstimateSource,
  type PlanTimeline,
  type RuntimeBudget,
  type RuntimeBudgetOptions,
  type RuntimeCheck,
  type SafetyMargin,
  type TimelineEntry,
} from "./budget.ts"
/** The latest budget a monitor computed, kept in the store for `nutctl check`. */
export { readStoredBudget, saveBudget, storedBudget, type StoredBudget } from "./budget-store.ts"
/** The last `nutctl drill` of a host, for `nutctl serve`'s HTTP views. */
export { readDrillRecord, saveDrillRecord, type DrillRecord } from "./drill-store.ts"
/** Run one executor's steps in order under their timeouts (the monitor's SHUTDOWNCMD hand-off). */
export { runSteps, type RunStepsOptions, type StepOutcome } from "./run-steps.ts"
/** Typed errors with stable codes. */
export {
  SHUTDOWN_ERROR_CODES,
  ExecutorConfigError,
  ExecutorDefinitionError,
  ExecutorLoadError,
  ExecutorTimeoutError,
  PlanAbortedError,
  StepFailedError,
  type ExecutorConfigIssue,
  type ShutdownErrorCode,
} from "./errors.ts"
/** The cluster in expected time (drill timeline, the primary's budget). */
export { clusterTimeline, type ClusterEvent, type ClusterHost, type ClusterHostTimeline, type ClusterTimeline, type ClusterTimelineOptions } from "./cluster.ts"
/** The monitor's hand-off: plan and run this host's executors (structurally a monitor ShutdownHandler). */
export { planShutdownHandler, type PlanShutdownHandlerOptions } from "./handler.ts"

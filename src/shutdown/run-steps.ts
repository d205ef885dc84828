/**
 * Run one executor's steps in order, each under its own timeout. This is the smallest runner the
 * monitor needs for NUT's SHUTDOWNCMD plan; issue 5's plan runner (budgets, journal, abort on
 * power return, progress) supersedes it.
 */
import { ExecutorTimeoutError, StepFailedError } from "./errors.ts"
import type { Clock, Step } from "./types.ts"

/** How one step ended. */
export interface StepOutcome {
  readonly id: string
  readonly ok: boolean
  /** ms since the epoch */
  readonly startedAt: number
  readonly endedAt: number
  readonly error?: ExecutorTimeoutError | StepFailedError
}

export interface RunStepsOptions {
  readonly clock: Clock
  /** Aborting stops the step in progress and skips the rest. */
  readonly signal?: AbortSignal
  /** Go on with the next step after a failure (a shutdown should do as much as it can). @default true */
  readonly continueOnError?: boolean
  /** Called as soon as a step's `run` has been called (a command step has spawned its process by then). */
  readonly onStepStarted?: (stepId: string) => void
}

/** Run `steps` of `executor` one after the other; never rejects, the outcomes say what failed. */
export async function runSteps(executor: string, steps: readonly Step[], options: RunStepsOptions): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = []
  for (const step of steps) {
    if (options.signal?.aborted) break
    const startedAt = options.clock.now()
    const error = await runStep(executor, step, options)
    outcomes.push({ id: step.id, ok: error === undefined, startedAt, endedAt: options.clock.now(), ...(error === undefined ? {} : { error }) })
    if (error !== undefined && options.continueOnError === false) break
  }
  return outcomes
}

async function runStep(executor: string, step: Step, options: RunStepsOptions): Promise<ExecutorTimeoutError | StepFailedError | undefined> {
  const abort = new AbortController()
  const onOuterAbort = (): void => abort.abort(options.signal?.reason)
  options.signal?.addEventListener("abort", onOuterAbort, { once: true })
  const timer = new AbortController()
  // cancelled once the step is done: that rejection only ends the sleep
  const timedOut = options.clock.sleep(step.timeoutMs, timer.signal).then(
    () => "timeout" as const,
    () => new Promise<never>(() => {}),
  )
  try {
    const ran = step.run(abort.signal).then(
      () => ({ ok: true as const }),
      (cause: unknown) => ({ ok: false as const, cause }),
    )
    options.onStepStarted?.(step.id)
    const first = await Promise.race([ran, timedOut])
    if (first === "timeout") {
      abort.abort(new ExecutorTimeoutError(executor, step.id, step.timeoutMs))
      return new ExecutorTimeoutError(executor, step.id, step.timeoutMs)
    }
    return first.ok ? undefined : new StepFailedError(executor, step.id, { cause: first.cause })
  } finally {
    timer.abort()
    options.signal?.removeEventListener("abort", onOuterAbort)
  }
}

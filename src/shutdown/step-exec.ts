/**
 * One step under its deadline: `run` races its timeout (on the injected clock) and the plan's
 * abort; a failure or timeout hands over to the step's fallback under the fallback's own timeout.
 * Never rejects: the outcome says what happened.
 */
import { ExecutorTimeoutError, PlanAbortedError, StepFailedError } from "./errors.ts"
import type { PlannedStep } from "./plan.ts"
import type { Clock, StepResult } from "./types.ts"

/** How a step (with its fallback) ended. */
export interface StepExecution {
  readonly state: "done" | "failed" | "aborted"
  /** Set when the fallback did the work (or failed too). */
  readonly via?: "fallback"
  readonly startedAt: number
  readonly endedAt: number
  readonly result?: StepResult
  /** The step's own failure when a fallback ran; the final failure otherwise. */
  readonly error?: ExecutorTimeoutError | StepFailedError | PlanAbortedError
  readonly fallbackError?: ExecutorTimeoutError | StepFailedError
}

export interface ExecuteStepOptions {
  readonly clock: Clock
  /** The plan's abort (power returned before the point of no return). */
  readonly abort: AbortSignal
  /** Called before the fallback starts (progress, log). */
  onFallback?(reason: ExecutorTimeoutError | StepFailedError): void
}

/** Run a planned step and, when it fails, its fallback. */
export async function executeStep(planned: PlannedStep, options: ExecuteStepOptions): Promise<StepExecution> {
  const { clock } = options
  const startedAt = clock.now()
  const { step, executor } = planned
  const first = await attempt(executor, step.id, step.timeoutMs, step.run, options)
  if (first.kind === "ok") return { state: "done", startedAt, endedAt: clock.now(), ...(first.result === undefined ? {} : { result: first.result }) }
  if (first.kind === "aborted") return { state: "aborted", startedAt, endedAt: clock.now(), error: first.error }
  const fallback = typeof step.fallback === "object" ? step.fallback : undefined
  if (fallback === undefined) return { state: "failed", startedAt, endedAt: clock.now(), error: first.error }
  options.onFallback?.(first.error)
  const second = await attempt(executor, `${step.id} (fallback)`, fallback.timeoutMs, fallback.run, options)
  const endedAt = clock.now()
  if (second.kind === "ok") return { state: "done", via: "fallback", startedAt, endedAt, error: first.error, ...(second.result === undefined ? {} : { result: second.result }) }
  if (second.kind === "aborted") return { state: "aborted", via: "fallback", startedAt, endedAt, error: second.error }
  return { state: "failed", via: "fallback", startedAt, endedAt, error: first.error, fallbackError: second.error }
}

type Attempt =
  | { readonly kind: "ok"; readonly result: StepResult | undefined }
  | { readonly kind: "failed"; readonly error: ExecutorTimeoutError | StepFailedError }
  | { readonly kind: "aborted"; readonly error: PlanAbortedError }

async function attempt(executor: string, id: string, timeoutMs: number, run: (signal: AbortSignal) => Promise<void | StepResult>, options: ExecuteStepOptions): Promise<Attempt> {
  const { clock, abort } = options
  if (abort.aborted) return { kind: "aborted", error: abortError(abort) }
  const own = new AbortController()
  const done = new AbortController()
  const onAbort = (): void => own.abort(abort.reason)
  abort.addEventListener("abort", onAbort, { once: true })
  // a rejected sleep only means the attempt ended first
  const timedOut = clock.sleep(timeoutMs, done.signal).then(
    () => ({ kind: "timeout" as const }),
    () => new Promise<never>(() => {}),
  )
  const aborted = new Promise<{ kind: "abort" }>((resolve) => {
    if (abort.aborted) resolve({ kind: "abort" })
    abort.addEventListener("abort", () => resolve({ kind: "abort" }), { once: true, signal: done.signal })
  })
  try {
    let ran: Promise<{ kind: "ok"; result: StepResult | undefined } | { kind: "error"; cause: unknown }>
    try {
      ran = run(own.signal).then(
        (result) => ({ kind: "ok" as const, result: result === undefined || result === null ? undefined : result }),
        (cause: unknown) => ({ kind: "error" as const, cause }),
      )
    } catch (cause) {
      ran = Promise.resolve({ kind: "error" as const, cause })
    }
    const first = await Promise.race([ran, timedOut, aborted])
    if (first.kind === "ok") return first
    if (first.kind === "abort") return { kind: "aborted", error: abortError(abort) }
    if (first.kind === "timeout") {
      const error = new ExecutorTimeoutError(executor, id, timeoutMs)
      own.abort(error)
      return { kind: "failed", error }
    }
    if (abort.aborted) return { kind: "aborted", error: abortError(abort) }
    return { kind: "failed", error: new StepFailedError(executor, id, { cause: first.cause }) }
  } finally {
    done.abort()
    abort.removeEventListener("abort", onAbort)
  }
}

function abortError(signal: AbortSignal): PlanAbortedError {
  return signal.reason instanceof PlanAbortedError ? signal.reason : new PlanAbortedError(String((signal.reason as Error | undefined)?.message ?? "called off"))
}

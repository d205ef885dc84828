/**
 * The hand-off the monitor calls (structurally its `ShutdownHandler`): plan this host's executors
 * when the shutdown starts, run the plan with the journal, learned durations and progress, and
 * report failures as lines. `signal` means "power returned": before the point of no return the
 * plan stops and the executors restore; after it, the plan goes on.
 */
import type { NutctlStore } from "../store/index.ts"
import { buildPlan, type ConfiguredExecutor, type ShutdownLog } from "./plan.ts"
import type { ProgressSink } from "./progress.ts"
import { runPlan, type PlanResult } from "./runner.ts"
import type { Clock, PowerControl } from "./types.ts"

export interface PlanShutdownHandlerOptions {
  readonly host: string
  readonly executors: readonly ConfiguredExecutor[]
  readonly clock: Clock
  readonly log: ShutdownLog
  readonly store?: NutctlStore
  readonly power?: PowerControl
  readonly progress?: ProgressSink
  readonly dryRun?: boolean
  /** Called with every finished run (events, HTTP). */
  onResult?(result: PlanResult): void
}

/** A handler with `run(request, signal)` → `{ ok, failures }`, as the monitor's loop calls it. */
export function planShutdownHandler(options: PlanShutdownHandlerOptions): { run(request: { readonly at: number }, signal: AbortSignal): Promise<{ ok: boolean; failures: readonly string[] }> } {
  return {
    async run(_request, signal) {
      if (options.executors.length === 0) {
        options.log("warn", "No shutdown plan (no executors for this role): nothing to run")
        return { ok: true, failures: [] }
      }
      const plan = await buildPlan({
        host: options.host,
        executors: options.executors,
        clock: options.clock,
        log: options.log,
        dryRun: options.dryRun === true,
        signal,
        ...(options.store === undefined ? {} : { store: options.store }),
        ...(options.power === undefined ? {} : { power: options.power }),
      })
      const result = await runPlan(plan, {
        clock: options.clock,
        log: options.log,
        signal,
        ...(options.store === undefined ? {} : { store: options.store }),
        ...(options.progress === undefined ? {} : { progress: options.progress }),
      })
      options.onResult?.(result)
      return { ok: result.state !== "failed", failures: result.failures }
    },
  }
}

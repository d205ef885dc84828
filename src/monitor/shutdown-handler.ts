/**
 * The shutdown hand-off until issue 5's plan runner: plan each configured executor in order
 * (today only `command`, i.e. SHUTDOWNCMD) and run its steps under their timeouts. Failures are
 * reported, never thrown: a host going down on battery must do as much of its plan as it can.
 */
import { configureExecutor, planExecutor, runSteps, type Executor, type ExecutorLog } from "../shutdown/index.ts"
import type { Clock, LogLevel, MonitorLogger, ShutdownHandler, ShutdownReport } from "./types.ts"

/** An executor with its validated config. */
export interface ConfiguredExecutor {
  readonly executor: Executor<unknown>
  readonly config: unknown
}

/**
 * Validate `raw` with the executor's schema.
 * @throws ExecutorConfigError naming the source and the keys
 */
export async function configuredExecutor<C>(executor: Executor<C>, raw: unknown, source: string): Promise<ConfiguredExecutor> {
  return { executor: executor as Executor<unknown>, config: await configureExecutor(executor, raw, source) }
}

export interface ExecutorShutdownOptions {
  /** In order; empty means there is nothing to run (upsmon without SHUTDOWNCMD). */
  readonly executors: readonly ConfiguredExecutor[]
  readonly host: string
  readonly clock: Clock
  readonly log: MonitorLogger
  /** Executors only say what they would do. @default false */
  readonly dryRun?: boolean
}

/** A ShutdownHandler that runs executor plans one after the other. */
export function executorShutdownHandler(options: ExecutorShutdownOptions): ShutdownHandler {
  return {
    async run(request, signal): Promise<ShutdownReport> {
      const { executors, log } = options
      let underway = false
      const onStepStarted = (): void => {
        if (underway) return
        underway = true
        request.onUnderway?.()
      }
      if (executors.length === 0) {
        log("warning", "No shutdown plan (SHUTDOWNCMD is not set): nothing to run")
        onStepStarted()
        return { ok: true, failures: [] }
      }
      const failures: string[] = []
      for (const { executor, config } of executors) {
        const elog = executorLog(log, executor.name)
        const ctx = { config, host: options.host, clock: options.clock, log: elog, signal, dryRun: options.dryRun === true }
        try {
          const steps = await planExecutor(executor, ctx)
          const outcomes = await runSteps(executor.name, steps, { clock: options.clock, signal, onStepStarted })
          for (const o of outcomes) if (o.error !== undefined) failures.push(o.error.message)
        } catch (e) {
          failures.push(`Cannot plan executor ${executor.name}: ${(e as Error).message}`)
        }
      }
      onStepStarted()
      return { ok: failures.length === 0, failures }
    },
  }
}

function executorLog(log: MonitorLogger, name: string): ExecutorLog {
  const at = (level: LogLevel) => (message: string) => log(level, `[${name}] ${message}`)
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warning"),
    error: (message, cause) => log("error", `[${name}] ${message}${cause instanceof Error ? `: ${cause.message}` : ""}`),
  }
}

/**
 * Putting back what a shutdown changed once power is back: the executors' `restore` steps (HA
 * states, cluster options). The runner calls `runRestoreSteps` after an abort before the point of
 * no return; `restoreAfterPowerReturn` is for the next start of the daemon after a shutdown went
 * through (the journal says how far it got).
 */
import type { NutctlStore } from "../store/index.ts"
import { planRestore } from "./define-executor.ts"
import { openJournal, readJournal, type JournalRecord } from "./journal.ts"
import { executorLog, executorState, type ConfiguredExecutor, type PlanPart, type ShutdownLog } from "./plan.ts"
import { executeStep } from "./step-exec.ts"
import type { Clock, PowerControl } from "./types.ts"

/** What a restore did. */
export interface RestoreOutcome {
  readonly ok: boolean
  readonly failures: readonly string[]
}

/** Run the restore steps of `parts`, last executor first, each step under its timeout. */
export async function runRestoreSteps(parts: readonly Pick<PlanPart, "executor" | "restore">[], options: { readonly clock: Clock; readonly log: ShutdownLog; readonly dryRun: boolean }): Promise<RestoreOutcome> {
  const failures: string[] = []
  const never = new AbortController().signal
  for (const part of [...parts].reverse()) {
    let steps
    try {
      steps = await part.restore()
    } catch (e) {
      failures.push(`Cannot plan the restore of ${part.executor}: ${(e as Error).message}`)
      continue
    }
    for (const step of steps) {
      const key = `${part.executor}/${step.id}`
      options.log("info", `${options.dryRun ? "Dry run: " : ""}restore ${key}: ${step.description}`)
      const x = await executeStep({ key, executor: part.executor, step }, { clock: options.clock, abort: never })
      if (x.state !== "done") failures.push((x.fallbackError ?? x.error)?.message ?? `${key} failed`)
    }
  }
  for (const f of failures) options.log("error", f)
  return { ok: failures.length === 0, failures }
}

export interface RestoreAfterPowerReturnOptions {
  readonly host: string
  readonly executors: readonly ConfiguredExecutor[]
  readonly store: NutctlStore
  readonly clock: Clock
  readonly log: ShutdownLog
  readonly power?: PowerControl
  /**
   * Only this run (the one the journal held when the daemon started): a run this process started
   * since then is its own runner's to abort and restore.
   */
  readonly runId?: string
}

/**
 * At start-up with mains present: if the journal shows a shutdown that went through, stopped past
 * its point of no return, or was cut short before it (the daemon crashed or was stopped mid-plan),
 * run the restore steps of the executors that took part, and mark the journal `restored`.
 * Returns undefined when there was nothing to restore.
 */
export async function restoreAfterPowerReturn(options: RestoreAfterPowerReturnOptions): Promise<(RestoreOutcome & { readonly runId: string }) | undefined> {
  const record = await readJournal(options.store, options.host)
  if (record === undefined || !needsRestore(record)) return undefined
  if (options.runId !== undefined && record.runId !== options.runId) return undefined
  const started = new Set(Object.keys(record.steps).map((k) => k.slice(0, k.indexOf("/"))))
  const parts = options.executors
    .map((c) => ({ c, name: c.name ?? c.executor.name }))
    .filter(({ name }) => started.has(name))
    .map(({ c, name }) => ({
      executor: name,
      restore: () =>
        planRestore(c.executor, {
          config: c.config,
          host: options.host,
          clock: options.clock,
          log: executorLog(options.log, name),
          signal: new AbortController().signal,
          dryRun: false,
          state: executorState(options.store, name),
          ...(options.power === undefined ? {} : { power: options.power }),
        }),
    }))
  const how = record.state === "running" && record.pointOfNoReturn === undefined ? "cut short before its point of no return" : record.state
  options.log("info", `Power is back after shutdown ${record.runId} (${how}): restoring ${parts.map((p) => p.executor).join(", ") || "nothing"}`)
  const outcome = await runRestoreSteps(parts, { clock: options.clock, log: options.log, dryRun: false })
  const journal = openJournal(record, options.store)
  const at = options.clock.now()
  await journal.update((r) => ({ ...r, state: "restored", updatedAt: at, restored: { at, ok: outcome.ok, failures: outcome.failures } }))
  return { ...outcome, runId: record.runId }
}

/**
 * A run that went down (done, failed) or never finished (`running`: past its point of no return
 * the host went off; before it the daemon died mid-plan, like an abort nobody ran) has something
 * to restore; an aborted run restored itself.
 */
function needsRestore(record: JournalRecord): boolean {
  return record.state === "done" || record.state === "failed" || record.state === "running"
}

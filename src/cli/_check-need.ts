/**
 * The shutdown's need for `nutctl check` under `shutdown.when.runtimeBelow: auto`: the budget the
 * running monitor saved in its store (src/shutdown budget-store: it lays the plan out at start and
 * every hour, from the executors' plans and learned durations). Check only reads one small file
 * through the store; it never builds a plan itself.
 *
 * Severity: a budget older than BUDGET_MAX_AGE_MS is still used (it is the best figure there is)
 * and adds a WARNING, since no monitor seems to keep it; no budget at all is a WARNING too (the
 * runtime cannot be compared with the plan's need, so the check is blind on that point); a data
 * directory this user cannot read is UNKNOWN (check's limit, not the UPS's).
 */
import type { Finding } from "./_check-evaluate.ts"
import { NAGIOS } from "./_check-evaluate.ts"

/** The monitor renews the budget hourly: twice that means it stopped renewing it. */
export const BUDGET_MAX_AGE_MS = 2 * 3_600_000

/** What check compares battery.runtime with, and what it says about the figure. */
export interface AutoNeed {
  readonly need?: { readonly seconds: number; readonly source: string }
  readonly finding?: Finding
}

/** Read `host`'s latest budget under `dataDir`. */
export async function readAutoNeed(dataDir: string, host: string, now: number): Promise<AutoNeed> {
  const [{ createStore }, { readStoredBudget }] = await Promise.all([import("../store/index.ts"), import("../shutdown/index.ts")])
  const store = createStore({ dir: dataDir })
  let budget: Awaited<ReturnType<typeof readStoredBudget>>
  try {
    budget = await readStoredBudget(store, host)
  } catch (e) {
    return { finding: { check: "need", state: NAGIOS.UNKNOWN, text: `runtimeBelow: auto: cannot read the shutdown plan's budget in ${dataDir}: ${(e as Error).message} (run check as the user nutctl serve runs as, or give --need)` } }
  } finally {
    await store.dispose()
  }
  if (budget === undefined) {
    return { finding: { check: "need", state: NAGIOS.WARNING, text: `runtimeBelow: auto: no shutdown plan budget for ${host} in ${dataDir}: is nutctl serve running here with this --data-dir? battery.runtime is not compared with the plan's need` } }
  }
  const age = Math.max(0, now - budget.computedAt)
  // steps nothing was learned for count at their timeout: say so, the figure errs early until a drill
  const unlearned = budget.unlearned === 0 ? "" : `; ${budget.unlearned} step${budget.unlearned === 1 ? "" : "s"} not yet timed, counted at ${budget.unlearned === 1 ? "its" : "their"} timeout until nutctl drill runs`
  const need = { seconds: Math.ceil(budget.needMs / 1000), source: `runtimeBelow: auto, the plan's budget of ${ago(age)} ago${unlearned}` }
  if (age > BUDGET_MAX_AGE_MS) {
    return { need, finding: { check: "need", state: NAGIOS.WARNING, text: `runtimeBelow: auto: the shutdown plan's budget is ${ago(age)} old (the monitor renews it hourly): is nutctl serve still running?` } }
  }
  return { need }
}

function ago(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)} h`
  return `${Math.round(ms / 86_400_000)} days`
}

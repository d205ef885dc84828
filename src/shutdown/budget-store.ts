/**
 * The latest runtime budget of a host, kept in the store for readers outside the monitor
 * (`nutctl check` compares `battery.runtime` with it when `runtimeBelow: auto`). The monitor lays
 * the plan out at start and every hour and saves each result, so `computedAt` also tells whether a
 * monitor is still keeping it. One record per host in the store's `budgets` namespace.
 */
import type { JsonValue, NutctlStore } from "../store/index.ts"
import type { RuntimeBudget } from "./budget.ts"

/** What is kept. */
export interface StoredBudget {
  readonly version: 1
  readonly host: string
  /** battery.runtime the plan needs (expected duration with the safety margin), ms. */
  readonly needMs: number
  /** The plan's expected duration, ms. */
  readonly expectedMs: number
  /** If every step ran into its timeout, ms. */
  readonly worstMs: number
  /** Steps counted at their timeout because nothing was learned for them yet. */
  readonly unlearned: number
  /** When the monitor computed it (ms since the epoch). */
  readonly computedAt: number
}

/** The record for a budget the monitor just computed. */
export function storedBudget(host: string, budget: Pick<RuntimeBudget, "needMs" | "timeline">, computedAt: number): StoredBudget {
  const { timeline } = budget
  return {
    version: 1,
    host,
    needMs: budget.needMs,
    expectedMs: timeline.totalMs,
    worstMs: timeline.worstMs,
    unlearned: timeline.entries.filter((e) => e.source === "timeout").length,
    computedAt,
  }
}

/** Save a host's latest budget (replacing the previous one). */
export async function saveBudget(store: NutctlStore, record: StoredBudget): Promise<void> {
  await store.budgets.set(record.host, record as unknown as JsonValue)
}

/**
 * A host's latest budget; undefined when none was saved or the file is not a budget (hand-edited,
 * cut short by a crash).
 * @throws whatever the store throws when it cannot read (a data directory this user may not read)
 */
export async function readStoredBudget(store: NutctlStore, host: string): Promise<StoredBudget | undefined> {
  return parseBudget(await store.budgets.get(host), host)
}

function parseBudget(raw: unknown, host: string): StoredBudget | undefined {
  const value = raw as Partial<StoredBudget> | undefined
  if (typeof value !== "object" || value === null || value.version !== 1) return undefined
  const finite = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n >= 0
  if (!finite(value.needMs) || !finite(value.expectedMs) || !finite(value.computedAt)) return undefined
  return {
    version: 1,
    host: typeof value.host === "string" ? value.host : host,
    needMs: value.needMs,
    expectedMs: value.expectedMs,
    worstMs: finite(value.worstMs) ? value.worstMs : value.expectedMs,
    unlearned: finite(value.unlearned) ? value.unlearned : 0,
    computedAt: value.computedAt,
  }
}

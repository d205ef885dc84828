/**
 * The store's contracts (README "Architecture", src/store): a few typed namespaces over one unstorage
 * instance. The store knows nothing of what it keeps; its owners (shutdown, http) validate what
 * they read back, since a file on disk may be old, hand-edited or cut short by a crash.
 */

/** What survives a JSON round trip. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/** Keys under one prefix (`journal:`, `durations:`, `executors:`, `budgets:`). */
export interface Namespace<T = JsonValue> {
  /** The prefix without its colon (`journal`). */
  readonly name: string
  /** undefined when absent. */
  get(key: string): Promise<T | undefined>
  set(key: string, value: T): Promise<void>
  remove(key: string): Promise<void>
  /** Every key in this namespace (without the prefix), sorted. */
  keys(): Promise<string[]>
}

/** One stored event: what happened, when, where. */
export interface StoredEvent {
  /** ms since the epoch */
  readonly at: number
  /** `ONBATT`, `shutdown.step`, `drill`, … */
  readonly type: string
  readonly ups?: string
  readonly host?: string
  readonly message?: string
  readonly data?: JsonValue
}

/** An append-only event history in day buckets (`events:2026-08-01`). */
export interface EventLog {
  append(event: StoredEvent): Promise<void>
  /** Oldest first; `since`/`until` are ms since the epoch (inclusive); `limit` keeps the newest. */
  list(query?: { readonly since?: number; readonly until?: number; readonly limit?: number }): Promise<StoredEvent[]>
  /** Drop the day buckets that end before `before` (ms since the epoch). */
  prune(before: number): Promise<number>
}

/** nutctl's persistent state. */
export interface NutctlStore {
  /** The shutdown journal, one record per host (shutdown/journal.ts owns the format). */
  readonly journal: Namespace
  /** Learned step durations (shutdown/durations.ts owns the format). */
  readonly durations: Namespace
  /** What executors keep between a shutdown and the next boot (HA states to restore, …). */
  readonly executors: Namespace
  /** Each host's latest runtime budget, for `nutctl check` (shutdown/budget-store.ts owns the format). */
  readonly budgets: Namespace
  readonly events: EventLog
  /** Whether writes reach a disk (`fs`) or only memory. */
  readonly persistent: boolean
  /** Release watchers and handles. */
  dispose(): Promise<void>
}

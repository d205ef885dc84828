/**
 * The last `nutctl drill` of a host, kept in the store so `nutctl serve` on the same data
 * directory can report it (`/api/v1/shutdown`, `nutctl_drill_last_*`, the dashboard). The drill
 * saves one record per host it rehearsed, replacing the previous one, in the `budgets` namespace
 * under `drill@<host>` (`@` is in no host name, so it never meets a host's budget record).
 */
import type { JsonValue, NutctlStore } from "../store/index.ts"

/** What is kept. */
export interface DrillRecord {
  readonly version: 1
  readonly host: string
  /** When the drill ended (ms since the epoch). */
  readonly at: number
  /** The host's dry run finished without a failed step or executor, and the cluster fits the battery (or could not be judged). */
  readonly ok: boolean
  /** How long the host's dry run took, ms. */
  readonly elapsedMs: number
}

const keyOf = (host: string): string => `drill@${host}`

/** Save a host's latest drill (replacing the previous one). */
export async function saveDrillRecord(store: NutctlStore, record: DrillRecord): Promise<void> {
  await store.budgets.set(keyOf(record.host), record as unknown as JsonValue)
}

/**
 * A host's latest drill; undefined when none was saved or the file is not one (hand-edited, cut
 * short by a crash).
 * @throws whatever the store throws when it cannot read
 */
export async function readDrillRecord(store: NutctlStore, host: string): Promise<DrillRecord | undefined> {
  const value = (await store.budgets.get(keyOf(host))) as Partial<DrillRecord> | undefined
  if (typeof value !== "object" || value === null || value.version !== 1) return undefined
  const finite = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n >= 0
  if (!finite(value.at) || !finite(value.elapsedMs) || typeof value.ok !== "boolean") return undefined
  return { version: 1, host: typeof value.host === "string" ? value.host : host, at: value.at, ok: value.ok, elapsedMs: value.elapsedMs }
}

/**
 * Learned step durations (store namespace `durations:`): every real run records how long each
 * step took (fallback included, since that is what the battery has to cover), and drills record
 * what their read-only checks estimated. The learned value is the longest of the last few runs —
 * a shutdown that took 90 s once can take 90 s again — and drill numbers only count until a real
 * run exists.
 */
import type { JsonValue, NutctlStore } from "../store/index.ts"

/** One measurement. */
export interface DurationSample {
  readonly ms: number
  /** ms since the epoch */
  readonly at: number
  /** `run`: a real shutdown; `drill`: what a dry run estimated. */
  readonly source: "run" | "drill"
}

/** What the store keeps per key. */
export interface DurationRecord {
  readonly samples: readonly DurationSample[]
}

/** Samples kept per key. */
const KEEP = 10
/** Samples the learned value looks at. */
const RECENT = 5

/** Add a sample under `key` (`proxmox:guest-101`), keeping the newest few. */
export async function recordDuration(store: NutctlStore, key: string, sample: DurationSample): Promise<void> {
  const old = parseRecord(await store.durations.get(key))
  const samples = [...(old?.samples ?? []), sample].slice(-KEEP)
  await store.durations.set(key, { samples } as unknown as JsonValue)
}

/** The learned duration of a record: the longest recent real run, else the longest recent drill estimate. */
export function learnedMs(record: DurationRecord | undefined): number | undefined {
  if (record === undefined) return undefined
  const runs = record.samples.filter((s) => s.source === "run").slice(-RECENT)
  const pick = runs.length > 0 ? runs : record.samples.filter((s) => s.source === "drill").slice(-RECENT)
  return pick.length === 0 ? undefined : Math.max(...pick.map((s) => s.ms))
}

/** Learned durations of `keys` (those without samples are left out). */
export async function loadDurations(store: NutctlStore, keys: Iterable<string>): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const key of new Set(keys)) {
    const ms = learnedMs(parseRecord(await store.durations.get(key)))
    if (ms !== undefined) out.set(key, ms)
  }
  return out
}

/** Every key with its record, for `nutctl drill` listings. */
export async function listDurations(store: NutctlStore): Promise<Map<string, DurationRecord>> {
  const out = new Map<string, DurationRecord>()
  for (const key of await store.durations.keys()) {
    const r = parseRecord(await store.durations.get(key))
    if (r !== undefined) out.set(key, r)
  }
  return out
}

/** A stored value as a record; anything malformed (hand-edited, cut short) counts as nothing learned. */
function parseRecord(value: unknown): DurationRecord | undefined {
  if (typeof value !== "object" || value === null || !Array.isArray((value as { samples?: unknown }).samples)) return undefined
  const samples = ((value as { samples: unknown[] }).samples).filter(
    (s): s is DurationSample =>
      typeof s === "object" && s !== null && Number.isFinite((s as DurationSample).ms) && (s as DurationSample).ms >= 0 && Number.isFinite((s as DurationSample).at) && ((s as DurationSample).source === "run" || (s as DurationSample).source === "drill"),
  )
  return { samples }
}

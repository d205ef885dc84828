/**
 * The sampled power history of every UPS: charge, runtime, load, input and output voltage and
 * whether it ran on battery, every `intervalMs` and when a value moves (at most one point per
 * `minIntervalMs`, except that a switch to or from battery is recorded at once, so a chart shows
 * the edge where it happened). Points live in one bucket per UPS and hour
 * (`rack:2026-08-01T10` → DIR/series/rack/2026-08-01T10 with the fs driver): a write rewrites one
 * small bucket, never a day's worth, and pruning drops whole buckets.
 *
 * No timers here: the owner calls `tick()` (cli/_http.ts every few seconds) and feeds `observe()`.
 */
import { parseStatus } from "../../ups/index.ts"
import type { JsonValue } from "../../store/index.ts"
import { storeKey } from "../../store/index.ts"
import type { HttpEvent } from "../events.ts"
import type { UpsDirectory, UpsReading } from "../types.ts"

const HOUR_MS = 3_600_000

/** One sample of one UPS. Values are null when the UPS does not report them. */
export interface PowerPoint {
  /** ms since the epoch */
  readonly at: number
  /** battery.charge, % */
  readonly charge: number | null
  /** battery.runtime, s */
  readonly runtime: number | null
  /** ups.load, % */
  readonly load: number | null
  /** input.voltage, V */
  readonly inputVoltage: number | null
  /** output.voltage, V */
  readonly outputVoltage: number | null
  /** `OB` in ups.status */
  readonly onBattery: boolean
}

/** Where buckets are kept: the store's Namespace shape (get/set/remove/keys). */
export interface SeriesStorage {
  get(key: string): Promise<unknown>
  set(key: string, value: JsonValue): Promise<void>
  remove(key: string): Promise<void>
  keys(): Promise<string[]>
}

export interface PowerSeriesOptions {
  readonly storage: SeriesStorage
  readonly directory: UpsDirectory
  /** @default Date.now */
  readonly now?: () => number
  /** A point at least this often while data is available. @default 30000 */
  readonly intervalMs?: number
  /** Changes closer together than this share one point. @default 5000 */
  readonly minIntervalMs?: number
  /** Buckets older than this are dropped by `prune()`. @default 7 days */
  readonly maxAgeMs?: number
  /** Points kept per UPS and hour (the newest). @default 720 */
  readonly maxPointsPerHour?: number
  readonly onError?: (message: string, cause: unknown) => void
}

/** Query of `query()`. */
export interface SeriesQuery {
  /** ms since the epoch, inclusive */
  readonly since: number
  /** @default now */
  readonly until?: number
  /** Thin out to about this many points (switches to and from battery are always kept). @default 500 */
  readonly maxPoints?: number
}

/** The sampler and reader of the power history. */
export interface PowerSeries {
  /** Feed a live event: `vars` and `status` of a UPS may record a point. */
  observe(event: HttpEvent): void
  /** Record the points that are due (interval reached, a change waiting for minIntervalMs). */
  tick(): Promise<void>
  query(ups: string, query: SeriesQuery): Promise<PowerPoint[]>
  /** Drop buckets older than maxAgeMs; returns how many. */
  prune(): Promise<number>
  /** Resolves when every point so far is written. */
  flush(): Promise<void>
  /** The sampling interval, for clients that draw gaps. */
  readonly intervalMs: number
}

/** The variables a point is made of; a `vars` event touching none of them records nothing. */
const SAMPLED = new Set(["battery.charge", "battery.runtime", "ups.load", "input.voltage", "output.voltage", "ups.status"])

/** Create the power history over a storage. */
export function createPowerSeries(options: PowerSeriesOptions): PowerSeries {
  const now = options.now ?? Date.now
  const intervalMs = options.intervalMs ?? 30_000
  const minIntervalMs = options.minIntervalMs ?? 5_000
  const maxAgeMs = options.maxAgeMs ?? 7 * 24 * HOUR_MS
  const maxPerHour = options.maxPointsPerHour ?? 720
  const report = options.onError ?? (() => {})
  // per UPS (lower-case): the bucket being filled, the last point, a change not yet recorded
  const open = new Map<string, { key: string; points: PowerPoint[] }>()
  const last = new Map<string, PowerPoint>()
  const pending = new Set<string>()
  let writes: Promise<void> = Promise.resolve()

  const record = (reading: UpsReading, at: number): void => {
    const id = reading.name.toLowerCase()
    pending.delete(id)
    const point = pointOf(reading, at)
    last.set(id, point)
    const key = bucketKey(reading.name, at)
    writes = writes
      .then(async () => {
        let bucket = open.get(id)
        if (bucket?.key !== key) {
          // a bucket from before a restart continues where it stopped
          bucket = { key, points: parsePoints(await options.storage.get(key)) }
          open.set(id, bucket)
        }
        bucket.points.push(point)
        if (bucket.points.length > maxPerHour) bucket.points.splice(0, bucket.points.length - maxPerHour)
        await options.storage.set(key, bucket.points as unknown as JsonValue)
      })
      .catch((e: unknown) => report(`Cannot write the power history of ${reading.name}`, e))
  }

  const readable = (ups: string): UpsReading | undefined => {
    const r = options.directory.read(ups)
    return r && r.availability === "ok" ? r : undefined
  }

  return {
    intervalMs,
    observe(event) {
      if (event.kind !== "vars" && event.kind !== "status") return
      if (event.kind === "vars" && !Object.keys(event.values).some((k) => SAMPLED.has(k.toLowerCase()))) return
      const r = readable(event.ups)
      if (!r) return
      const t = now()
      const previous = last.get(r.name.toLowerCase())
      const edge = previous !== undefined && previous.onBattery !== isOnBattery(r.status)
      if (previous === undefined || edge || t - previous.at >= minIntervalMs) record(r, t)
      else pending.add(r.name.toLowerCase())
    },
    async tick() {
      const t = now()
      for (const u of options.directory.list()) {
        const r = readable(u.name)
        if (!r) continue
        const previous = last.get(u.name.toLowerCase())
        const due = previous === undefined || t - previous.at >= intervalMs || (pending.has(u.name.toLowerCase()) && t - previous.at >= minIntervalMs)
        if (due) record(r, t)
      }
      await writes
    },
    async query(ups, q) {
      const until = q.until ?? now()
      const since = Math.max(q.since, until - maxAgeMs)
      await writes
      const out: PowerPoint[] = []
      for (let hour = Math.floor(since / HOUR_MS) * HOUR_MS; hour <= until; hour += HOUR_MS) {
        const key = bucketKey(ups, hour)
        const live = open.get(ups.toLowerCase())
        const points = live?.key === key ? live.points : parsePoints(await options.storage.get(key))
        for (const p of points) if (p.at >= since && p.at <= until) out.push(p)
      }
      return thin(out, q.maxPoints ?? 500, since, until)
    },
    async prune() {
      await writes
      const before = now() - maxAgeMs
      let dropped = 0
      for (const key of await options.storage.keys()) {
        const start = hourOfKey(key)
        if (start !== undefined && start + HOUR_MS <= before) {
          await options.storage.remove(key)
          dropped++
        }
      }
      return dropped
    },
    flush: () => writes,
  }
}

// --- Internal helpers ---

function pointOf(r: UpsReading, at: number): PowerPoint {
  const num = (name: string): number | null => {
    const v = r.variables.find((x) => x.name.toLowerCase() === name)?.value
    const n = v === undefined || v.trim() === "" ? Number.NaN : Number(v)
    return Number.isFinite(n) ? n : null
  }
  return {
    at,
    charge: num("battery.charge"),
    runtime: num("battery.runtime"),
    load: num("ups.load"),
    inputVoltage: num("input.voltage"),
    outputVoltage: num("output.voltage"),
    onBattery: isOnBattery(r.status),
  }
}

function isOnBattery(status: string): boolean {
  return parseStatus(status).includes("OB")
}

/** `rack:2026-08-01T10` (UTC hour). UPS names are case-insensitive in NUT: keys are lower-case. */
function bucketKey(ups: string, at: number): string {
  return storeKey(`${ups.toLowerCase()}:${new Date(Math.floor(at / HOUR_MS) * HOUR_MS).toISOString().slice(0, 13)}`)
}

function hourOfKey(key: string): number | undefined {
  const m = /(\d{4}-\d{2}-\d{2}T\d{2})$/.exec(key)
  if (!m) return undefined
  const t = Date.parse(`${m[1]}:00:00Z`)
  return Number.isNaN(t) ? undefined : t
}

/** A stored bucket, read back defensively: a file may be cut short or hand-edited. */
function parsePoints(value: unknown): PowerPoint[] {
  if (!Array.isArray(value)) return []
  const out: PowerPoint[] = []
  const n = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null)
  for (const p of value as unknown[]) {
    if (typeof p !== "object" || p === null) continue
    const o = p as Record<string, unknown>
    if (typeof o["at"] !== "number") continue
    out.push({ at: o["at"], charge: n(o["charge"]), runtime: n(o["runtime"]), load: n(o["load"]), inputVoltage: n(o["inputVoltage"]), outputVoltage: n(o["outputVoltage"]), onBattery: o["onBattery"] === true })
  }
  return out
}

/** Keep about `max` points: the last of each time slot, plus every switch to or from battery. */
function thin(points: readonly PowerPoint[], max: number, since: number, until: number): PowerPoint[] {
  if (points.length <= max) return [...points]
  const slot = Math.max(1, (until - since) / max)
  const out: PowerPoint[] = []
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as PowerPoint
    const next = points[i + 1]
    const prev = points[i - 1]
    const lastOfSlot = next === undefined || Math.floor((next.at - since) / slot) !== Math.floor((p.at - since) / slot)
    const edge = (prev !== undefined && prev.onBattery !== p.onBattery) || (next !== undefined && next.onBattery !== p.onBattery)
    if (lastOfSlot || edge) out.push(p)
  }
  return out
}

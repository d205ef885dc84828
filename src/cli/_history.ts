/**
 * Where the event history and the power history live on disk, for `serve` (cli/_http.ts) and
 * `nutctl events`: the store (src/store, fs driver under the data directory, or any unstorage
 * driver) for events, and a `series:` storage beside it for the sampled values. Also the sink
 * that turns the shutdown runner's progress into history entries.
 */
import { constants } from "node:fs"
import { access, mkdir } from "node:fs/promises"
import { createStorage, prefixStorage, type Driver, type Storage } from "unstorage"
import fsDriver from "unstorage/drivers/fs"
import { createPowerSeries, openEventHistory, type EventHistory, type EventHub, type NoteInput, type PowerSeries, type SeriesStorage, type UpsDirectory } from "../http/index.ts"
import type { ProgressEvent, ProgressSink } from "../shutdown/index.ts"
import { createStore, type JsonValue, type NutctlStore } from "../store/index.ts"

/** Where to keep the history: a directory (fs driver) or an unstorage driver (Redis, …). */
export interface HistoryStoreOptions {
  readonly dir?: string
  /** Wins over `dir`. */
  readonly driver?: Driver
}

/** An open history store. */
export interface HistoryStore {
  readonly store: NutctlStore
  readonly series: SeriesStorage
  /** Whether it reaches a disk or a server (false: memory only). */
  readonly persistent: boolean
  /** What to call it in messages. */
  readonly where: string
  dispose(): Promise<void>
}

/**
 * Create the data directory when missing and check that this process may write it.
 * @throws Error naming the directory when it cannot be used
 */
export async function usableDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o750 })
    await access(dir, constants.W_OK)
  } catch (e) {
    throw new Error(`Cannot use data directory ${dir}: ${(e as Error).message}`, { cause: e })
  }
}

/**
 * Open the store for the history. A directory is created if missing (0750) and must be writable:
 * the fs driver would otherwise fail only at the first write, after the events it lost.
 * @throws Error `Cannot use data directory …` when it cannot be created or written
 */
export async function openHistoryStore(options: HistoryStoreOptions = {}): Promise<HistoryStore> {
  if (options.driver === undefined && options.dir !== undefined) await usableDataDir(options.dir)
  const driver = options.driver ?? (options.dir === undefined ? undefined : fsDriver({ base: options.dir }))
  const store = createStore(driver === undefined ? {} : { driver })
  // a second storage on the same driver: the store has no namespace for series (yet)
  const storage = createStorage<JsonValue>(driver === undefined ? {} : { driver })
  const series = seriesStorage(prefixStorage(storage, "series"))
  return {
    store,
    series,
    persistent: store.persistent,
    where: options.driver !== undefined ? `the ${options.driver.name ?? "configured"} store` : (options.dir ?? "memory"),
    async dispose() {
      // both storages share the driver: dispose it once
      await store.dispose()
    },
  }
}

function seriesStorage(storage: Storage<JsonValue>): SeriesStorage {
  return {
    get: (key) => storage.getItem(key),
    set: (key, value) => storage.setItem(key, value),
    remove: (key) => storage.removeItem(key),
    keys: () => storage.getKeys(),
  }
}

/**
 * A ProgressSink that records a shutdown run in the history: its start, each step's end, the
 * point of no return, an abort, the restore and the end. A dry run is recorded as a drill.
 */
export function progressNotes(note: (input: NoteInput) => void, system?: string): ProgressSink {
  let drill = false
  const at = (e: ProgressEvent) => ({ at: e.at, ...(system === undefined ? {} : { system }) })
  return (e) => {
    const run = drill ? "Drill" : "Shutdown"
    switch (e.kind) {
      case "start":
        drill = e.dryRun
        note({ ...at(e), type: e.dryRun ? "drill.start" : "shutdown.start", message: `${e.dryRun ? "Drill" : "Shutdown"} of ${e.host} started: ${e.steps.length} steps, about ${seconds(e.estimateMs)}${e.resumed ? " (resumed after a restart)" : ""}` })
        break
      case "step-end":
        if (e.state === "skipped") break
        note({ ...at(e), type: drill ? "drill.step" : "shutdown.step", level: e.state === "done" ? "info" : e.state === "aborted" ? "warning" : "error", message: `${run} step ${e.key} ${e.state} after ${seconds(e.elapsedMs)}${e.via ? " (fallback)" : ""}${e.error ? `: ${e.error}` : ""}` })
        break
      case "point-of-no-return":
        note({ ...at(e), type: "shutdown.point-of-no-return", level: "warning", message: `${run} passed its point of no return at ${e.key}` })
        break
      case "abort":
        note({ ...at(e), type: "shutdown.abort", level: "warning", message: `${run} aborted: ${e.reason}` })
        break
      case "restore":
        note({ ...at(e), type: "shutdown.restore", level: e.ok ? "info" : "error", message: e.ok ? "Restore after the abort finished" : `Restore failed: ${e.failures.join("; ")}` })
        break
      case "end":
        note({ ...at(e), type: drill ? "drill" : "shutdown.end", level: e.state === "done" ? "info" : "error", message: `${run} ${e.state === "done" ? (drill ? "passed" : "finished") : e.state} in ${seconds(e.elapsedMs)}${e.failures.length > 0 ? `: ${e.failures.join("; ")}` : ""}` })
        break
      default:
        break
    }
  }
}

function seconds(ms: number): string {
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}s` : `${(ms / 1000).toFixed(1)}s`
}

/** How long and how much the history keeps. */
export interface HistoryRetention {
  /** @default 90 days */
  readonly eventsMaxAgeMs?: number
  /** @default 10000 */
  readonly maxEvents?: number
  /** @default 7 days */
  readonly seriesMaxAgeMs?: number
}

export interface StartHistoryOptions {
  readonly hub: EventHub
  readonly directory: UpsDirectory
  /** Where to keep it; without `dir` or `driver`: memory only. */
  readonly store?: HistoryStoreOptions
  readonly retention?: HistoryRetention
  readonly log: { warn(message: string): void; error(message: string, cause?: unknown): void }
  /** How often due samples are taken. @default 5000 */
  readonly tickMs?: number
}

/** The running history: what the HTTP app reads, and `note()` for plan steps and drills. */
export interface RunningHistory {
  readonly events: EventHistory
  readonly series: PowerSeries
  readonly persistent: boolean
  stop(): Promise<void>
}

/**
 * Open the store (memory, with a warning, when the data directory cannot be used), keep the hub's
 * events, sample the power values, and prune hourly.
 */
export async function startHistory(options: StartHistoryOptions): Promise<RunningHistory> {
  let opened: HistoryStore
  try {
    opened = await openHistoryStore(options.store)
  } catch (e) {
    options.log.warn(`${(e as Error).message}: the event history is kept in memory only`)
    opened = await openHistoryStore()
  }
  const onError = (message: string, cause: unknown): void => options.log.error(message, cause)
  const r = options.retention ?? {}
  const events = await openEventHistory({
    log: opened.store.events,
    hub: options.hub,
    onError,
    ...(r.eventsMaxAgeMs === undefined ? {} : { maxAgeMs: r.eventsMaxAgeMs }),
    ...(r.maxEvents === undefined ? {} : { maxEvents: r.maxEvents }),
  })
  const series = createPowerSeries({ storage: opened.series, directory: options.directory, onError, ...(r.seriesMaxAgeMs === undefined ? {} : { maxAgeMs: r.seriesMaxAgeMs }) })
  const unobserve = options.hub.subscribe((e) => series.observe(e))
  const prune = (): void => {
    void Promise.all([events.prune(), series.prune()]).catch((e: unknown) => onError("Cannot prune the history", e))
  }
  prune()
  const tick = setInterval(() => void series.tick(), options.tickMs ?? 5000)
  const hourly = setInterval(prune, 3_600_000)
  void series.tick()
  return {
    events,
    series,
    persistent: opened.persistent,
    async stop() {
      clearInterval(tick)
      clearInterval(hourly)
      unobserve()
      events.close()
      await Promise.all([events.flush(), series.flush()])
      await opened.dispose()
    },
  }
}

/** `feed` with its progress also recorded by {@link progressNotes}. */
export function withProgressNotes<F extends { readonly progress: ProgressSink }>(feed: F, note: (input: NoteInput) => void, system?: string): F {
  const notes = progressNotes(note, system)
  return {
    ...feed,
    progress(e: ProgressEvent) {
      feed.progress(e)
      notes(e)
    },
  }
}

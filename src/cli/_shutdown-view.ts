/**
 * `ShutdownView` for `nutctl serve` with a cluster role: what `/api/v1/shutdown`, the
 * `nutctl_shutdown_*` / `nutctl_drill_last_*` metrics and the dashboard's plan panel show.
 *
 * - The plan: the cluster monitor feeds the tracker (one `role()` per monitor build, each laid-out
 *   budget, the runner's progress events); steps and need come from the latest layout (the run's
 *   own plan while one runs), steps done from the current or last run.
 * - The budget: `battery.runtime` of the supply that feeds this host (power value > 0; the least
 *   of several), read from HTTP's UPS directory — the UPS this process serves, or on a secondary
 *   the primary's it polls.
 * - The last drill: the record `nutctl drill` saved in the data directory (shutdown/drill-store.ts),
 *   read again at most once a minute.
 */
import { parseUpsSystem } from "../config/index.ts"
import type { MonitorView, ShutdownView, UpsDirectory } from "../http/index.ts"
import { planNeedMs, readDrillRecord, type DrillRecord, type ProgressSink } from "../shutdown/index.ts"
import type { NutctlStore } from "../store/index.ts"

/** What the cluster monitor tells the view. */
export interface ShutdownFeed {
  /** A monitor was built for this host's role, with this many executors (0: no plan); starts over. */
  role(executors: number): void
  /** The plan was laid out (a dry plan): the battery time it needs and its steps. */
  budget(budget: { readonly needMs: number; readonly timeline: { readonly entries: readonly unknown[] } }): void
  /** The runner's progress events. */
  readonly progress: ProgressSink
}

/** The feed and the view over it. */
export interface ShutdownTracker {
  readonly feed: ShutdownFeed
  /** The view, with battery.runtime from HTTP's directory and the supplies from its monitor view. */
  view(http: { readonly directory: UpsDirectory; readonly monitor: MonitorView }): ShutdownView
  /** Read the drill record now (done at creation and, lazily, once a minute). */
  refreshDrill(): Promise<void>
}

export interface ShutdownTrackerOptions {
  /** This host, as the role was resolved (the drill's record is looked up by it, then by its short name). */
  readonly host: string
  /** The data directory's store, where `nutctl drill` leaves its record; without it: no last drill. */
  readonly store?: NutctlStore
  /** @default Date.now */
  readonly now?: () => number
  /** How long a read drill record is shown before it is read again. @default 60000 */
  readonly drillMaxAgeMs?: number
}

interface Run {
  readonly steps: number
  readonly estimateMs: number
  readonly finished: Set<string>
  running: boolean
}

/** Start tracking (reads the drill record at once). */
export function createShutdownTracker(options: ShutdownTrackerOptions): ShutdownTracker {
  const now = options.now ?? Date.now
  const maxAge = options.drillMaxAgeMs ?? 60_000
  let executors: number | undefined
  let laid: { needMs: number; steps: number } | undefined
  let run: Run | undefined
  let drill: DrillRecord | undefined
  let drillReadAt = Number.NEGATIVE_INFINITY
  let reading: Promise<void> | undefined

  const refreshDrill = (): Promise<void> => {
    const store = options.store
    if (store === undefined) return Promise.resolve()
    reading ??= (async () => {
      try {
        const short = options.host.split(".")[0] ?? options.host
        drill = (await readDrillRecord(store, options.host)) ?? (short !== options.host && short !== "" ? await readDrillRecord(store, short) : undefined)
      } catch {
        // an unreadable data directory: keep what was read before (serve's monitor reports the directory)
      } finally {
        drillReadAt = now()
        reading = undefined
      }
    })()
    return reading
  }
  void refreshDrill()

  const feed: ShutdownFeed = {
    role(n) {
      executors = n
      laid = undefined
      run = undefined
    },
    budget(b) {
      laid = { needMs: b.needMs, steps: b.timeline.entries.length }
    },
    progress(e) {
      switch (e.kind) {
        case "start":
          run = { steps: e.steps.length, estimateMs: e.estimateMs, finished: new Set(), running: true }
          break
        case "step-end":
          if (e.state !== "aborted") run?.finished.add(e.key)
          break
        case "end":
          if (run !== undefined) run.running = false
          break
        default:
          break
      }
    },
  }

  const plan: ShutdownView["plan"] = () => {
    if (executors === undefined || executors === 0) return undefined
    const steps = run?.running === true ? run.steps : (laid?.steps ?? run?.steps)
    const needMs = laid?.needMs ?? (run === undefined ? undefined : planNeedMs({ totalMs: run.estimateMs }))
    if (steps === undefined || needMs === undefined) return undefined
    return { steps, done: Math.min(steps, run?.finished.size ?? 0), needSeconds: needMs / 1000, running: run?.running === true }
  }

  const lastDrill: ShutdownView["lastDrill"] = () => {
    if (now() - drillReadAt >= maxAge) void refreshDrill()
    return drill === undefined ? undefined : { at: drill.at, ok: drill.ok, seconds: drill.elapsedMs / 1000 }
  }

  return {
    feed,
    refreshDrill,
    view: ({ directory, monitor }) => ({ plan, budgetSeconds: () => budgetSeconds(directory, monitor), lastDrill }),
  }
}

/** battery.runtime (s) of the supplies that power this host, the least of them; undefined when none is known. */
export function budgetSeconds(directory: UpsDirectory, monitor: MonitorView): number | undefined {
  const supplies = monitor.snapshot()?.supplies.filter((s) => s.powerValue > 0) ?? []
  let least: number | undefined
  for (const s of supplies) {
    const runtime = supplyRuntime(directory, s.system)
    if (runtime !== undefined && (least === undefined || runtime < least)) least = runtime
  }
  return least
}

/**
 * The runtime of `ups@host[:port]` when the directory holds that UPS: a local directory (the UPSes
 * this process serves) by name; a polled one when host:port is the server it polls.
 */
function supplyRuntime(directory: UpsDirectory, system: string): number | undefined {
  const s = parseUpsSystem(system)
  if (s === undefined) return undefined
  // the polled server is named `host:port` ([v6]:port), as the poller writes it
  if (directory.server !== "local" && `${s.host.includes(":") ? `[${s.host}]` : s.host}:${s.port}`.toLowerCase() !== directory.server.toLowerCase()) return undefined
  const reading = directory.read(s.ups)
  if (reading === undefined || reading.availability !== "ok") return undefined
  const value = reading.variables.find((v) => v.name.toLowerCase() === "battery.runtime")?.value
  const seconds = value === undefined ? Number.NaN : Number.parseFloat(value)
  return Number.isFinite(seconds) ? seconds : undefined
}

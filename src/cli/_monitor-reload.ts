/**
 * SIGHUP for the monitor, as upsmon's `-c reload` does it: re-read its settings and apply them
 * without a restart. Unlike upsmon, which edits its UPS list in place, the monitor is rebuilt from
 * the new settings and swapped in: the new one is built first (a file it cannot use leaves the old
 * one running), then the old one logs out and the new one starts.
 *
 * Never in the middle of a power event: while any supply is on battery, low, forced down, or a
 * shutdown is under way, a rebuilt monitor would start from scratch (notify ONBATT again, restart
 * the timers). The reload then waits and is applied once every supply is back on line. upsmon
 * applies it at once — and exits when the new MINSUPPLIES cannot be met; here that reload is
 * refused and the running monitor keeps going.
 */
import type { HostState, MonitorLoop } from "../monitor/index.ts"

/** A monitor running in this process. */
export interface RunningMonitor {
  readonly loop: MonitorLoop
  readonly minSupplies: number
  /** Settles when the monitor ended by itself (the shutdown was handed over) or was stopped. */
  readonly done: Promise<void>
  stop(): Promise<void>
}

/** A re-read configuration, ready to be turned into a monitor. */
export interface MonitorSpec {
  /** Everything the monitor is built from; an equal key means the re-read changed nothing it uses. Never logged. */
  readonly key: string
  /** For the log: what the monitor watches, e.g. "ups@nas". */
  readonly describe: string
  /** Why these settings monitor nothing, for the log (when `build` gives undefined). */
  readonly nothing?: string
  /**
   * Check the settings and build the monitor without running it; undefined when the new settings
   * monitor nothing. Throws for settings that cannot be used (the running monitor is kept then).
   */
  build(): Promise<BuiltMonitor | undefined>
}

/** A monitor built and ready to run. */
export interface BuiltMonitor {
  start(): Promise<RunningMonitor>
}

/** What a reload did. */
export type MonitorReloadOutcome =
  | "unchanged"
  | "applied"
  /** Waiting for the power event to end. */
  | "deferred"
  /** The monitor already handed over the shutdown: nothing to reload. */
  | "ended"
  | "failed"

/** No power event: every supply on line and nothing of a shutdown under way. */
export function monitorIsQuiet(state: HostState): boolean {
  if (state.phase.kind !== "monitoring" || state.onBatteryTimerAt !== undefined) return false
  return state.supplies.every((s) => !s.flags.ob && !s.flags.lb && !s.flags.fsd)
}

export interface MonitorReloaderOptions {
  readonly log: { info(message: string): void; warn(message: string): void; error(message: string): void }
  /** The monitor started with the process, and the key it was built from. */
  readonly current: RunningMonitor | undefined
  readonly key: string
  /** A new monitor is running (or none): views such as HTTP follow it. */
  readonly onSwap?: (monitor: RunningMonitor | undefined) => void
  /** How often a deferred reload looks whether the power event is over. @default 5000 */
  readonly recheckMs?: number
}

/** Holds the running monitor across reloads. */
export class MonitorReloader {
  readonly #o: MonitorReloaderOptions
  #current: RunningMonitor | undefined
  #key: string
  #pending: MonitorSpec | undefined
  #recheck: ReturnType<typeof setInterval> | undefined
  /** One reload (or deferred apply) at a time. */
  #queue: Promise<unknown> = Promise.resolve()
  #stopped = false
  /** Monitors this reloader stopped itself (their end is not the process's end). */
  readonly #replaced = new WeakSet<RunningMonitor>()
  #ended!: () => void
  /** Settles when the current monitor ends by itself: its shutdown was handed over. */
  readonly ended = new Promise<void>((resolve) => (this.#ended = resolve))

  constructor(options: MonitorReloaderOptions) {
    this.#o = options
    this.#key = options.key
    this.#adopt(options.current)
  }

  get current(): RunningMonitor | undefined {
    return this.#current
  }

  /** A reload is waiting for the power event to end. */
  get deferred(): boolean {
    return this.#pending !== undefined
  }

  /** Apply a re-read configuration (now, or once the power event is over). */
  reload(spec: MonitorSpec): Promise<MonitorReloadOutcome> {
    const run = this.#queue.then(() => this.#reload(spec))
    this.#queue = run.catch(() => undefined)
    return run
  }

  /** Stop the monitor and any waiting reload. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#clearPending()
    await this.#queue
    await this.#current?.stop()
  }

  async #reload(spec: MonitorSpec): Promise<MonitorReloadOutcome> {
    const { log } = this.#o
    if (this.#stopped) return "ended"
    if (spec.key === this.#key) {
      // a reload back to the running settings also drops one that was waiting
      if (this.#pending !== undefined) log.info("Monitor: the settings are back to the running ones; the waiting reload is dropped")
      this.#clearPending()
      log.info("Monitor: settings unchanged")
      return "unchanged"
    }
    const when = this.#when()
    if (when === "never") {
      log.warn("Monitor: the shutdown was handed over; the new settings apply at the next start")
      return "ended"
    }
    if (when === "wait") {
      const waiting = this.#pending !== undefined
      this.#pending = spec
      this.#recheck ??= setInterval(() => this.#applyIfQuiet(), this.#o.recheckMs ?? 5000)
      this.#recheck.unref?.()
      log.warn(`Monitor: a power event is under way; the new settings apply once every UPS is back on line${waiting ? " (replacing the reload that was waiting)" : ""}`)
      return "deferred"
    }
    this.#clearPending()
    return this.#swap(spec)
  }

  /** Whether new settings can replace the monitor now, must wait for the power event to end, or never will. */
  #when(): "now" | "wait" | "never" {
    const state = this.#current?.loop.state
    if (state === undefined) return "now"
    if (state.phase.kind === "shutdown") return "never"
    return monitorIsQuiet(state) ? "now" : "wait"
  }

  #applyIfQuiet(): void {
    const spec = this.#pending
    const when = this.#when()
    if (spec === undefined || when === "wait") return
    this.#clearPending()
    if (when === "never") return
    this.#o.log.info("Monitor: power is back; applying the reload that was waiting")
    this.#queue = this.#queue.then(() => this.#swap(spec)).catch(() => undefined)
  }

  async #swap(spec: MonitorSpec): Promise<MonitorReloadOutcome> {
    const { log } = this.#o
    let built: BuiltMonitor | undefined
    try {
      built = await spec.build()
    } catch (e) {
      log.error(`Monitor: reload failed (${(e as Error).message}); still running the previous settings`)
      return "failed"
    }
    // the old one logs out before the new one logs in: both at once would count twice in NUMLOGINS
    const old = this.#current
    if (old !== undefined) {
      this.#replaced.add(old)
      await old.stop()
    }
    const next = built === undefined ? undefined : await built.start()
    this.#key = spec.key
    this.#adopt(next)
    this.#o.onSwap?.(next)
    log.info(next === undefined ? "Monitor: the new settings monitor nothing; the monitor stopped" : `Monitor reloaded: watching ${spec.describe}`)
    return "applied"
  }

  #adopt(monitor: RunningMonitor | undefined): void {
    this.#current = monitor
    if (monitor === undefined) return
    void monitor.done.then(() => {
      if (!this.#replaced.has(monitor) && !this.#stopped) this.#ended()
    })
  }

  #clearPending(): void {
    this.#pending = undefined
    if (this.#recheck !== undefined) clearInterval(this.#recheck)
    this.#recheck = undefined
  }
}

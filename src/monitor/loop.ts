/**
 * The monitor's loop: the only place where the host machine meets time and I/O. It polls every
 * supply through its SupplyLink each poll interval, feeds the results to `nextHostState`, and
 * carries out the effects in order (notify, log, timers, FSD, NUMLOGINS, close, shutdown).
 * Everything it touches is a capability (Clock, links, logger, shell, wall, flag file, shutdown
 * handler), so tests drive it with a ManualClock and fake links.
 *
 * Answers to asynchronous requests (a poll round, NUMLOGINS queries, pushed updates, `forceShutdown`)
 * come back through one inbox and are fed one at a time, after every effect of the transition
 * that asked for them: the machine never sees two events at once. upsmon waits for each reply in
 * turn; here a hanging NUMLOGINS query cannot hold back the HOSTSYNC timer.
 *
 * With `keepLoginDuringShutdown` (nutctl's cluster config) the shutdown plan runs beside the loop:
 * polling goes on (the connections stay, so a secondary still counts in the primary's NUMLOGINS),
 * `powerReturned` aborts the plan's signal, and the plan's end comes back through the inbox — a
 * plan called off before its point of no return puts the host back to monitoring.
 */
import { createHostState, nextHostState, type HostEvent, type HostState, type SupplyPoll } from "./host-machine.ts"
import { Notifier } from "./notifier.ts"
import { clearPowerDownFlag, writePowerDownFlag } from "./powerdown-flag.ts"
import type { UpsschedConf } from "./upssched-conf.ts"
import type {
  Clock,
  FlagFile,
  MonitorConfig,
  MonitorEffect,
  MonitorLogger,
  MonitorRecord,
  PollResult,
  RuntimeBudgetCheck,
  ShellRunner,
  ShutdownHandler,
  ShutdownReport,
  SupplyLink,
  TimerId,
} from "./types.ts"

export interface MonitorLoopOptions {
  readonly config: MonitorConfig
  /** One link per configured supply (matched by `system`). */
  readonly links: readonly SupplyLink[]
  readonly clock: Clock
  readonly log: MonitorLogger
  readonly shutdown: ShutdownHandler
  /** NOTIFYCMD / CMDSCRIPT runner; without it EXEC is only logged. */
  readonly runShell?: ShellRunner
  /** `wall`; without it WALL is skipped (tests never pass one). */
  readonly wall?: (message: string) => Promise<void>
  /** POWERDOWNFLAG access; without it the flag is neither cleared nor written. */
  readonly flagFile?: FlagFile
  /** upssched.conf, for a NOTIFYCMD that is upssched. */
  readonly upssched?: UpsschedConf
  /** Every notification and decision, for the event store and the HTTP stream. */
  readonly onRecord?: (record: MonitorRecord) => void
  /**
   * Decide as usual but change nothing: no FSD, no WALL, no NOTIFYCMD, no POWERDOWNFLAG, and the
   * shutdown handler is expected to run its plan dry. @default false
   */
  readonly dryRun?: boolean
  /**
   * `shutdown.when.runtimeBelow`: with it, polls on battery also read `battery.runtime`, and the
   * loop adds this budget's verdict to each reading before the machine sees it.
   */
  readonly runtimeBudget?: RuntimeBudgetCheck
}

/** How `run()` ended. */
export type MonitorOutcome =
  /** This host's shutdown was handed over (and, for SHUTDOWNCMD, has run). */
  | { readonly kind: "shutdown"; readonly at: number; readonly report: ShutdownReport }
  /** The caller's signal stopped the loop. */
  | { readonly kind: "stopped" }

type InboxItem =
  | HostEvent
  | { readonly kind: "round"; readonly results: readonly SupplyPoll[] }
  /** The shutdown plan running beside the loop has ended. */
  | { readonly kind: "planEnded"; readonly at: number; readonly report: ShutdownReport }

/** Create a monitor loop; nothing happens until `run()`. */
export function createMonitorLoop(options: MonitorLoopOptions): MonitorLoop {
  return new MonitorLoop(options)
}

/** upsmon's main loop, with the decisions left to the host machine. */
export class MonitorLoop {
  readonly #o: MonitorLoopOptions
  readonly #links = new Map<string, SupplyLink>()
  readonly #notifier: Notifier
  readonly #inbox: InboxItem[] = []
  readonly #timers = new Map<TimerId, number>()
  #state: HostState
  #interval: number
  #nextPollAt: number | undefined
  #lastRoundAt: number | undefined
  #powerDownFlag: string | undefined
  /** Supplies that pushed an update since the current poll round began. */
  readonly #pushedThisRound = new Set<string>()
  #wake: AbortController | undefined
  #outcome: MonitorOutcome | undefined
  #running = false
  /** The plan running beside the loop (keepLoginDuringShutdown), settled once its end is in the inbox. */
  #plan: Promise<void> | undefined
  /** Aborts the plan's signal: power returned. */
  #planAbort: AbortController | undefined
  /** A closeConnections waits for the shutdown to be under way. */
  #dropOnUnderway = false

  constructor(options: MonitorLoopOptions) {
    this.#o = options
    for (const link of options.links) this.#links.set(link.system, link)
    const missing = options.config.supplies.filter((s) => !this.#links.has(s.system)).map((s) => s.system)
    if (missing.length > 0) throw new Error(`Cannot start the monitor: no link for ${missing.join(", ")}`)
    this.#notifier = new Notifier({
      config: options.config,
      log: options.log,
      ...(options.runShell === undefined ? {} : { runShell: options.runShell }),
      ...(options.wall === undefined ? {} : { wall: options.wall }),
      ...(options.upssched === undefined ? {} : { upssched: options.upssched }),
      dryRun: options.dryRun === true,
    })
    this.#state = createHostState(options.config)
    this.#interval = this.#state.pollIntervalMs
    this.#powerDownFlag = options.config.powerDownFlag
  }

  /** The host machine's current state (supplies, phase, last recalc). */
  get state(): HostState {
    return this.#state
  }

  /** upsmon -c fsd: run the forced shutdown sequence now. */
  forceShutdown(reason?: string): void {
    this.#enqueue(reason === undefined ? { kind: "forceShutdown" } : { kind: "forceShutdown", reason })
  }

  /** A pushed update for one supply (issue 4 item 8), fed like a poll of that supply alone. */
  deliver(system: string, result: PollResult): void {
    this.#pushedThisRound.add(system)
    this.#enqueue({ kind: "poll", results: [{ system, result }] })
  }

  /** Wait until every NOTIFYCMD / CMDSCRIPT / wall started so far has ended. */
  settle(): Promise<void> {
    return this.#notifier.settle()
  }

  /**
   * Monitor until this host's shutdown has been handed over, or until `signal` aborts (then every
   * link logs out and closes, as upsmon does when it is stopped).
   */
  async run(signal: AbortSignal = new AbortController().signal): Promise<MonitorOutcome> {
    if (this.#running) throw new Error("Cannot run the monitor twice")
    this.#running = true
    const unwatch = [...this.#links.values()].map((link) => link.watch?.((result) => this.deliver(link.system, result)))
    const onAbort = (): void => this.#wake?.abort()
    signal.addEventListener("abort", onAbort, { once: true })
    try {
      await this.#clearFlag()
      this.#nextPollAt = this.#o.clock.now()
      while (this.#outcome === undefined) {
        if (signal.aborted) {
          if (this.#plan === undefined) break
          // stopping nutctl (which the shutdown itself may cause) must not cut the plan short
          await this.#plan
          for (let item = this.#inbox.shift(); item !== undefined && this.#outcome === undefined; item = this.#inbox.shift()) await this.#handle(item)
          continue
        }
        await this.#step(signal)
      }
    } finally {
      signal.removeEventListener("abort", onAbort)
      for (const u of unwatch) u?.()
      if (this.#outcome === undefined) for (const link of this.#links.values()) link.close()
    }
    return this.#outcome ?? { kind: "stopped" }
  }

  // ----- Scheduling -----

  /** Handle one thing that is due, or sleep until something is. */
  async #step(signal: AbortSignal): Promise<void> {
    const item = this.#inbox.shift()
    if (item !== undefined) return this.#handle(item)
    const now = this.#o.clock.now()
    const timer = earliest(this.#timers)
    if (timer !== undefined && timer.at <= now) {
      this.#timers.delete(timer.id)
      await this.#feed({ kind: "timer", id: timer.id })
      return
    }
    const upssched = this.#notifier.nextDue()
    if (upssched !== undefined && upssched <= now) {
      this.#notifier.tick(now)
      return
    }
    const polling = this.#state.phase.kind === "monitoring" || (this.#state.phase.kind === "shutdown" && this.#plan !== undefined)
    if (polling && this.#nextPollAt !== undefined && this.#nextPollAt <= now) {
      this.#startRound()
      return
    }
    const due = [timer?.at, upssched, polling ? this.#nextPollAt : undefined].filter((t): t is number => t !== undefined)
    await this.#sleep(due.length === 0 ? undefined : Math.min(...due) - now, signal)
  }

  /** Sleep `ms` (undefined: until woken); anything enqueued or the caller's abort wakes it. */
  async #sleep(ms: number | undefined, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return
    const wake = new AbortController()
    this.#wake = wake
    try {
      if (ms === undefined) await new Promise<void>((resolve) => wake.signal.addEventListener("abort", () => resolve(), { once: true }))
      else await this.#o.clock.sleep(ms, wake.signal)
    } catch {
      // woken early
    } finally {
      if (this.#wake === wake) this.#wake = undefined
    }
  }

  async #handle(item: InboxItem): Promise<void> {
    if (item.kind === "round") return this.#roundDone(item.results)
    if (item.kind === "planEnded") return this.#planEnded(item.at, item.report)
    return this.#feed(item)
  }

  #enqueue(item: InboxItem): void {
    this.#inbox.push(item)
    this.#wake?.abort()
  }

  /** One poll round: every supply at once; the results come back as one event. */
  #startRound(): void {
    this.#nextPollAt = undefined
    this.#pushedThisRound.clear()
    const budget = this.#o.runtimeBudget
    const polls = [...this.#o.config.supplies].map(async ({ system }): Promise<SupplyPoll> => {
      const link = this.#links.get(system) as SupplyLink
      try {
        const result = await link.poll(budget === undefined ? undefined : { runtime: true })
        return { system, result: budget === undefined ? result : withBudget(result, budget) }
      } catch (e) {
        // a link must not throw; if one does, it counts as a failed poll
        return { system, result: { kind: "failed", error: `INTERNAL: ${(e as Error).message}` } }
      }
    })
    void Promise.all(polls).then((results) => this.#enqueue({ kind: "round", results }))
  }

  async #roundDone(results: readonly SupplyPoll[]): Promise<void> {
    // A round's results are fed when the slowest supply has answered. A push that came meanwhile is
    // at least as new as the reply (the server pushes each change before any later reply), so the
    // reply would only take the supply back in time; a lost connection is news a push cannot bring.
    const fresh = results.filter((r) => !this.#pushedThisRound.has(r.system) || (r.result.kind === "failed" && r.result.dropped === true))
    await this.#feed({ kind: "poll", results: fresh })
    // upsmon sleeps POLLFREQ (or POLLFREQALERT) after each round
    this.#lastRoundAt = this.#o.clock.now()
    this.#nextPollAt = this.#lastRoundAt + this.#interval
  }

  // ----- Effects -----

  async #feed(event: HostEvent): Promise<void> {
    const t = nextHostState(this.#state, event, { now: this.#o.clock.now(), config: this.#o.config })
    this.#state = t.state
    for (const effect of t.effects) await this.#apply(effect)
  }

  async #apply(effect: MonitorEffect): Promise<void> {
    const { log, onRecord } = this.#o
    switch (effect.type) {
      case "notify":
        onRecord?.(effect.record)
        this.#notifier.notify(effect.record, this.#o.clock.now())
        return
      case "log":
        onRecord?.(effect.record)
        log(effect.record.level, effect.record.message)
        if (effect.wall === true) this.#notifier.wall(effect.record.message)
        return
      case "pollInterval":
        this.#interval = effect.ms
        // a pushed update can change the interval mid-sleep: the next round moves with it
        if (this.#nextPollAt !== undefined && this.#lastRoundAt !== undefined) this.#nextPollAt = this.#lastRoundAt + effect.ms
        return
      case "startTimer":
        this.#timers.set(effect.id, effect.at)
        return
      case "cancelTimer":
        this.#timers.delete(effect.id)
        return
      case "setFsd":
        return this.#setFsd(effect.system)
      case "getNumLogins":
        this.#queryNumLogins(effect.systems)
        return
      case "closeConnections":
        if (effect.when === "shutdownUnderway") this.#dropOnUnderway = true
        else this.#dropLinks()
        return
      case "requestShutdown":
        return this.#shutdown(effect.shutdownCmd)
      case "powerReturned":
        return this.#callOff(effect.reason)
    }
  }

  async #setFsd(system: string): Promise<void> {
    if (this.#o.dryRun === true) {
      this.#o.log("info", `Dry run: would set FSD on UPS ${system}`)
      return
    }
    try {
      await (this.#links.get(system) as SupplyLink).setFsd()
    } catch (e) {
      // upsmon logs and goes on: the secondaries then give up on their own after HOSTSYNC
      this.#o.log("error", `FSD set on UPS ${system} failed: ${(e as Error).message}`)
    }
  }

  #queryNumLogins(systems: readonly string[]): void {
    const queries = systems.map(async (system): Promise<[string, number | undefined]> => {
      try {
        return [system, await (this.#links.get(system) as SupplyLink).numLogins()]
      } catch (e) {
        this.#o.log("error", `Unable to get NUMLOGINS of UPS ${system}: ${(e as Error).message}`)
        return [system, undefined]
      }
    })
    void Promise.all(queries).then((answers) => this.#enqueue({ kind: "numLogins", counts: Object.fromEntries(answers) }))
  }

  /** upsmon's privileged parent: POWERDOWNFLAG first, then SHUTDOWNCMD (here: the shutdown handler). */
  async #shutdown(shutdownCmd: string | undefined): Promise<void> {
    const { clock, log, flagFile } = this.#o
    const at = clock.now()
    const flag = this.#powerDownFlag
    if (flag !== undefined && flagFile !== undefined) {
      if (this.#o.dryRun === true) log("info", `Dry run: would create POWERDOWNFLAG ${flag}`)
      else {
        try {
          await writePowerDownFlag(flagFile, flag)
        } catch (e) {
          log("error", `Failed to create power down flag! (${flag}: ${(e as Error).message})`)
        }
      }
    }
    const onUnderway = (): void => {
      if (!this.#dropOnUnderway) return
      this.#dropOnUnderway = false
      this.#dropLinks()
    }
    // only power returning aborts it: stopping nutctl (which the shutdown itself may cause) must not
    const abort = new AbortController()
    const request = shutdownCmd === undefined ? { at, onUnderway } : { at, shutdownCmd, onUnderway }
    const running = this.#o.shutdown.run(request, abort.signal).catch((e: unknown): ShutdownReport => ({ ok: false, failures: [(e as Error).message] }))
    if (this.#o.config.keepLoginDuringShutdown !== true) {
      // upsmon: its connections are gone (at the latest now), nothing is watched any more
      const report = await running
      onUnderway()
      for (const f of report.failures) log("error", f)
      this.#outcome = { kind: "shutdown", at, report }
      return
    }
    this.#planAbort = abort
    this.#plan = running.then((report) => this.#enqueue({ kind: "planEnded", at, report }))
  }

  #dropLinks(): void {
    for (const link of this.#links.values()) link.drop()
  }

  /** powerReturned: abort the plan's signal, unless an FSD we set could not be taken back. */
  #callOff(reason: string): void {
    const abort = this.#planAbort
    if (abort === undefined || abort.signal.aborted) return
    // our FSD stays on a UPS we reach over NUT (no command clears it): the secondaries go on
    // shutting down, and so must we, or the UPS's power cycle at the end would not come
    const stuck = this.#o.dryRun === true ? [] : this.#primaries().filter((system) => this.#links.get(system)?.clearFsd === undefined)
    if (stuck.length > 0) {
      this.#o.log("warning", `${reason}, but the FSD set on UPS ${stuck.join(", ")} cannot be cleared over NUT: the shutdown goes on`)
      return
    }
    abort.abort(new Error(reason))
  }

  /** The plan beside the loop has ended: the host is going down, or (called off) monitors again. */
  async #planEnded(at: number, report: ShutdownReport): Promise<void> {
    const { log, flagFile } = this.#o
    this.#plan = undefined
    this.#planAbort = undefined
    for (const f of report.failures) log("error", f)
    if (report.aborted === true) {
      if (this.#o.dryRun !== true) {
        for (const system of this.#primaries()) {
          await this.#links
            .get(system)
            ?.clearFsd?.()
            .catch((e: unknown) => log("error", `Cannot clear FSD on UPS ${system}: ${(e as Error).message}`))
        }
        // a flag left behind would make the next ordinary reboot cut the power (nutctl killpower)
        const flag = this.#powerDownFlag
        if (flag !== undefined && flagFile !== undefined) await clearPowerDownFlag(flagFile, flag).catch((e: unknown) => log("error", `Cannot remove POWERDOWNFLAG ${flag}: ${(e as Error).message}`))
      }
      await this.#feed({ kind: "shutdownAborted" })
      this.#nextPollAt ??= this.#o.clock.now()
      return
    }
    await this.#feed({ kind: "shutdownDone" })
    this.#outcome = { kind: "shutdown", at, report }
  }

  #primaries(): string[] {
    return this.#o.config.supplies.filter((s) => s.role === "primary").map((s) => s.system)
  }

  /** clear_pdflag: a flag left by our last shutdown is removed; a foreign file disables the flag. */
  async #clearFlag(): Promise<void> {
    const { flagFile, log } = this.#o
    const flag = this.#powerDownFlag
    if (flag === undefined || flagFile === undefined || this.#o.dryRun === true) return
    try {
      if ((await clearPowerDownFlag(flagFile, flag)) === "foreign") {
        log("error", `POWERDOWNFLAG (${flag}) does not contain the upsmon magic string - disabling!`)
        this.#powerDownFlag = undefined
      }
    } catch (e) {
      log("error", `Cannot check POWERDOWNFLAG ${flag}: ${(e as Error).message}`)
    }
  }
}

/** A reading of battery.runtime with the budget's verdict on it. */
function withBudget(result: PollResult, budget: RuntimeBudgetCheck): PollResult {
  if (result.kind !== "status" || result.runtime === undefined) return result
  const { needMs } = budget
  const runtime = { seconds: result.runtime.seconds, covers: budget.covers(result.runtime.seconds), ...(needMs === undefined ? {} : { needMs }) }
  return { ...result, runtime }
}

function earliest(timers: ReadonlyMap<TimerId, number>): { id: TimerId; at: number } | undefined {
  let best: { id: TimerId; at: number } | undefined
  for (const [id, at] of timers) if (best === undefined || at < best.at) best = { id, at }
  return best
}

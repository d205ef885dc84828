/**
 * The whole host: every supply's machine, upsmon's recalc (MINSUPPLIES), the poll interval, and the
 * forced-shutdown sequence of forceshutdown / sync_secondaries / doshutdown (clients/upsmon.c 2.8.0,
 * research/nut-reference.md §3.5), as data: the loop sends FSD and GET NUMLOGINS, runs the timers
 * and the shutdown when the effects say so.
 */
import { powerSum, type CriticalVerdict, type PowerSum } from "./critical.ts"
import { notifyRecord } from "./notify.ts"
import { nextSupplyState, type MonitorEnv, type Transition } from "./supply-machine.ts"
import { createSupplyState, type SupplyState } from "./supply-state.ts"
import type { DecisionCode, LogLevel, MonitorConfig, MonitorEffect, PollResult, TimerId } from "./types.ts"

/** What upsmon writes into POWERDOWNFLAG (SDMAGIC: 20 bytes, no newline); `upsmon -K` checks the prefix. */
export const POWERDOWNFLAG_CONTENT = "upsmon-shutdown-file"

/** upsmon's sync_secondaries asks for NUMLOGINS every 250 ms. */
export const NUMLOGINS_INTERVAL_MS = 250

/** Where the host is in its life. */
export type HostPhase =
  | { readonly kind: "monitoring" }
  /** Primary: FSD is set, waiting until NUMLOGINS ≤ 1 on every primary UPS or HOSTSYNC passed. */
  | { readonly kind: "syncing"; readonly since: number }
  /** SHUTDOWN was announced; the shutdown starts FINALDELAY after `since`. */
  | { readonly kind: "finalDelay"; readonly since: number }
  /** The shutdown was requested; nothing else happens. */
  | { readonly kind: "shutdown"; readonly at: number }

/** The host machine's state. */
export interface HostState {
  /** One per configured supply, in config order. */
  readonly supplies: readonly SupplyState[]
  /** Current sleep between poll rounds. */
  readonly pollIntervalMs: number
  readonly phase: HostPhase
  /** The last recalc, for status displays. */
  readonly power?: PowerSum
  /** When the `onbattery` timer is due (`onBatteryForMs`), while one runs. */
  readonly onBatteryTimerAt?: number
  /** The shutdown was asked for (`upsmon -c fsd`), not caused by power: power returning does not call it off. */
  readonly userShutdown?: boolean
  /** When power was seen back while the shutdown ran (`powerReturned` was sent). */
  readonly powerReturnedAt?: number
}

/** One supply's poll result. */
export interface SupplyPoll {
  readonly system: string
  readonly result: PollResult
}

/** What the host machine reacts to. */
export type HostEvent =
  /** Results of a poll round (one supply for a pushed update); recalc follows once. */
  | { readonly kind: "poll"; readonly results: readonly SupplyPoll[] }
  /** Time passed without new data: recalc only (DEADTIME, HOSTSYNC of secondaries). */
  | { readonly kind: "tick" }
  /** `upsmon -c fsd`: run the forced shutdown now. */
  | { readonly kind: "forceShutdown"; readonly reason?: string }
  /** Answers to `getNumLogins`; undefined where the query failed (upsmon then skips that UPS). */
  | { readonly kind: "numLogins"; readonly counts: Readonly<Record<string, number | undefined>> }
  /** A timer from `startTimer` is due. */
  | { readonly kind: "timer"; readonly id: TimerId }
  /** The shutdown plan stopped before its point of no return (after `powerReturned`): monitor again. */
  | { readonly kind: "shutdownAborted" }
  /** The shutdown plan has finished (`keepLoginDuringShutdown`): now the connections go. */
  | { readonly kind: "shutdownDone" }

/** A host that has heard from nothing yet. */
export function createHostState(config: MonitorConfig): HostState {
  return { supplies: config.supplies.map(createSupplyState), pollIntervalMs: config.pollFreqMs, phase: { kind: "monitoring" } }
}

/** Compute the host's next state and the effects to carry out, in order. */
export function nextHostState(state: HostState, event: HostEvent, env: MonitorEnv): Transition<HostState> {
  const effects: MonitorEffect[] = []
  const next = step(state, event, env, effects)
  return { state: next, effects }
}

function step(state: HostState, event: HostEvent, env: MonitorEnv, out: MonitorEffect[]): HostState {
  const { phase } = state
  switch (phase.kind) {
    case "monitoring":
      if (event.kind === "poll") return recalc(applyPolls(state, event.results, env, out), env, out)
      if (event.kind === "tick") return recalc(state, env, out)
      if (event.kind === "forceShutdown") {
        log(out, env, { level: "info", code: "USER_FSD", message: `User requested FSD${event.reason === undefined ? "" : `: ${event.reason}`}` })
        return forceShutdown({ ...state, userShutdown: true }, env, out)
      }
      if (event.kind === "timer" && event.id === "onbattery") return recalc(state, env, out)
      return state // stale timers or answers from an earlier run
    case "syncing":
      // upsmon does not poll while it waits for secondaries; late poll results are dropped.
      if (event.kind === "numLogins") return numLoginsAnswered(state, event.counts, env, out)
      if (event.kind === "timer" && event.id === "numlogins") {
        out.push({ type: "getNumLogins", systems: primarySystems(state) })
        return state
      }
      if (event.kind === "timer" && event.id === "hostsync") {
        log(out, env, { level: "info", code: "HOSTSYNC_EXPIRED", message: "Host sync timer expired, forcing shutdown" })
        out.push({ type: "cancelTimer", id: "numlogins" })
        return doShutdown(state, env, out)
      }
      return state
    case "finalDelay":
      if (event.kind === "timer" && event.id === "finaldelay") return finish(state, env, out)
      return state
    case "shutdown":
      // upsmon is gone by now; with keepLoginDuringShutdown we still poll while the plan runs
      if (event.kind === "poll" && env.config.keepLoginDuringShutdown === true) return watchPowerReturn(applyPolls(state, event.results, env, out), env, out)
      if (event.kind === "shutdownAborted") return calledOff(state, env, out)
      if (event.kind === "shutdownDone") {
        log(out, env, { level: "info", code: "SHUTDOWN_DONE", message: "The shutdown plan has finished: logging out" })
        out.push({ type: "closeConnections" })
      }
      return state
  }
}

function applyPolls(state: HostState, results: readonly SupplyPoll[], env: MonitorEnv, out: MonitorEffect[]): HostState {
  let supplies = state.supplies
  for (const { system, result } of results) {
    const i = supplies.findIndex((s) => s.supply.system === system)
    const current = supplies[i]
    if (current === undefined) continue
    const t = nextSupplyState(current, result, env)
    out.push(...t.effects)
    supplies = supplies.with(i, t.state)
  }
  return { ...state, supplies }
}

/** upsmon's recalc: DEADTIME promotion, the poll interval, critical supplies, MINSUPPLIES. */
function recalc(state: HostState, env: MonitorEnv, out: MonitorEffect[]): HostState {
  const { now, config } = env
  const supplies = state.supplies.map((s) => {
    const t = nextSupplyState(s, { kind: "tick" }, env)
    out.push(...t.effects)
    return t.state
  })
  // 2.8.0 keeps one global interval that the last OL/OB transition of any UPS sets, so one UPS
  // returning to mains slows polling while another is still on battery. We poll fast while any
  // supply is in a state that precedes trouble (newer upsmon's OB/OFF/BYPASS/CAL set).
  const alert = supplies.some((s) => s.flags.ob || s.flags.off || s.flags.bypass || s.flags.cal)
  const pollIntervalMs = alert ? config.pollFreqAlertMs : config.pollFreqMs
  if (pollIntervalMs !== state.pollIntervalMs) out.push({ type: "pollInterval", ms: pollIntervalMs })

  const power = powerSum(supplies, now, config)
  power.verdicts.forEach((v, i) => {
    const before = state.power?.verdicts[i]
    const supply = supplies[i]
    if (supply && (before === undefined || before.why !== v.why)) logVerdict(supply, v, env, out)
  })
  const { onBatteryTimerAt: _timer, ...rest } = state
  const timerAt = onBatteryTimer(state, supplies, env, out)
  const next: HostState = { ...rest, supplies, pollIntervalMs, power, ...(timerAt === undefined ? {} : { onBatteryTimerAt: timerAt }) }
  return power.mustShutDown ? forceShutdown(next, env, out) : next
}

/**
 * `onBatteryForMs`: a timer for the earliest supply still to reach it, so the verdict changes at
 * that moment and not only at the next poll (POLLFREQALERT later).
 */
function onBatteryTimer(state: HostState, supplies: readonly SupplyState[], env: MonitorEnv, out: MonitorEffect[]): number | undefined {
  const forMs = env.config.onBatteryForMs
  if (forMs === undefined) return undefined
  const due = supplies
    .filter((s) => s.flags.ob && !s.flags.cal && s.onBatterySince !== undefined)
    .map((s) => (s.onBatterySince as number) + forMs)
    .filter((at) => at > env.now)
  const at = due.length === 0 ? undefined : Math.min(...due)
  if (at !== state.onBatteryTimerAt) out.push(at === undefined ? { type: "cancelTimer", id: "onbattery" } : { type: "startTimer", id: "onbattery", at })
  return at
}

function logVerdict(supply: SupplyState, v: CriticalVerdict, env: MonitorEnv, out: MonitorEffect[]): void {
  const system = supply.supply.system
  if (v.why === "HOSTSYNC") log(out, env, { level: "warning", code: "GIVING_UP_ON_PRIMARY", message: `Giving up on the primary for UPS [${system}]`, system })
  if (v.critical) log(out, env, { level: "notice", code: "CRITICAL", message: `Critical UPS: ${system} (${v.why}${verdictDetail(v)})`, system })
  if (v.why === "CAL") {
    log(out, env, { level: "warning", code: "CAL_SUPPRESSES_OBLB", message: `UPS [${system}] is OB+LB now, but it is also calibrating - not declaring a critical state`, system })
  }
}

/** Why RUNTIME and ON-BATTERY-FOR are critical, in words. */
function verdictDetail(v: CriticalVerdict): string {
  const s = (ms: number): string => `${Math.round(ms / 1000)} s`
  if (v.why === "RUNTIME") return `: battery.runtime ${v.runtimeS} s no longer covers the shutdown plan${v.needMs === undefined ? "" : `'s ${s(v.needMs)}`}`
  if (v.why === "ON-BATTERY-FOR") return ": on battery for longer than shutdown.when.onBatteryFor"
  return ""
}

/**
 * While the plan runs (`keepLoginDuringShutdown`): power is back when every supply that powers
 * this host is on line again and none is critical. A primary's own FSD does not count (it set the
 * latch itself; the loop clears it when the plan stops); a secondary's FSD does: the primary has
 * not called the shutdown off. A shutdown the user asked for is never called off.
 */
function watchPowerReturn(state: HostState, env: MonitorEnv, out: MonitorEffect[]): HostState {
  if (state.userShutdown === true || state.powerReturnedAt !== undefined) return state
  const powering = state.supplies.filter((s) => s.supply.powerValue > 0)
  if (powering.length === 0) return state
  // on line and not on battery, a supply is critical only through FSD (critical.ts)
  const back = powering.every((s) => s.comm === "ok" && s.flags.ol && !s.flags.ob && (s.supply.role === "primary" || !s.flags.fsd))
  if (!back) return state
  const reason = `Power returned (${powering.map((s) => `${s.supply.system}: ${s.lastStatus ?? "?"}`).join(", ")})`
  log(out, env, { level: "notice", code: "POWER_RETURNED", message: `${reason} while the shutdown runs: calling it off unless it passed its point of no return` })
  out.push({ type: "powerReturned", reason })
  return { ...state, powerReturnedAt: env.now }
}

/** The plan stopped before its point of no return: back to monitoring, the primary's FSD latch cleared. */
function calledOff(state: HostState, env: MonitorEnv, out: MonitorEffect[]): HostState {
  log(out, env, { level: "notice", code: "SHUTDOWN_CALLED_OFF", message: "The shutdown was called off before its point of no return: monitoring again" })
  const { userShutdown: _user, powerReturnedAt: _back, ...rest } = state
  // the loop has cleared the FSD latch we set; the next poll would say so too
  const supplies = state.supplies.map((s) => (s.supply.role === "primary" && s.flags.fsd ? { ...s, flags: { ...s.flags, fsd: false } } : s))
  return recalc({ ...rest, supplies, phase: { kind: "monitoring" } }, env, out)
}

/** forceshutdown: FSD on every supply we are primary for, then wait for secondaries; else shut down. */
function forceShutdown(state: HostState, env: MonitorEnv, out: MonitorEffect[]): HostState {
  const primaries = primarySystems(state)
  if (primaries.length === 0) return doShutdown(state, env, out)
  for (const system of primaries) {
    log(out, env, { level: "info", code: "SET_FSD", message: `Setting FSD on UPS ${system}`, system })
    out.push({ type: "setFsd", system })
  }
  log(out, env, { level: "info", code: "WAITING_FOR_SECONDARIES", message: "This system is a primary... waiting for secondaries to logout..." })
  // upsmon checks HOSTSYNC only between NUMLOGINS answers (each may take up to its 10 s network
  // timeout); a timer caps the wait at HOSTSYNC even when the answers hang.
  out.push({ type: "startTimer", id: "hostsync", at: env.now + env.config.hostSyncMs })
  out.push({ type: "getNumLogins", systems: primaries })
  return { ...state, phase: { kind: "syncing", since: env.now } }
}

function numLoginsAnswered(state: HostState, counts: Readonly<Record<string, number | undefined>>, env: MonitorEnv, out: MonitorEffect[]): HostState {
  // Only the primary UPSes count; a failed query adds nothing, so if every query fails the wait ends
  // (maxlogins stays 0 in upsmon).
  let max = 0
  for (const system of primarySystems(state)) {
    const n = counts[system]
    if (n !== undefined && n > max) max = n
  }
  if (max <= 1) {
    log(out, env, { level: "info", code: "SECONDARIES_GONE", message: "All secondaries have logged out" })
    out.push({ type: "cancelTimer", id: "hostsync" })
    return doShutdown(state, env, out)
  }
  out.push({ type: "startTimer", id: "numlogins", at: env.now + NUMLOGINS_INTERVAL_MS })
  return state
}

/** doshutdown: announce, SHUTDOWN notification, FINALDELAY, then the shutdown itself. */
function doShutdown(state: HostState, env: MonitorEnv, out: MonitorEffect[]): HostState {
  log(out, env, { level: "crit", code: "POWERFAIL_SHUTDOWN", message: "Executing automatic power-fail shutdown", wall: true })
  out.push({ type: "notify", record: notifyRecord({ type: "SHUTDOWN" }, env) })
  if (env.config.finalDelayMs <= 0) return finish(state, env, out)
  out.push({ type: "startTimer", id: "finaldelay", at: env.now + env.config.finalDelayMs })
  return { ...state, phase: { kind: "finalDelay", since: env.now } }
}

/**
 * The end of doshutdown: upsmon's child hands over to the privileged parent and exits, which closes
 * its connections (no LOGOUT) while the parent writes POWERDOWNFLAG and runs SHUTDOWNCMD.
 */
function finish(state: HostState, env: MonitorEnv, out: MonitorEffect[]): HostState {
  log(out, env, { level: "crit", code: "SHUTDOWN_REQUESTED", message: "Running the shutdown" })
  // nutctl keeps its logins until the plan is done (shutdownDone): see MonitorConfig
  if (env.config.keepLoginDuringShutdown !== true) out.push({ type: "closeConnections", when: "shutdownUnderway" })
  const { powerDownFlag, shutdownCmd } = env.config
  out.push({ type: "requestShutdown", ...(powerDownFlag === undefined ? {} : { powerDownFlag }), ...(shutdownCmd === undefined ? {} : { shutdownCmd }) })
  return { ...state, phase: { kind: "shutdown", at: env.now } }
}

function primarySystems(state: HostState): string[] {
  return state.supplies.filter((s) => s.supply.role === "primary").map((s) => s.supply.system)
}

/** What one decision record says. */
interface Decision {
  readonly level: LogLevel
  readonly code: DecisionCode
  readonly message: string
  readonly system?: string
  /** Also send the message to logged-in users. */
  readonly wall?: boolean
}

function log(out: MonitorEffect[], env: MonitorEnv, d: Decision): void {
  const record = { kind: "decision", at: env.now, level: d.level, code: d.code, message: d.message, ...(d.system === undefined ? {} : { system: d.system }) } as const
  out.push(d.wall === true ? { type: "log", record, wall: true } : { type: "log", record })
}

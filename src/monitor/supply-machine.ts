/**
 * The per-supply state machine: upsmon's parse_status / ups_is_alive / ups_is_gone and the DEADTIME
 * promotion of recalc (clients/upsmon.c, 2.8.0), as a pure function of (state, event, now, config).
 */
import { STATUS_WORDS } from "../ups/index.ts"
import { notifyRecord, type NotifyInit } from "./notify.ts"
import type { SupplyFlags, SupplyState } from "./supply-state.ts"
import type { DecisionRecord, MonitorConfig, MonitorEffect, PollResult } from "./types.ts"

/** What a supply machine reacts to: a poll result, or time passing (DEADTIME). */
export type SupplyEvent = PollResult | { readonly kind: "tick" }

/** `now` (ms since the epoch) and the monitor's configuration. */
export interface MonitorEnv {
  readonly now: number
  readonly config: MonitorConfig
}

/** A transition's result. */
export interface Transition<S> {
  readonly state: S
  readonly effects: readonly MonitorEffect[]
}

/**
 * Tokens that are set and cleared with a notification each way. 2.8.0 knows only CAL and never
 * clears it (after one calibration OB+LB stays non-critical until upsmon restarts: a bug fixed in
 * 2.8.2 with NOTCAL); we clear it like 2.8.2+ does. OFF/BYPASS/OVER/TRIM/BOOST come from newer
 * upsmon and only notify: 2.8.0's critical decision does not look at them.
 */
const TOGGLES = [
  { word: "CAL", flag: "cal", on: "CAL", off: "NOTCAL" },
  { word: "OFF", flag: "off", on: "OFF", off: "NOTOFF" },
  { word: "BYPASS", flag: "bypass", on: "BYPASS", off: "NOTBYPASS" },
  { word: "OVER", flag: "over", on: "OVER", off: "NOTOVER" },
  { word: "TRIM", flag: "trim", on: "TRIM", off: "NOTTRIM" },
  { word: "BOOST", flag: "boost", on: "BOOST", off: "NOTBOOST" },
] as const

/** Compute the next state of one supply. */
export function nextSupplyState(state: SupplyState, event: SupplyEvent, env: MonitorEnv): Transition<SupplyState> {
  switch (event.kind) {
    case "status":
      // upsmon: "empty response is the same as a dead ups".
      return event.status === "" ? pollFailed(state, "EMPTY-STATUS", false, env) : statusSeen(state, event, env)
    case "failed":
      return pollFailed(state, event.error, event.dropped === true, env)
    case "tick":
      return promoteDead(state, env)
  }
}

/**
 * recalc's DEADTIME rule: a supply not polled successfully for more than DEADTIME whose last known
 * state was OB gets LB (without a LOWBATT notification). A supply last seen OL is left alone, so
 * losing contact while on line power never shuts down.
 */
function promoteDead(state: SupplyState, env: MonitorEnv): Transition<SupplyState> {
  const { flags } = state
  if (!flags.ob || flags.lb || state.lastPollAt === undefined) return { state, effects: [] }
  if (env.now - state.lastPollAt <= env.config.deadTimeMs) return { state, effects: [] }
  const record: DecisionRecord = {
    kind: "decision",
    at: env.now,
    level: "warning",
    code: "DEAD_PROMOTED",
    system: state.supply.system,
    message: `UPS ${state.supply.system} not heard from for more than DEADTIME while on battery: treating it as OB LB`,
  }
  return { state: { ...state, flags: { ...flags, lb: true }, deadPromoted: true }, effects: [{ type: "log", record }] }
}

/** ups_is_gone: COMMBAD on the first failure, NOCOMM later (and repeated) after NOCOMMWARNTIME. */
function pollFailed(state: SupplyState, error: string, dropped: boolean, env: MonitorEnv): Transition<SupplyState> {
  const { now, config } = env
  const system = state.supply.system
  const effects: MonitorEffect[] = []
  let next: SupplyState = { ...state, lastError: error }
  // upsmon logs every failed poll; we log each new error once (newer upsmon's POLLFAIL_LOG_THROTTLE_MAX 0).
  if (state.lastError !== error) {
    effects.push({ type: "log", record: { kind: "decision", at: now, level: "error", code: "POLL_FAILED", system, message: `Poll UPS [${system}] failed - ${error}` } })
  }
  if (state.comm !== "lost") {
    next = { ...next, comm: "lost" }
    effects.push(notify({ type: "COMMBAD", system }, env))
  } else {
    // A supply never reached counts from the epoch in upsmon, so NOCOMM comes with its second failure.
    const sincePoll = state.lastPollAt === undefined ? Infinity : now - state.lastPollAt
    const sinceWarn = state.lastNoCommWarnAt === undefined ? Infinity : now - state.lastNoCommWarnAt
    if (sincePoll >= config.noCommWarnTimeMs && sinceWarn > config.noCommWarnTimeMs) {
      next = { ...next, lastNoCommWarnAt: now }
      effects.push(notify({ type: "NOCOMM", system }, env))
    }
  }
  // drop_connection: the next OL transition after reconnecting is announced again.
  if (dropped) next = { ...next, comm: "lost", line: "not-online" }
  return { state: next, effects }
}

/** parse_status for a non-empty `ups.status`. */
function statusSeen(state: SupplyState, poll: Extract<PollResult, { kind: "status" }>, env: MonitorEnv): Transition<SupplyState> {
  const { status, alarm } = poll
  const { now, config } = env
  const system = state.supply.system
  const effects: MonitorEffect[] = []
  const say = (init: Omit<NotifyInit, "system" | "status">): void => {
    effects.push(notify({ ...init, system, status }, env))
  }
  const { lastError: _lastError, ...rest } = state
  const s: Mutable<SupplyState> = { ...rest, lastPollAt: now, lastStatus: status, deadPromoted: false }
  const flags: Mutable<SupplyFlags> = { ...state.flags }

  // ups_is_alive
  if (state.comm === "lost") say({ type: "COMMOK" })
  s.comm = "ok"

  // upsmon splits on single spaces and compares words case-insensitively.
  const words = status.split(" ").filter((w) => w !== "").map((w) => w.toUpperCase())
  const has = (w: string): boolean => words.includes(w)
  // "Clear these out early if they disappear": silently for LB and FSD. upsmon tests for the
  // substring (case-sensitive), which for a lower-case status re-sends LOWBATT on every poll;
  // we test for the word.
  if (!has("LB")) flags.lb = false
  if (!has("FSD")) flags.fsd = false
  for (const t of TOGGLES) {
    if (flags[t.flag] && !has(t.word)) {
      flags[t.flag] = false
      say({ type: t.off })
    }
  }
  if (flags.alarm && !has("ALARM")) {
    flags.alarm = false
    delete s.alarmText
    say({ type: "NOTALARM" })
  }
  const other = words.filter((w) => !Object.hasOwn(STATUS_WORDS, w))
  if (other.length === 0 && state.other.length > 0) say({ type: "NOTOTHER" })

  for (const word of words) {
    switch (word) {
      case "OL": // ups_on_line
        if (!flags.ol) {
          if (s.line !== "unknown") say({ type: "ONLINE" })
          s.line = "online"
          flags.ol = true
          flags.ob = false
          delete s.onBatterySince
        }
        break
      case "OB": // ups_on_batt
        if (!flags.ob) {
          s.line = "not-online"
          say({ type: "ONBATT" })
          flags.ob = true
          flags.ol = false
          // shutdown.when.onBatteryFor counts from here
          s.onBatterySince = now
        }
        break
      case "LB":
        if (!flags.lb) {
          say({ type: "LOWBATT" })
          flags.lb = true
        }
        break
      case "RB": // at most every RBWARNTIME, the first one at once
        if (s.lastRbWarnAt === undefined || now - s.lastRbWarnAt > config.rbWarnTimeMs) {
          say({ type: "REPLBATT" })
          s.lastRbWarnAt = now
        }
        break
      case "ALARM":
        if (!flags.alarm) {
          flags.alarm = true
          say({ type: "ALARM", detail: alarm ?? "n/a" })
          if (alarm !== undefined) s.alarmText = alarm
        } else if (alarm !== undefined && alarm !== s.alarmText) {
          // Newer upsmon notifies again when the alarm text changes.
          say({ type: "ALARM", detail: alarm })
          s.alarmText = alarm
        }
        break
      case "FSD": // "do it last to override any possible OL": FSD wins whatever the order
        if (!flags.fsd) {
          say({ type: "FSD" })
          flags.fsd = true
        }
        break
      default: {
        const t = TOGGLES.find((x) => x.word === word)
        if (t && !flags[t.flag]) {
          flags[t.flag] = true
          say({ type: t.on })
        }
      }
    }
    // update_crittimer after every word: the secondary's HOSTSYNC clock runs only while OB+LB (not CAL).
    if (!flags.ob || !flags.lb || flags.cal) s.lastNonCritAt = now
  }

  if (other.length > 0 && other.join(" ") !== state.other.join(" ")) say({ type: "OTHER", detail: other.join(" ") })
  s.other = other
  s.flags = flags
  // battery.runtime only matters on battery; a pushed status (no runtime) keeps the last reading
  if (!flags.ob) delete s.runtime
  else if (poll.runtime !== undefined) s.runtime = poll.runtime
  return { state: s, effects }
}

function notify(init: NotifyInit, env: MonitorEnv): MonitorEffect {
  return { type: "notify", record: notifyRecord(init, env) }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * `nutctl check`'s judgement, with no I/O: what one UPS's readings mean in Nagios states
 * (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), one finding per condition, and the perfdata.
 * Nagios plugin guidelines: https://nagios-plugins.org/doc/guidelines.html (thresholds as ranges,
 * `10:` = alert below 10).
 */
import { describeStatus, parseStatus } from "../ups/index.ts"

/** Nagios service states, which are also the exit codes. */
export const NAGIOS = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const
export type NagiosState = (typeof NAGIOS)[keyof typeof NAGIOS]
export const STATE_NAMES: Readonly<Record<NagiosState, string>> = { 0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN" }

/** Why a UPS could not be read. */
export type ReadProblem =
  | { readonly kind: "unreachable"; readonly message: string }
  | { readonly kind: "stale" | "no-driver" | "unknown-ups" | "refused"; readonly message: string }

/** What was read from one UPS. */
export interface UpsReading {
  /** `ups@host:port`. */
  readonly target: string
  readonly ups: string
  readonly problem?: ReadProblem
  readonly vars: Readonly<Record<string, string>>
  /** GET NUMLOGINS: upsmon logins (the primary's own included). */
  readonly numLogins?: number
  /** LIST CLIENT: their addresses. */
  readonly clients?: readonly string[]
}

/** Limits; 0 (or undefined) switches a check off. */
export interface CheckLimits {
  /** battery.charge below this (%) → WARNING. @default 50 */
  readonly warnCharge: number
  /** battery.charge below this (%) → CRITICAL. @default 20 */
  readonly critCharge: number
  /** battery.runtime below this (s) → WARNING. @default 600 */
  readonly warnRuntime: number
  /** battery.runtime below this (s) → CRITICAL. @default 300 */
  readonly critRuntime: number
  /** What the shutdown plan needs (s): runtime below it → CRITICAL, below 1.5 × → WARNING. */
  readonly need?: { readonly seconds: number; readonly source: string }
  /** Logins expected on this UPS (primary + secondaries); fewer → WARNING. */
  readonly expectLogins?: number
  /** How long ago nutctl last saw the self-test result change (ms), and the limit. */
  readonly selftest?: { readonly ageMs: number | undefined; readonly maxAgeMs: number; readonly action?: Finding }
}

export const DEFAULT_LIMITS: CheckLimits = { warnCharge: 50, critCharge: 20, warnRuntime: 600, critRuntime: 300 }

/** One condition that was looked at. */
export interface Finding {
  readonly check: "server" | "status" | "charge" | "runtime" | "need" | "battery" | "selftest" | "logins" | "executors"
  readonly state: NagiosState
  readonly text: string
}

/** One Nagios perfdata item: `'label'=value[uom];warn;crit;min;max`. */
export interface PerfDatum {
  readonly label: string
  readonly value: number
  /** Only the units the plugin guidelines list (a volt is a plain number). */
  readonly uom: "" | "%" | "s"
  readonly warn?: string
  readonly crit?: string
  readonly min?: number
  readonly max?: number
}

/** The verdict on one UPS. */
export interface UpsVerdict {
  readonly target: string
  readonly ups: string
  readonly state: NagiosState
  /** ups.status in words with charge and runtime (`on line, charging, charge 80 %, runtime 31 min`), or the read problem. */
  readonly summary: string
  readonly findings: readonly Finding[]
  readonly perfdata: readonly PerfDatum[]
}

/** Judge one UPS. */
export function evaluateUps(reading: UpsReading, limits: CheckLimits): UpsVerdict {
  const findings: Finding[] = []
  const perfdata: PerfDatum[] = []
  const add = (check: Finding["check"], state: NagiosState, text: string): void => void findings.push({ check, state, text })
  if (reading.problem !== undefined) {
    // a UPS the server does not have, or a refusal, is a config matter; the rest means no data
    const state = reading.problem.kind === "unknown-ups" || reading.problem.kind === "refused" ? NAGIOS.UNKNOWN : NAGIOS.CRITICAL
    add("server", state, reading.problem.message)
    addLogins(reading, limits, add, perfdata)
    return verdict(reading, findings, perfdata, reading.problem.message)
  }
  const v = reading.vars
  const status = v["ups.status"] ?? ""
  const words = parseStatus(status)
  const has = (w: string): boolean => words.includes(w)
  const described = describeStatus(status)
  if (words.length === 0) add("status", NAGIOS.UNKNOWN, "the UPS reports no ups.status")
  else if (has("FSD")) add("status", NAGIOS.CRITICAL, "forced shutdown (FSD) in progress")
  else if (has("OB") && has("LB")) add("status", NAGIOS.CRITICAL, "on battery and the battery is low: shutdown imminent")
  else if (has("OFF")) add("status", NAGIOS.CRITICAL, "the UPS output is off")
  else if (has("OB")) add("status", NAGIOS.WARNING, "on battery")
  else if (has("LB")) add("status", NAGIOS.WARNING, "battery low")
  else add("status", NAGIOS.OK, described)
  if (has("OVER")) add("status", NAGIOS.WARNING, "overloaded")
  if (has("BYPASS")) add("status", NAGIOS.WARNING, "on bypass: the load is not protected")
  if (has("ALARM")) add("status", NAGIOS.WARNING, `alarm${v["ups.alarm"] ? `: ${v["ups.alarm"]}` : ""}`)
  if (has("RB")) add("battery", NAGIOS.WARNING, "replace the battery (RB)")

  const charge = num(v["battery.charge"])
  if (charge !== undefined) {
    perfdata.push({ label: "charge", value: charge, uom: "%", ...range(limits.warnCharge, limits.critCharge), min: 0, max: 100 })
    if (limits.critCharge > 0 && charge < limits.critCharge) add("charge", NAGIOS.CRITICAL, `charge ${charge} % < ${limits.critCharge} %`)
    else if (limits.warnCharge > 0 && charge < limits.warnCharge) add("charge", NAGIOS.WARNING, `charge ${charge} % < ${limits.warnCharge} %`)
  }
  const runtime = num(v["battery.runtime"])
  if (runtime !== undefined) {
    perfdata.push({ label: "runtime", value: runtime, uom: "s", ...range(limits.warnRuntime, limits.critRuntime), min: 0 })
    if (limits.critRuntime > 0 && runtime < limits.critRuntime) add("runtime", NAGIOS.CRITICAL, `runtime ${minutes(runtime)} < ${minutes(limits.critRuntime)}`)
    else if (limits.warnRuntime > 0 && runtime < limits.warnRuntime) add("runtime", NAGIOS.WARNING, `runtime ${minutes(runtime)} < ${minutes(limits.warnRuntime)}`)
    if (limits.need !== undefined) {
      const need = limits.need.seconds
      perfdata.push({ label: "need", value: need, uom: "s", min: 0 })
      if (runtime < need) add("need", NAGIOS.CRITICAL, `runtime ${minutes(runtime)} does not cover the shutdown plan's ${minutes(need)} (${limits.need.source})`)
      else if (runtime < need * 1.5) add("need", NAGIOS.WARNING, `runtime ${minutes(runtime)} leaves little room over the shutdown plan's ${minutes(need)} (${limits.need.source})`)
    }
  }
  const load = num(v["ups.load"])
  if (load !== undefined) perfdata.push({ label: "load", value: load, uom: "%", min: 0, max: 100 })
  const volts = num(v["input.voltage"])
  if (volts !== undefined) perfdata.push({ label: "input_voltage", value: volts, uom: "", min: 0 })
  const test = v["ups.test.result"]
  if (test !== undefined) {
    if (/fail|error/i.test(test)) add("selftest", NAGIOS.CRITICAL, `last self-test: ${test}`)
    else if (/warning/i.test(test)) add("selftest", NAGIOS.WARNING, `last self-test: ${test}`)
    else add("selftest", NAGIOS.OK, `last self-test: ${test}`)
  }
  const st = limits.selftest
  if (st !== undefined && st.maxAgeMs > 0) {
    if (st.action !== undefined) add(st.action.check, st.action.state, st.action.text)
    else if (st.ageMs !== undefined && st.ageMs > st.maxAgeMs && !has("TEST")) {
      add("selftest", NAGIOS.WARNING, `no new self-test result for ${days(st.ageMs)} (limit ${days(st.maxAgeMs)})`)
    }
  }
  addLogins(reading, limits, add, perfdata)
  const figures = [charge !== undefined ? `charge ${charge} %` : "", runtime !== undefined ? `runtime ${minutes(runtime)}` : ""].filter((f) => f !== "")
  return verdict(reading, findings, perfdata, [described, ...figures].join(", "))
}

function addLogins(reading: UpsReading, limits: CheckLimits, add: (c: Finding["check"], s: NagiosState, t: string) => void, perfdata: PerfDatum[]): void {
  if (reading.numLogins === undefined) return
  const n = reading.numLogins
  const expected = limits.expectLogins
  perfdata.push({ label: "logins", value: n, uom: "", ...(expected !== undefined ? { warn: `${expected}:` } : {}), min: 0 })
  const who = reading.clients && reading.clients.length > 0 ? ` (${reading.clients.join(", ")})` : ""
  if (expected !== undefined && n < expected) add("logins", NAGIOS.WARNING, `${n} of ${expected} upsmon logins${who}`)
  else add("logins", NAGIOS.OK, `${n} upsmon login${n === 1 ? "" : "s"}${expected !== undefined ? ` of ${expected}` : ""}${who}`)
}

function verdict(reading: UpsReading, findings: Finding[], perfdata: PerfDatum[], summary: string): UpsVerdict {
  return { target: reading.target, ups: reading.ups, state: worst(findings.map((f) => f.state)), summary, findings, perfdata }
}

/**
 * The worst of several states: CRITICAL > WARNING > UNKNOWN > OK, as Nagios plugins that check
 * several things report it (UNKNOWN only wins over OK).
 */
export function worst(states: readonly NagiosState[]): NagiosState {
  const rank = (s: NagiosState): number => [0, 2, 3, 1][s] as number
  return states.reduce<NagiosState>((a, b) => (rank(b) > rank(a) ? b : a), NAGIOS.OK)
}

/** Warn/crit as Nagios ranges that alert below the limit (`50:`); a 0 limit is left out. */
function range(warn: number, crit: number): { warn?: string; crit?: string } {
  return { ...(warn > 0 ? { warn: `${warn}:` } : {}), ...(crit > 0 ? { crit: `${crit}:` } : {}) }
}

function num(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined
  const n = Number(text)
  return Number.isFinite(n) ? n : undefined
}

function minutes(seconds: number): string {
  return seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`
}

function days(ms: number): string {
  const d = ms / 86_400_000
  return d >= 2 ? `${Math.floor(d)} days` : `${Math.round(ms / 3_600_000)} h`
}

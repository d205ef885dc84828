// ups.status, ups.alarm and input.transfer.reason from the raw status facts, as usbhid-ups 2.8.0
// composes them (ups_status_set / ups_alarm_set, research/nut-reference.md §4.1), plus the two
// knobs NUT grew later for APC Back-UPS BX/BK/BVK firmwares: onlinedischarge_* (nut#1970) and the
// LB/RB debounce lbrb_log_delay_sec (nut#2347). Pure: the time comes in, nothing is logged.
import type { StatusFact } from "./types.ts"

/** What to make of a UPS that says "AC present" and "discharging" at once (NUT's onlinedischarge_* options). */
export type OnlineDischarge =
  /** NUT's default: publish `OL DISCHRG` (and warn). BK650M2-CH does this while on line. */
  | "online"
  /** `onlinedischarge_onbattery`: publish `OB DISCHRG` (CyberPower UT series on battery). */
  | "onbattery"
  /** `onlinedischarge_calibration`: publish `OL DISCHRG CAL` (APC BX around calibration). */
  | "calibration"

export interface StatusOptions {
  readonly onlineDischarge: OnlineDischarge
  /** LB/RB raised while on line must persist longer than this before they are published; 0 = off. */
  readonly lbrbDelayMs: number
  /** Apply the delay even when the UPS is not (known to be) calibrating. */
  readonly lbrbWithoutCalibrating: boolean
}

/** What the debounce remembers between compositions. */
export interface StatusMemory {
  readonly lbSince?: number
  readonly rbSince?: number
  readonly lbShown?: boolean
  readonly rbShown?: boolean
}

export interface ComposedStatus {
  /** `ups.status`; "" when nothing is known (no flag is ever invented). */
  readonly status: string
  /** `ups.alarm` words, in NUT's order; empty = no alarm. */
  readonly alarms: readonly string[]
  /** `input.transfer.reason`, or undefined to remove it. */
  readonly transferReason: string | undefined
  readonly memory: StatusMemory
  /** When a debounced LB/RB would become visible: compose again then. */
  readonly recheckAt: number | undefined
  /** The UPS reports OL and DISCHRG together (log it; NUT warns too). */
  readonly onlineDischarging: boolean
}

// ups_alarm_set() of usbhid-ups 2.8.0, in its order
const ALARMS: ReadonlyArray<readonly [StatusFact, string]> = [
  ["replacebatt", "Replace battery!"],
  ["shutdownimm", "Shutdown imminent!"],
  ["fanfail", "Fan failure!"],
  ["nobattery", "No battery installed!"],
  ["battvoltlo", "Battery voltage too low!"],
  ["battvolthi", "Battery voltage too high!"],
  ["chargerfail", "Battery charger fail!"],
  ["overheat", "Temperature too high!"],
  ["commfault", "Internal UPS fault!"],
  ["awaitingpower", "Awaiting power!"],
  ["bypassauto", "Automatic bypass mode!"],
  ["bypassman", "Manual bypass mode!"],
]

/**
 * Composes the status words in usbhid-ups 2.8.0's order: `OB`|`OL`, `DISCHRG`|`CHRG`, `LB`,
 * `OVER`, `RB`, `TRIM`, `BOOST`, `BYPASS`, `OFF`, `CAL`, with `ALARM ` in front while an alarm is
 * active (the 2.8.0 dstate core does that).
 */
export function composeStatus(facts: ReadonlyMap<StatusFact, boolean>, options: StatusOptions, memory: StatusMemory, now: number): ComposedStatus {
  const has = (fact: StatusFact): boolean => facts.get(fact) === true
  const words: string[] = []
  const online = facts.get("online")
  const discharging = has("discharging")
  const onlineDischarging = online === true && discharging
  let calibrating = has("calibrating")
  if (online === false) words.push("OB")
  else if (online === true) {
    if (discharging && options.onlineDischarge === "onbattery") words.push("OB")
    else words.push("OL")
    if (discharging && options.onlineDischarge === "calibration") calibrating = true
  } else if (discharging) {
    // Deliberate difference: NUT's bitmask reads "never told" as "not online" and says OB; we
    // only conclude OB from a discharging battery, so an unread ACPresent invents no flag.
    words.push("OB")
  }
  const publishedOnline = words[0] === "OL"
  if (discharging && !has("depleted")) words.push("DISCHRG")
  if (has("charging") && !has("fullycharged")) words.push("CHRG")

  // LB / RB debounce: only while on line (an outage is never delayed), and only while calibrating
  // unless lbrbWithoutCalibrating. Once published, a flag stays until the UPS clears it.
  const debouncing = options.lbrbDelayMs > 0 && publishedOnline && (calibrating || options.lbrbWithoutCalibrating)
  let recheckAt: number | undefined
  const debounce = (raw: boolean, since: number | undefined, shown: boolean | undefined) => {
    if (!raw) return { show: false, since: undefined }
    const start = since ?? now
    if (shown === true || !debouncing || now - start > options.lbrbDelayMs) return { show: true, since: start }
    const due = start + options.lbrbDelayMs + 1
    recheckAt = recheckAt === undefined ? due : Math.min(recheckAt, due)
    return { show: false, since: start }
  }
  const lb = debounce(has("lowbatt") || has("timelimitexp") || has("shutdownimm"), memory.lbSince, memory.lbShown)
  const rb = debounce(has("replacebatt") || has("nobattery"), memory.rbSince, memory.rbShown)

  if (lb.show) words.push("LB")
  if (has("overload")) words.push("OVER")
  if (rb.show) words.push("RB")
  if (has("trim")) words.push("TRIM")
  if (has("boost")) words.push("BOOST")
  if (has("bypassauto") || has("bypassman")) words.push("BYPASS")
  if (has("off")) words.push("OFF")
  if (calibrating) words.push("CAL")

  // An alarm about a flag still being debounced would defeat the debounce (ALARM prefix).
  const hidden = new Set<StatusFact>([...(lb.show ? [] : (["shutdownimm"] as const)), ...(rb.show ? [] : (["replacebatt", "nobattery"] as const))])
  const alarms = ALARMS.filter(([fact]) => has(fact) && !hidden.has(fact)).map(([, text]) => text)
  const status = (alarms.length > 0 ? ["ALARM", ...words] : words).join(" ")
  const transferReason = has("vrange") ? "input voltage out of range" : has("frange") ? "input frequency out of range" : undefined
  return {
    status,
    alarms,
    transferReason,
    memory: { ...optional("lbSince", lb.since), ...optional("rbSince", rb.since), lbShown: lb.show, rbShown: rb.show },
    recheckAt,
    onlineDischarging,
  }
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>)
}

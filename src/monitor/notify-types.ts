/**
 * upsmon's notify types with their stock messages and default flags (research/nut-reference.md §3.2).
 * The first eleven are upsmon 2.8.0's table (clients/upsmon.h); the rest are the types newer upsmon
 * (2.8.1 … master) added, with the stock texts of its upsmon.conf sample. SHUTDOWN_HOSTSYNC and the
 * SUSPEND_* types are left out: nutctl never raises them (no suspend detection; the primary's wait is
 * reported as a record, not a notification).
 */

/** Where a notification goes (NOTIFYFLAG words, lower-cased). */
export interface NotifyFlags {
  readonly syslog: boolean
  readonly wall: boolean
  readonly exec: boolean
  /** Wins over the others: upsmon returns before doing anything. */
  readonly ignore: boolean
}

const SYSLOG_WALL: NotifyFlags = { syslog: true, wall: true, exec: false, ignore: false }
const SYSLOG_ONLY: NotifyFlags = { syslog: true, wall: false, exec: false, ignore: false }

/** Stock message (`%s` = the UPS as written in MONITOR) and default flags of every type. */
export const NOTIFY_DEFAULTS = {
  ONLINE: { message: "UPS %s on line power", flags: SYSLOG_WALL },
  ONBATT: { message: "UPS %s on battery", flags: SYSLOG_WALL },
  LOWBATT: { message: "UPS %s battery is low", flags: SYSLOG_WALL },
  FSD: { message: "UPS %s: forced shutdown in progress", flags: SYSLOG_WALL },
  COMMOK: { message: "Communications with UPS %s established", flags: SYSLOG_WALL },
  COMMBAD: { message: "Communications with UPS %s lost", flags: SYSLOG_WALL },
  SHUTDOWN: { message: "Auto logout and shutdown proceeding", flags: SYSLOG_WALL },
  REPLBATT: { message: "UPS %s battery needs to be replaced", flags: SYSLOG_WALL },
  NOCOMM: { message: "UPS %s is unavailable", flags: SYSLOG_WALL },
  NOPARENT: { message: "upsmon parent process died - shutdown impossible", flags: SYSLOG_WALL },
  // 2.8.0's table gives CAL only SYSLOG (master later made it SYSLOG+WALL); NOTCAL follows CAL.
  CAL: { message: "UPS %s: calibration in progress", flags: SYSLOG_ONLY },
  NOTCAL: { message: "UPS %s: calibration finished", flags: SYSLOG_ONLY },
  OFF: { message: "UPS %s: administratively OFF or asleep", flags: SYSLOG_WALL },
  NOTOFF: { message: "UPS %s: no longer administratively OFF or asleep", flags: SYSLOG_WALL },
  BYPASS: { message: "UPS %s: on bypass (powered, not protecting)", flags: SYSLOG_WALL },
  NOTBYPASS: { message: "UPS %s: no longer on bypass", flags: SYSLOG_WALL },
  // ECO lives in ups.mode.buzzwords, which nutctl (like 2.8.0) does not poll: configurable, never raised.
  ECO: { message: "UPS %s: in ECO mode (as defined by vendor)", flags: SYSLOG_WALL },
  NOTECO: { message: "UPS %s: no longer in ECO mode", flags: SYSLOG_WALL },
  // The second %s is ups.alarm.
  ALARM: { message: "UPS %s: one or more active alarms: [%s]", flags: SYSLOG_WALL },
  NOTALARM: { message: "UPS %s is no longer in an alarm state (no active alarms)", flags: SYSLOG_WALL },
  OVER: { message: "UPS %s: overloaded", flags: SYSLOG_WALL },
  NOTOVER: { message: "UPS %s: no longer overloaded", flags: SYSLOG_WALL },
  TRIM: { message: "UPS %s: trimming incoming voltage", flags: SYSLOG_WALL },
  NOTTRIM: { message: "UPS %s: no longer trimming incoming voltage", flags: SYSLOG_WALL },
  BOOST: { message: "UPS %s: boosting incoming voltage", flags: SYSLOG_WALL },
  NOTBOOST: { message: "UPS %s: no longer boosting incoming voltage", flags: SYSLOG_WALL },
  // The second %s lists the status tokens nobody classified.
  OTHER: { message: "UPS %s: has at least one unclassified status token: [%s]", flags: SYSLOG_WALL },
  NOTOTHER: { message: "UPS %s has no unclassified status tokens anymore", flags: SYSLOG_WALL },
} as const satisfies Record<string, { readonly message: string; readonly flags: NotifyFlags }>

/** A notify type nutctl can raise. */
export type NotifyType = keyof typeof NOTIFY_DEFAULTS

/** Every type, in upsmon's table order. */
export const NOTIFY_TYPES = Object.keys(NOTIFY_DEFAULTS) as readonly NotifyType[]

/** Types that upsmon 2.8.0 itself knows; the others come from newer upsmon. */
export const NOTIFY_TYPES_2_8_0: readonly NotifyType[] = ["ONLINE", "ONBATT", "LOWBATT", "FSD", "COMMOK", "COMMBAD", "SHUTDOWN", "REPLBATT", "NOCOMM", "NOPARENT", "CAL"]

/** The type for a NOTIFYFLAG/NOTIFYMSG word (upsmon compares them case-insensitively). */
export function notifyTypeOf(word: string): NotifyType | undefined {
  const upper = word.toUpperCase()
  return Object.hasOwn(NOTIFY_DEFAULTS, upper) ? (upper as NotifyType) : undefined
}

/**
 * Flags from NOTIFYFLAG words (`SYSLOG`, `WALL`, `EXEC`, `IGNORE`, matched exactly as upsmon does).
 * upsmon zeroes a type's flags before applying the line, so unknown words simply add nothing.
 */
export function notifyFlagsOf(words: readonly string[]): NotifyFlags {
  return { syslog: words.includes("SYSLOG"), wall: words.includes("WALL"), exec: words.includes("EXEC"), ignore: words.includes("IGNORE") }
}

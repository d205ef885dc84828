/**
 * What the monitor knows about one supply: upsmon's `utype_t` (clients/upsmon.h) as an immutable
 * value. Times are ms since the epoch; `undefined` is upsmon's 0 ("never", i.e. long ago).
 */
import type { RuntimeReading, SupplyConfig } from "./types.ts"

/** Status flags the monitor keeps (upsmon's ST_* bits plus the newer notify-only ones). */
export interface SupplyFlags {
  readonly ol: boolean
  readonly ob: boolean
  readonly lb: boolean
  readonly fsd: boolean
  readonly cal: boolean
  readonly off: boolean
  readonly bypass: boolean
  readonly over: boolean
  readonly trim: boolean
  readonly boost: boolean
  readonly alarm: boolean
}

/**
 * Communication state: upsmon's `commstate` -1/0/1. COMMOK is only sent on lost → ok, so the first
 * successful connection is silent, while the first failure (even at start) sends COMMBAD.
 */
export type CommState = "unknown" | "lost" | "ok"

/**
 * upsmon's `linestate` -1/0/1: ONLINE is suppressed while "unknown" (a normal start is silent);
 * going on battery or losing the connection makes the next OL transition notify.
 */
export type LineState = "unknown" | "not-online" | "online"

/** One supply as the monitor sees it. */
export interface SupplyState {
  readonly supply: SupplyConfig
  readonly flags: SupplyFlags
  /** Status tokens nothing classified (for OTHER/NOTOTHER), upper-cased, in order. */
  readonly other: readonly string[]
  /** ups.alarm last reported with ALARM. */
  readonly alarmText?: string
  readonly comm: CommState
  readonly line: LineState
  /** Last successful status poll (upsmon `lastpoll`). */
  readonly lastPollAt?: number
  /** Last time the supply was not OB+LB (or was calibrating): the secondary's HOSTSYNC clock. */
  readonly lastNonCritAt?: number
  readonly lastRbWarnAt?: number
  readonly lastNoCommWarnAt?: number
  /** Last `ups.status` received. */
  readonly lastStatus?: string
  /** Error of the last failed poll, to log a failure once per change of error. */
  readonly lastError?: string
  /** LB was set by DEADTIME promotion, not by the UPS. */
  readonly deadPromoted: boolean
  /** When the supply went on battery (OB seen after anything else); unset while not OB. */
  readonly onBatterySince?: number
  /** The last `battery.runtime` read on battery, with the budget's verdict; unset while not OB. */
  readonly runtime?: RuntimeReading
}

const NO_FLAGS: SupplyFlags = { ol: false, ob: false, lb: false, fsd: false, cal: false, off: false, bypass: false, over: false, trim: false, boost: false, alarm: false }

/** A supply never heard from: it counts as fine (upsmon assumes "OL" for it). */
export function createSupplyState(supply: SupplyConfig): SupplyState {
  return { supply, flags: NO_FLAGS, other: [], comm: "unknown", line: "unknown", deadPromoted: false }
}

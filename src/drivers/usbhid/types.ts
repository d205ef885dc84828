// Contracts of the USB HID driver: what a subdriver table is made of (NUT's hid_info_t rows,
// as named fields), and the conversions that turn a HID value into NUT text and back.
import type { HidDeviceInfo, ParsedDescriptor, UsageNames } from "../../hid/index.ts"

// ----- Conversions -----

/** What a conversion may look at besides the value (NUT's lookups read dstate and the device). */
export interface ConversionContext {
  readonly device: HidDeviceInfo
  /** A USB string descriptor fetched for an `i*` usage (NUT's HIDGetIndexString). */
  string(index: number): string | undefined
  /** The value currently published for a NUT variable. */
  value(name: string): string | undefined
}

/**
 * A value ⇄ text conversion (NUT's `info_lkp_t` tables and `*_conversion_fun`s).
 * `input` says which decoded value it works on: "physical" (scaled by units, what NUT's "%.1f"
 * rows print) or "logical" (enums, dates, string indexes, flags — units leaking into those items
 * must not scale them, hid-reference §a.7.4).
 */
export interface Conversion {
  readonly name: string
  readonly input: "physical" | "logical"
  /** Value → published text; undefined = no mapping (NUT then leaves the variable as it was). */
  read(value: number, ctx: ConversionContext): string | undefined
  /** Text → value to write (same scale as `input`); undefined = not a valid value. */
  write?(text: string): number | undefined
  /** Every text `read` can produce (published as ENUM for rows with `enum: true`). */
  readonly values?: readonly string[]
}

// ----- Subdriver rows -----

/** When a row is read: every quick poll (status, timers) or only in full polls. */
export type PollClass = "quick" | "full"

/** One NUT variable from one HID path (NUT: a hid2nut row). Several rows may name one variable; the first whose path exists wins. */
export interface VarRow {
  readonly nut: string
  /** HID path(s) in priority order, e.g. `UPS.PowerSummary.RemainingCapacity`. */
  readonly path: string | readonly string[]
  /** Writable: published `RW STRING:10` like usbhid-ups (ST_FLAG_RW | ST_FLAG_STRING, 10). */
  readonly rw?: boolean
  /** STRING length of a writable variable (NUT's info_len; MGE uses 5 or 3 for some). @default 10 */
  readonly aux?: number
  /** @default fixed(0) — NUT's "%.0f" */
  readonly convert?: Conversion
  /** Publish the conversion's values as ENUM (NUT's HU_FLAG_ENUM; only with `rw`). */
  readonly enum?: boolean
  /** @default "full" */
  readonly poll?: PollClass
}

/**
 * A driver-side setting published only when the device has `path` (NUT's HU_FLAG_ABSENT rows:
 * `ups.delay.shutdown`, `ups.delay.start`). SET VAR changes it in the driver, never on the UPS.
 */
export interface SettingRow {
  readonly nut: string
  readonly path: string | readonly string[]
  /** Default value; ups.conf can override it (`offdelay` → ups.delay.shutdown…). */
  readonly default: string
}

/** Raw status facts a subdriver reports; `composeStatus()` turns them into `ups.status`. */
export const STATUS_FACTS = [
  "online",
  "discharging",
  "charging",
  "lowbatt",
  "overload",
  "replacebatt",
  "shutdownimm",
  "trim",
  "boost",
  "bypassauto",
  "bypassman",
  "off",
  "calibrating",
  "overheat",
  "commfault",
  "depleted",
  "timelimitexp",
  "fullycharged",
  "awaitingpower",
  "fanfail",
  "nobattery",
  "battvoltlo",
  "battvolthi",
  "chargerfail",
  "vrange",
  "frange",
] as const
export type StatusFact = (typeof STATUS_FACTS)[number]

/** A HID flag feeding one status fact (NUT's "BOOL" rows). */
export interface StatusRow {
  readonly path: string | readonly string[]
  readonly fact: StatusFact
  /**
   * Which HID values set (true) or clear (false) the fact; other values leave it as it was.
   * @default { 1: true, 0: false }
   */
  readonly values?: Readonly<Record<number, boolean>>
  /** @default "full" */
  readonly poll?: PollClass
}

/** Where an instant command takes its value from. */
export type CommandValue =
  | { readonly kind: "fixed"; readonly value: number }
  /** A delay: the INSTCMD parameter, else the current value of `setting` (ups.delay.shutdown …). */
  | { readonly kind: "delay"; readonly setting: string; readonly fallback: number }

/** An instant command that writes one value to one HID path (NUT's HU_TYPE_CMD rows). */
export interface CommandRow {
  readonly nut: string
  readonly path: string | readonly string[]
  /** A number (written as is), or `delayFrom(setting, fallback)` for load.off.delay and friends. */
  readonly value: number | CommandValue
}

/** What the engine derives from a descriptor before binding: NUT's `fix_report_desc`. */
export type DescriptorFix = (desc: ParsedDescriptor, device: HidDeviceInfo) => { readonly desc: ParsedDescriptor; readonly notes: readonly string[] }

/** Identity strings NUT derives from the USB device (format_mfr / format_model / format_serial). */
export interface DeviceIdentity {
  readonly mfr?: string | undefined
  readonly model?: string | undefined
  readonly serial?: string | undefined
  readonly firmware?: string | undefined
  readonly firmwareAux?: string | undefined
}

/** Per-family defaults a subdriver picks for a device (ups.conf options override them). */
export interface SubdriverDefaults {
  /** ups.conf `pollfreq` default, seconds (NUT: 30, CyberPower 12). */
  readonly pollfreq?: number
  /** LB/RB must persist this long while on line before they are published (nut#2347). */
  readonly lbrbDelaySec?: number
  /** Apply that delay even when the UPS does not say it is calibrating. */
  readonly lbrbDelayWithoutCalibrating?: boolean
  /** Use the interrupt pipe (APC Smart-UPS 5G: it carries APC's own protocol). */
  readonly interruptPipe?: boolean
}

/** Input of `defineSubdriver()`. */
export interface SubdriverDefinition {
  /** Short name (`apc`), also matched by ups.conf `subdriver =`. */
  readonly name: string
  /** `driver.version.data` prefix, NUT's subdriver name without its version (`APC HID`). */
  readonly title: string
  /** Usage names for paths (NUT's utab). */
  readonly usageNames: UsageNames
  /** Does this subdriver handle the device? (NUT's claim()). */
  claims(device: HidDeviceInfo): boolean
  readonly vars: readonly VarRow[]
  readonly settings?: readonly SettingRow[]
  readonly status: readonly StatusRow[]
  readonly commands: readonly CommandRow[]
  readonly fixDescriptor?: DescriptorFix
  /** @default product as model, manufacturer as mfr, serial as serial */
  identify?(device: HidDeviceInfo): DeviceIdentity
  defaults?(device: HidDeviceInfo, identity: DeviceIdentity): SubdriverDefaults
}

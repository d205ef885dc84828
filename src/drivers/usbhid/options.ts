// usbhid-ups options from a ups.conf section (or nutctl's `ups:` entry): the names and meanings of
// NUT's `usbhid-ups` man page, parsed once into typed options.
import type { DeviceCriteria } from "./device-match.ts"
import type { OnlineDischarge } from "./status.ts"

/** What UsbHidDriver reads from ups.conf. */
export interface UsbHidOptions {
  /** ups.conf `port`: `auto` (any device), an OS path or `sim:<base>` (only that device). @default "auto" */
  readonly port: string
  readonly criteria: DeviceCriteria
  /** `subdriver`: a name (`apc`) or a regex on NUT's subdriver title (`APC HID.*`). */
  readonly subdriver?: string
  /** `pollinterval`, seconds: quick polls (status, timers). @default 2 */
  readonly pollinterval: number
  /** `pollfreq`, seconds: full polls. @default 30 (CyberPower 12) */
  readonly pollfreq?: number
  /** `pollonly`: never read the interrupt pipe. */
  readonly pollonly: boolean
  /** `interrupt_pipe_no_events_tolerance`: empty interrupt waits in a row before the device counts as hung; -1 = never. @default -1 */
  readonly interruptTolerance: number
  /** `onlinedischarge_onbattery` / `onlinedischarge` / `onlinedischarge_calibration`. @default "online" */
  readonly onlineDischarge?: OnlineDischarge
  /** `lbrb_log_delay_sec` (default per subdriver: 3 for APC BX/BK/BVK, else 0). */
  readonly lbrbDelaySec?: number
  /** `lbrb_log_delay_without_calibrating`. */
  readonly lbrbWithoutCalibrating?: boolean
  /** `disable_fix_report_desc`: use the descriptor as the firmware sends it. */
  readonly disableFixReportDesc: boolean
  /** `offdelay` / `ondelay` / `lowbatt`: initial ups.delay.shutdown / ups.delay.start / battery.charge.low (published only, like NUT). */
  readonly offdelay?: number
  readonly ondelay?: number
  readonly lowbatt?: number
  /** `waitbeforereconnect`, seconds. @default 0 */
  readonly waitbeforereconnect: number
  /** The section's keys as given, published as driver.parameter.* / driver.flag.*. */
  readonly params: Readonly<Record<string, string>>
}

/**
 * Every section option NUT 2.8's usbhid-ups knows (upsdrv_makevartable + nut_usb_addvars), for
 * warnings about misspelt ones; the real driver refuses a name it does not know. Not all of them
 * change what nutctl does (the USB tweaks do not apply to node-hid).
 */
export const USBHID_OPTION_NAMES: readonly string[] = [
  "lowbatt", "offdelay", "ondelay", "pollfreq", "pollonly", "interrupt_pipe_no_events_tolerance",
  "onlinedischarge", "onlinedischarge_onbattery", "onlinedischarge_calibration", "onlinedischarge_log_throttle_sec",
  "onlinedischarge_log_throttle_hovercharge", "lbrb_log_delay_sec", "lbrb_log_delay_without_calibrating",
  "disable_fix_report_desc", "powercom_sdcmd_byte_order_fallback", "subdriver", "explore", "maxreport", "interruptonly",
  "interruptsize", "waitbeforereconnect", "vendor", "product", "serial", "vendorid", "productid", "bus", "device", "busport",
  "usb_set_altinterface", "usb_config_index", "usb_hid_rep_index", "usb_hid_desc_index", "usb_hid_ep_in", "usb_hid_ep_out",
  "allow_duplicates", "noscanlangid",
]

/** An option with a value usbhid-ups would reject. */
export class UsbHidOptionError extends Error {
  readonly code = "E_USBHID_OPTION"
  readonly option: string
  /** What the option takes, as a phrase that follows "expects" (`a whole number ≥ 1`). */
  readonly expected: string
  constructor(option: string, value: string, expected: string) {
    super(`Cannot use ups.conf ${option} = "${value}": expected ${expected}`)
    this.name = "UsbHidOptionError"
    this.option = option
    this.expected = expected
  }
}

/** Parses a section's params (keys lower-case; a bare flag is ""). @throws {UsbHidOptionError} */
export function parseUsbHidOptions(port: string, params: Readonly<Record<string, string>>): UsbHidOptions {
  const get = (k: string): string | undefined => params[k]
  const flag = (k: string): boolean => {
    const v = get(k)
    return v !== undefined && !/^(false|no|off|0)$/i.test(v)
  }
  const seconds = (k: string, min: number): number | undefined => {
    const v = get(k)
    if (v === undefined) return undefined
    const n = Number(v)
    if (v.trim() === "" || !Number.isInteger(n) || n < min) throw new UsbHidOptionError(k, v, `a whole number ≥ ${min}`)
    return n
  }
  const criteria: Record<string, string> = {}
  for (const k of ["vendorid", "productid", "vendor", "product", "serial", "bus"] as const) {
    const v = get(k)
    if (v !== undefined && v !== "") criteria[k] = v
  }
  let onlineDischarge: OnlineDischarge | undefined
  if (flag("onlinedischarge_calibration")) onlineDischarge = "calibration"
  // `onlinedischarge` is the pre-2.8.2 name of onlinedischarge_onbattery
  if (flag("onlinedischarge_onbattery") || flag("onlinedischarge")) onlineDischarge = "onbattery"
  const subdriver = get("subdriver")
  const pollfreq = seconds("pollfreq", 1)
  const lbrbDelaySec = seconds("lbrb_log_delay_sec", 0)
  const tolerance = get("interrupt_pipe_no_events_tolerance")
  const interruptTolerance = tolerance === undefined ? -1 : Number(tolerance)
  if (!Number.isInteger(interruptTolerance)) throw new UsbHidOptionError("interrupt_pipe_no_events_tolerance", tolerance ?? "", "a whole number (-1 = never)")
  return {
    port: port === "" ? "auto" : port,
    criteria,
    ...(subdriver === undefined || subdriver === "" ? {} : { subdriver }),
    pollinterval: seconds("pollinterval", 1) ?? 2,
    ...(pollfreq === undefined ? {} : { pollfreq }),
    pollonly: flag("pollonly"),
    interruptTolerance,
    ...(onlineDischarge === undefined ? {} : { onlineDischarge }),
    ...(lbrbDelaySec === undefined ? {} : { lbrbDelaySec }),
    ...(get("lbrb_log_delay_without_calibrating") === undefined ? {} : { lbrbWithoutCalibrating: flag("lbrb_log_delay_without_calibrating") }),
    disableFixReportDesc: flag("disable_fix_report_desc"),
    ...optionalNumber("offdelay", seconds("offdelay", -1)),
    ...optionalNumber("ondelay", seconds("ondelay", -1)),
    ...optionalNumber("lowbatt", seconds("lowbatt", 0)),
    waitbeforereconnect: seconds("waitbeforereconnect", 0) ?? 0,
    params,
  }
}

function optionalNumber<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>)
}

// CyberPower (VID 0x0764, and Cyber Energy 0483:a430): NUT's cps-hid.c as a table. Layout of the
// CST135UC2 fixture and of the CP850PFCLCD/CP900EPFCLCD interrupt samples (hid-reference §d.1):
// values on UPS.Output.*, delays in minutes (PhyMin −60 / PhyMax 1966020 → ×60 seconds).
import { CYBERPOWER_USAGE_NAMES, findField, withLogicalRange, type HidDeviceInfo, type HidField, type ParsedDescriptor } from "../../../hid/index.ts"
import { beeperStatus, cpsSensitivity, fixed, stringId, testResult } from "../conversions.ts"
import { formatFixed } from "../format.ts"
import { defineSubdriver, delayFrom } from "../define-subdriver.ts"
import type { Conversion } from "../types.ts"

const DELAY_SHUTDOWN = "UPS.Output.DelayBeforeShutdown"
const DELAY_STARTUP = "UPS.Output.DelayBeforeStartup"
const BEEPER = "UPS.PowerSummary.AudibleAlarmControl"

// CyberPower rounds delays down to whole minutes, so NUT's CPS defaults are 60 s / 120 s
// (offdelay/ondelay "CPS devices tend to round delays by 60 sec down").
const OFF_DELAY = 60
const ON_DELAY = 120

/** battery.charge clamped to 100 (cps_battcharge). */
const cpsCharge: Conversion = {
  name: "cps_battcharge",
  input: "physical",
  read: (value) => formatFixed(Math.min(value, 100), 0),
}

/**
 * Some 0764:0501 units report the battery voltage 1.5× too high: NUT scales by 2/3 when
 * voltage / nominal > 1.4 (cps_battvolt; NUT decides once, we decide on every reading).
 */
const cpsBatteryVoltage: Conversion = {
  name: "cps_battvolt",
  input: "physical",
  read(value, ctx) {
    const nominal = Number(ctx.value("battery.voltage.nominal"))
    const scale = ctx.device.productId === 0x0501 && nominal > 0 && value / nominal > 1.4 ? 2 / 3 : 1
    return formatFixed(value * scale, 1)
  },
}

/** Frequencies some firmwares send in 0.1 Hz with no exponent (`input.frequency: 499.0`, nut#2717). */
const cpsFrequency: Conversion = {
  name: "cps_frequency",
  input: "physical",
  read(value) {
    const tenth = value / 10
    const plausible = (hz: number): boolean => Math.abs(tenth - hz) <= 5
    return formatFixed(value > 100 && (plausible(50) || plausible(60)) ? tenth : value, 1)
  },
}

/** CyberPower and Cyber Energy USB HID UPSes. */
export const cyberpowerSubdriver = defineSubdriver({
  name: "cyberpower",
  title: "CyberPower HID",
  usageNames: CYBERPOWER_USAGE_NAMES,
  claims: (device) => device.vendorId === 0x0764 || (device.vendorId === 0x0483 && device.productId === 0xa430),
  vars: [
    { nut: "battery.type", path: "UPS.PowerSummary.iDeviceChemistry", convert: stringId },
    // not a date: CyberPower's iOEMInformation string ("CPS"), published as NUT does (nut#437)
    { nut: "battery.mfr.date", path: "UPS.PowerSummary.iOEMInformation", convert: stringId },
    { nut: "battery.charge.warning", path: "UPS.PowerSummary.WarningCapacityLimit" },
    { nut: "battery.charge.low", path: "UPS.PowerSummary.RemainingCapacityLimit", rw: true },
    { nut: "battery.charge", path: "UPS.PowerSummary.RemainingCapacity", convert: cpsCharge },
    { nut: "battery.runtime", path: "UPS.PowerSummary.RunTimeToEmpty" },
    { nut: "battery.runtime.low", path: "UPS.PowerSummary.RemainingTimeLimit", rw: true },
    { nut: "battery.voltage.nominal", path: "UPS.PowerSummary.ConfigVoltage" },
    { nut: "battery.voltage", path: "UPS.PowerSummary.Voltage", convert: cpsBatteryVoltage },
    { nut: "ups.load", path: "UPS.Output.PercentLoad" },
    { nut: "ups.beeper.status", path: BEEPER, convert: beeperStatus },
    { nut: "ups.test.result", path: "UPS.Output.Test", convert: testResult },
    { nut: "ups.realpower.nominal", path: "UPS.Output.ConfigActivePower" },
    { nut: "ups.power.nominal", path: "UPS.Output.ConfigApparentPower" },
    { nut: "ups.realpower", path: "UPS.Output.ActivePower" },
    { nut: "ups.power", path: "UPS.Output.ApparentPower" },
    { nut: "ups.firmware", path: "UPS.PowerSummary.CPSFirmwareVersion", convert: stringId },
    { nut: "ups.timer.start", path: DELAY_STARTUP, poll: "quick" },
    { nut: "ups.timer.shutdown", path: DELAY_SHUTDOWN, poll: "quick" },
    { nut: "ups.timer.reboot", path: "UPS.Output.DelayBeforeReboot", poll: "quick" },
    { nut: "input.frequency", path: "UPS.Input.Frequency", convert: cpsFrequency },
    { nut: "input.voltage.nominal", path: "UPS.Input.ConfigVoltage" },
    { nut: "input.voltage", path: "UPS.Input.Voltage", convert: fixed(1) },
    { nut: "input.transfer.low", path: ["UPS.Input.LowVoltageTransfer", "UPS.Output.LowVoltageTransfer"], rw: true },
    { nut: "input.transfer.high", path: ["UPS.Input.HighVoltageTransfer", "UPS.Output.HighVoltageTransfer"], rw: true },
    { nut: "input.sensitivity", path: "UPS.Output.CPSInputSensitivity", convert: cpsSensitivity, rw: true },
    { nut: "output.frequency", path: "UPS.Output.Frequency", convert: cpsFrequency },
    { nut: "output.voltage", path: "UPS.Output.Voltage", convert: fixed(1) },
    { nut: "output.voltage.nominal", path: "UPS.Output.ConfigVoltage" },
  ],
  settings: [
    { nut: "ups.delay.start", path: DELAY_STARTUP, default: String(ON_DELAY) },
    { nut: "ups.delay.shutdown", path: DELAY_SHUTDOWN, default: String(OFF_DELAY) },
  ],
  status: [
    { path: "UPS.PowerSummary.PresentStatus.ACPresent", fact: "online", poll: "quick" },
    { path: "UPS.PowerSummary.PresentStatus.Charging", fact: "charging", poll: "quick" },
    { path: "UPS.PowerSummary.PresentStatus.Discharging", fact: "discharging", poll: "quick" },
    { path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", fact: "lowbatt", poll: "quick" },
    { path: "UPS.PowerSummary.PresentStatus.FullyCharged", fact: "fullycharged" },
    { path: "UPS.PowerSummary.PresentStatus.RemainingTimeLimitExpired", fact: "timelimitexp" },
    { path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", fact: "shutdownimm" },
    { path: "UPS.PowerSummary.PresentStatus.NeedReplacement", fact: "replacebatt" },
    { path: "UPS.PowerSummary.PresentStatus.Overload", fact: "overload" },
    { path: "UPS.Output.Boost", fact: "boost" },
    { path: "UPS.Output.Overload", fact: "overload" },
  ],
  commands: [
    { nut: "test.battery.start.quick", path: "UPS.Output.Test", value: 1 },
    { nut: "test.battery.start.deep", path: "UPS.Output.Test", value: 2 },
    { nut: "test.battery.stop", path: "UPS.Output.Test", value: 3 },
    { nut: "load.off.delay", path: DELAY_SHUTDOWN, value: delayFrom("ups.delay.shutdown", OFF_DELAY) },
    { nut: "load.on.delay", path: DELAY_STARTUP, value: delayFrom("ups.delay.start", ON_DELAY) },
    { nut: "shutdown.stop", path: DELAY_SHUTDOWN, value: -1 },
    { nut: "shutdown.reboot", path: "UPS.Output.DelayBeforeReboot", value: 10 },
    { nut: "beeper.on", path: BEEPER, value: 2 },
    { nut: "beeper.off", path: BEEPER, value: 3 },
    { nut: "beeper.enable", path: BEEPER, value: 2 },
    { nut: "beeper.disable", path: BEEPER, value: 1 },
    { nut: "beeper.mute", path: BEEPER, value: 3 },
  ],
  fixDescriptor: fixCyberPowerDescriptor,
  identify: (device) => ({ mfr: device.manufacturer ?? "CPS", model: device.product, serial: device.serial }),
  // NUT defaults pollfreq to 12 s for CPS: these controllers fall asleep without frequent polls (nut#2121)
  defaults: () => ({ pollfreq: 12 }),
})

/**
 * cps_fix_report_desc() (0764:0501 / 0764:0601; nut#439, #1512, #2917): output voltage (and input
 * voltage) inheriting the HighVoltageTransfer range (e.g. 135..144, so 230 V reads 260–270 V) get
 * 0..511; a LogMax repaired from 0xFFFF is widened the same way; ConfigActivePower LogMax below
 * 2048 becomes 2048. Each range is capped at what the field's bits can hold.
 */
export function fixCyberPowerDescriptor(desc: ParsedDescriptor, device: HidDeviceInfo): { desc: ParsedDescriptor; notes: string[] } {
  const notes: string[] = []
  if (device.vendorId !== 0x0764 || (device.productId !== 0x0501 && device.productId !== 0x0601)) return { desc, notes }
  const find = (path: string): HidField | undefined => findField(desc, path, { usageNames: CYBERPOWER_USAGE_NAMES })
  const hvt = find("UPS.Output.HighVoltageTransfer") ?? find("UPS.Input.HighVoltageTransfer")
  const widen = (field: HidField | undefined, max: number, why: string): void => {
    if (field === undefined) return
    const cap = Math.min(max, 2 ** field.bitSize - 1)
    desc = withLogicalRange(desc, { reportId: field.reportId, usage: field.usage }, { logicalMin: 0, logicalMax: cap })
    notes.push(`${field.path} (report 0x${field.reportId.toString(16).padStart(2, "0")}): logical range ${field.logicalMin}..${field.logicalMax} set to 0..${cap} (${why})`)
  }
  const sameAsHvt = (f: HidField | undefined): boolean => f !== undefined && hvt !== undefined && f.logicalMin === hvt.logicalMin && f.logicalMax === hvt.logicalMax
  const output = find("UPS.Output.Voltage")
  const input = find("UPS.Input.Voltage")
  if (sameAsHvt(output)) {
    widen(output, 511, "inherited the HighVoltageTransfer range, nut#439")
    if (sameAsHvt(input)) widen(input, 511, "inherited the HighVoltageTransfer range, nut#439")
  } else {
    for (const f of [output, input]) if (f?.logicalMaxAssumed === true) widen(f, 511, "LogMax 0xFFFF read as -1, nut#1512")
  }
  const active = find("UPS.Output.ConfigActivePower")
  if (active !== undefined && active.logicalMax < 2048) {
    const cap = Math.min(2048, 2 ** active.bitSize - 1)
    desc = withLogicalRange(desc, { reportId: active.reportId, usage: active.usage }, { logicalMin: active.logicalMin, logicalMax: cap })
    notes.push(`UPS.Output.ConfigActivePower: logical maximum ${active.logicalMax} set to ${cap} (nut#2917)`)
  }
  return { desc, notes }
}

// APC (VID 0x051d): NUT's apc-hid.c ("APC HID 0.98" in NUT 2.8.0) as a table — Back-UPS BX/BK/BVK
// (report layout of the BK650M2-CH fixture, the BX1600MI stand-in), the older Back-UPS CS/ES/LS
// layout (UPS.PowerSummary.* flags, APCStatusFlag, APC hex dates) and Smart-UPS (UPS.Output.*).
// Facts: research/hid-reference.md §c.1–c.3, research/nut-reference.md §4.2–4.3.
import { APC_USAGE_NAMES, findField, withLogicalRange, type HidDeviceInfo, type ParsedDescriptor } from "../../../hid/index.ts"
import { apcHexDate, apcSensitivity, beeperStatus, fixed, hidDate, kelvinCelsius, stringId, testResult } from "../conversions.ts"
import { defineSubdriver, delayFrom } from "../define-subdriver.ts"
import type { DeviceIdentity, SubdriverDefaults } from "../types.ts"

const VENDOR_APC = 0x051d

// The three places APC puts its delays: PDC standard, Smart-UPS (Output), Back-UPS ES (vendor collection)
const DELAY_SHUTDOWN = ["UPS.PowerSummary.DelayBeforeShutdown", "UPS.Output.DelayBeforeShutdown", "UPS.APCGeneralCollection.APCDelayBeforeShutdown"]
const DELAY_STARTUP = ["UPS.PowerSummary.DelayBeforeStartup", "UPS.Output.DelayBeforeStartup", "UPS.APCGeneralCollection.APCDelayBeforeStartup"]
const DELAY_REBOOT = ["UPS.PowerSummary.DelayBeforeReboot", "UPS.Output.DelayBeforeReboot", "UPS.APCGeneralCollection.APCDelayBeforeReboot"]
const TEST = ["UPS.BatterySystem.Battery.Test", "UPS.Battery.Test"]
const BEEPER = "UPS.PowerSummary.AudibleAlarmControl"
const PANEL_TEST = ["UPS.APCPanelTest", "UPS.PowerSummary.APCPanelTest"]

/** APC Back-UPS, Back-UPS CS/ES/LS and Smart-UPS over USB HID. */
export const apcSubdriver = defineSubdriver({
  name: "apc",
  title: "APC HID",
  usageNames: APC_USAGE_NAMES,
  // NUT accepts PIDs 0000/0002/0003/0004/0005 and other APC PIDs only with an explicit productid;
  // here every APC HID device gets the APC table (ups.conf productid still narrows the match).
  claims: (device) => device.vendorId === VENDOR_APC,
  vars: [
    { nut: "battery.charge", path: "UPS.PowerSummary.RemainingCapacity" },
    { nut: "battery.charge.low", path: "UPS.PowerSummary.RemainingCapacityLimit", rw: true },
    { nut: "battery.charge.warning", path: "UPS.PowerSummary.WarningCapacityLimit" },
    { nut: "battery.runtime", path: ["UPS.Battery.RunTimeToEmpty", "UPS.PowerSummary.RunTimeToEmpty"] },
    { nut: "battery.runtime.low", path: ["UPS.Battery.RemainingTimeLimit", "UPS.PowerSummary.RemainingTimeLimit"], rw: true },
    { nut: "battery.voltage", path: ["UPS.Battery.Voltage", "UPS.PowerSummary.Voltage"], convert: fixed(1) },
    { nut: "battery.voltage.nominal", path: ["UPS.Battery.ConfigVoltage", "UPS.PowerSummary.ConfigVoltage"], convert: fixed(1) },
    { nut: "battery.temperature", path: "UPS.Battery.Temperature", convert: kelvinCelsius },
    { nut: "battery.type", path: "UPS.PowerSummary.iDeviceChemistry", convert: stringId },
    // battery.mfr.date is RW so it can be set after a battery change (NUT 2.8.0 upsrw lists it)
    { nut: "battery.mfr.date", path: "UPS.Battery.ManufacturerDate", convert: hidDate, rw: true },
    { nut: "battery.mfr.date", path: "UPS.PowerSummary.APCBattReplaceDate", convert: apcHexDate, rw: true },
    { nut: "battery.date", path: "UPS.Battery.APCBattReplaceDate", convert: apcHexDate },
    { nut: "ups.load", path: "UPS.Output.PercentLoad", convert: fixed(1) },
    { nut: "ups.load", path: "UPS.PowerConverter.PercentLoad" },
    { nut: "ups.timer.start", path: DELAY_STARTUP, poll: "quick" },
    { nut: "ups.timer.shutdown", path: DELAY_SHUTDOWN, poll: "quick" },
    { nut: "ups.timer.reboot", path: DELAY_REBOOT, poll: "quick" },
    // NUT's APC table reads only UPS.Battery.Test; Smart-UPS answer on the BatterySystem path its commands use
    { nut: "ups.test.result", path: ["UPS.Battery.Test", "UPS.BatterySystem.Battery.Test"], convert: testResult },
    { nut: "ups.beeper.status", path: BEEPER, convert: beeperStatus },
    { nut: "ups.mfr.date", path: ["UPS.ManufacturerDate", "UPS.PowerSummary.ManufacturerDate"], convert: hidDate },
    { nut: "ups.realpower.nominal", path: ["UPS.PowerConverter.ConfigActivePower", "UPS.Output.ConfigActivePower"] },
    { nut: "input.voltage", path: "UPS.Input.Voltage", convert: fixed(1) },
    { nut: "input.voltage.nominal", path: "UPS.Input.ConfigVoltage" },
    { nut: "input.transfer.low", path: ["UPS.Output.LowVoltageTransfer", "UPS.Input.LowVoltageTransfer"], rw: true },
    { nut: "input.transfer.high", path: ["UPS.Output.HighVoltageTransfer", "UPS.Input.HighVoltageTransfer"], rw: true },
    { nut: "input.sensitivity", path: "UPS.Input.APCSensitivity", convert: apcSensitivity, rw: true },
    { nut: "output.voltage", path: "UPS.Output.Voltage", convert: fixed(1) },
    { nut: "output.voltage.nominal", path: "UPS.Output.ConfigVoltage", convert: fixed(1) },
    { nut: "output.current", path: "UPS.Output.Current", convert: fixed(2) },
    { nut: "output.frequency", path: "UPS.Output.Frequency", convert: fixed(1) },
    { nut: "ambient.temperature", path: "UPS.APCEnvironment.APCProbe1.Temperature", convert: kelvinCelsius },
    { nut: "ambient.humidity", path: "UPS.APCEnvironment.APCProbe1.Humidity", convert: fixed(1) },
  ],
  settings: [
    { nut: "ups.delay.start", path: DELAY_STARTUP, default: "30" },
    { nut: "ups.delay.shutdown", path: DELAY_SHUTDOWN, default: "20" },
  ],
  status: [
    { path: "UPS.PowerSummary.PresentStatus.ACPresent", fact: "online", poll: "quick" },
    { path: "UPS.PowerSummary.PresentStatus.Discharging", fact: "discharging", poll: "quick" },
    { path: "UPS.PowerSummary.PresentStatus.Charging", fact: "charging", poll: "quick" },
    { path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", fact: "shutdownimm" },
    { path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", fact: "lowbatt", poll: "quick" },
    { path: "UPS.PowerSummary.PresentStatus.Overload", fact: "overload" },
    { path: "UPS.PowerSummary.PresentStatus.NeedReplacement", fact: "replacebatt" },
    { path: "UPS.PowerSummary.PresentStatus.RemainingTimeLimitExpired", fact: "timelimitexp" },
    { path: "UPS.PowerSummary.PresentStatus.BatteryPresent", fact: "nobattery", values: { 0: true, 1: false } },
    // the older Back-UPS layout (Back-UPS 500, CS 500): flags directly under PowerSummary
    { path: "UPS.PowerSummary.Charging", fact: "charging", poll: "quick" },
    { path: "UPS.PowerSummary.Discharging", fact: "discharging", poll: "quick" },
    { path: "UPS.PowerSummary.ACPresent", fact: "online", poll: "quick" },
    { path: "UPS.PowerSummary.BelowRemainingCapacityLimit", fact: "lowbatt", poll: "quick" },
    { path: "UPS.PowerSummary.ShutdownImminent", fact: "shutdownimm" },
    // Back-UPS LS 500 (observed by NUT): 8 normal, 16 briefly at power-on, 0 output off
    { path: "UPS.PowerSummary.APCStatusFlag", fact: "off", values: { 0: true, 8: false, 16: false }, poll: "quick" },
    // last transfer cause (from apcupsd): 1,2,4,8,9 voltage, 7 frequency, 0 none; others unmapped
    { path: "UPS.Input.APCLineFailCause", fact: "vrange", values: { 1: true, 2: true, 4: true, 8: true, 9: true, 0: false } },
    { path: "UPS.Input.APCLineFailCause", fact: "frange", values: { 7: true, 0: false } },
  ],
  commands: [
    { nut: "test.battery.start.quick", path: TEST, value: 1 },
    { nut: "test.battery.start.deep", path: TEST, value: 2 },
    { nut: "test.battery.stop", path: TEST, value: 3 },
    { nut: "test.panel.start", path: PANEL_TEST, value: 1 },
    { nut: "test.panel.stop", path: PANEL_TEST, value: 0 },
    { nut: "load.off.delay", path: DELAY_SHUTDOWN, value: delayFrom("ups.delay.shutdown", 20) },
    { nut: "load.on.delay", path: DELAY_STARTUP, value: delayFrom("ups.delay.start", 30) },
    { nut: "shutdown.stop", path: DELAY_SHUTDOWN, value: -1 },
    // APC BX acknowledges 10 in id 0x40 and ignores it (nut#2683); kept because NUT offers it
    { nut: "shutdown.reboot", path: DELAY_REBOOT, value: 10 },
    // The write that really cuts and restores the load on Back-UPS BX/CS: APCDelayBeforeReboot = 1
    // (SET_REPORT Feature `40 01` on the BX, what PowerChute sends: ~2 min grace, output off, back
    // on with mains; NUT PR #3566). Back-UPS CS has it under UPS.Output.
    { nut: "shutdown.return", path: ["UPS.Output.APCDelayBeforeReboot", "UPS.APCGeneralCollection.APCDelayBeforeReboot"], value: 1 },
    { nut: "beeper.on", path: BEEPER, value: 2 },
    { nut: "beeper.off", path: BEEPER, value: 3 },
    { nut: "beeper.enable", path: BEEPER, value: 2 },
    { nut: "beeper.disable", path: BEEPER, value: 1 },
    { nut: "beeper.mute", path: BEEPER, value: 3 },
  ],
  fixDescriptor: fixApcDescriptor,
  identify: identifyApc,
  defaults: apcDefaults,
})

/**
 * apc_format_model(): iProduct "Back-UPS BX1600MI FW:294201G -302201G" → model "Back-UPS BX1600MI",
 * firmware "294201G -302201G"; "… FW:938.a2 .I USB FW:a2 " also gives ups.firmware.aux "a2 ".
 * Like NUT, the character before "FW:" is cut and nothing is trimmed.
 */
export function identifyApc(device: HidDeviceInfo): DeviceIdentity {
  const product = device.product ?? "unknown"
  const mfr = device.manufacturer ?? "APC"
  const at = product.indexOf("FW:")
  if (at < 0) return { mfr, model: product, serial: device.serial }
  const model = product.slice(0, Math.max(0, at - 1))
  let firmware = product.slice(at + 3)
  let firmwareAux: string | undefined
  const usb = firmware.indexOf("USB FW:")
  if (usb >= 0) {
    firmwareAux = firmware.slice(usb + 7)
    firmware = firmware.slice(0, Math.max(0, usb - 1))
  }
  return { mfr, model, serial: device.serial, firmware, ...(firmwareAux === undefined ? {} : { firmwareAux }) }
}

/**
 * The 2023+ Back-UPS BX…MI, BVK…M2 and BK…M2-CH flap LB/RB (and OL+DISCHRG) for a few seconds
 * (nut#2347, #2565): NUT defaults lbrb_log_delay_sec to 3 for them. NUT tests the raw iProduct's
 * last letters, which misses "Back-UPS BX1600MI FW:294201G -302201G"; we test the model part. We
 * also debounce without a calibration flag (NUT's lbrb_log_delay_without_calibrating): these units
 * flap without announcing one, and LB/RB while on line never needs to act within 3 s.
 */
function apcDefaults(device: HidDeviceInfo, identity: DeviceIdentity): SubdriverDefaults {
  const interruptPipe = !(device.productId === 0x0003 || device.productId === 0x0004)
  return isBxFamily(identity.model ?? "")
    ? { interruptPipe, lbrbDelaySec: 3, lbrbDelayWithoutCalibrating: true }
    : { interruptPipe }
}

/** Back-UPS BX…MI / BVK…M2 / BK…M2-CH (also with a suffix such as BX1600MI-GR). */
export function isBxFamily(model: string): boolean {
  return /(^|\s)(BX\d+MI|BVK\d+M2|BK\d+M2[-_]CH)(\b|-)/i.test(model)
}

/**
 * apc_fix_report_desc() (nut#1189, only 051d:0002): Input.Voltage (id 0x31) inherits LogMax 255,
 * below the high transfer point (id 0x33, 278 on the BK650M2), so 230 V mains above 255 V would be
 * clamped: widen it to 0..2×HVT. A ConfigVoltage (id 0x30) LogMax below HVT becomes 255.
 */
export function fixApcDescriptor(desc: ParsedDescriptor, device: HidDeviceInfo): { desc: ParsedDescriptor; notes: string[] } {
  const notes: string[] = []
  if (device.vendorId !== VENDOR_APC || device.productId !== 0x0002) return { desc, notes }
  const hvt = desc.fields.find((f) => f.reportId === 0x33 && f.type === "feature" && f.usage === 0x00840054)
  if (hvt === undefined) return { desc, notes }
  const voltage = findField(desc, "UPS.Input.Voltage", { usageNames: APC_USAGE_NAMES })
  if (voltage !== undefined && voltage.reportId === 0x31 && hvt.logicalMax > voltage.logicalMax) {
    desc = withLogicalRange(desc, { reportId: 0x31 }, { logicalMin: 0, logicalMax: 2 * hvt.logicalMax })
    notes.push(`Input.Voltage (report 0x31): logical range ${voltage.logicalMin}..${voltage.logicalMax} widened to 0..${2 * hvt.logicalMax} (nut#1189)`)
  }
  const nominal = findField(desc, "UPS.Input.ConfigVoltage", { usageNames: APC_USAGE_NAMES })
  if (nominal !== undefined && nominal.reportId === 0x30 && hvt.logicalMax > nominal.logicalMax && nominal.logicalMax !== 255) {
    desc = withLogicalRange(desc, { reportId: 0x30 }, { logicalMin: nominal.logicalMin, logicalMax: 255 })
    notes.push(`Input.ConfigVoltage (report 0x30): logical maximum ${nominal.logicalMax} set to 255 (nut#1189)`)
  }
  return { desc, notes }
}

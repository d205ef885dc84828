// Eaton / MGE and their OEMs (Dell, Powerware, HP, AEG, Phoenixtec/PowerWalker, IBM, KSTAR): the
// core of NUT's mge-hid.c ("MGE HID") as a table. Numbered collections give indexed paths:
// UPS.PowerConverter.Input.[1].Voltage = input, UPS.Flow.[4] = output (hid-reference §d.2).
// Not ported: the model-name table, outlets, ECO/bypass settings, ABM charger logic, ups.date/time.
import { MGE_USAGE_NAMES, type HidDeviceInfo } from "../../../hid/index.ts"
import { beeperStatus, fixed, kelvinCelsius, lookup, stringId, testResult, yesNo } from "../conversions.ts"
import { formatFixed } from "../format.ts"
import { defineSubdriver, delayFrom } from "../define-subdriver.ts"
import type { Conversion } from "../types.ts"

const DELAY_SHUTDOWN = "UPS.PowerSummary.DelayBeforeShutdown"
const DELAY_STARTUP = "UPS.PowerSummary.DelayBeforeStartup"
const TEST = "UPS.BatterySystem.Battery.Test"
const BEEPER = ["UPS.BatterySystem.Battery.AudibleAlarmControl", "UPS.PowerSummary.AudibleAlarmControl", "UPS.AudibleAlarmControl"]

/** USB ids mge-hid.c claims (vendor → products; undefined = every product of the vendor). */
const DEVICES: ReadonlyMap<number, readonly number[] | undefined> = new Map([
  [0x0463, [0x0001, 0xffff]], // MGE UPS Systems / Eaton
  [0x047c, [0xffff]], // Dell
  [0x0592, [0x0004]], // Powerware
  [0x03f0, [0x0001, 0x1fe5, 0x1fe6, 0x1fe7, 0x1fe8]], // HP
  [0x2b2d, [0xffff]], // AEG
  [0x06da, [0xffff]], // Phoenixtec (PowerWalker VI … SH)
  [0x04b3, [0x0001]], // IBM
  [0x09d6, [0x0001]], // KSTAR
])

/** SensitivityMode (0xFFFF004C): mge_sensitivity_info. */
const mgeSensitivity = lookup("mge_sensitivity_info", { 0: "normal", 1: "high", 2: "low" })

/**
 * mge_battery_voltage(): NUT publishes UPS.PowerSummary.Voltage only for the Evolution, Pulsar M,
 * 5P and 9E families, whose value it trusts (nut#2380). We keep that rule for Eaton's own VID and
 * publish it for the OEMs (PowerWalker VI 2200 SH: 27.1 V in NUT's explore dump).
 */
const mgeBatteryVoltage: Conversion = {
  name: "mge_battery_voltage",
  input: "physical",
  read(value, ctx) {
    if (ctx.device.vendorId === 0x0463 && !/Evolution|Pulsar M|5P|9E/i.test(ctx.device.product ?? "")) return undefined
    return formatFixed(value, 1)
  },
}

/** Eaton, MGE and OEM USB HID UPSes. */
export const eatonSubdriver = defineSubdriver({
  name: "eaton",
  title: "MGE HID",
  usageNames: MGE_USAGE_NAMES,
  claims: (device) => {
    const products = DEVICES.get(device.vendorId)
    return DEVICES.has(device.vendorId) && (products === undefined || products.includes(device.productId))
  },
  vars: [
    { nut: "battery.charge", path: "UPS.PowerSummary.RemainingCapacity" },
    { nut: "battery.charge.low", path: "UPS.PowerSummary.RemainingCapacityLimitSetting", rw: true, aux: 5 },
    { nut: "battery.charge.low", path: "UPS.PowerSummary.RemainingCapacityLimit" },
    { nut: "battery.charge.restart", path: "UPS.PowerSummary.RestartLevel", rw: true, aux: 3 },
    { nut: "battery.runtime", path: "UPS.PowerSummary.RunTimeToEmpty" },
    { nut: "battery.runtime.low", path: "UPS.PowerSummary.RemainingTimeLimit", rw: true },
    { nut: "battery.temperature", path: "UPS.BatterySystem.Battery.Temperature", convert: kelvinCelsius },
    { nut: "battery.type", path: "UPS.PowerSummary.iDeviceChemistry", convert: stringId },
    { nut: "battery.voltage", path: "UPS.BatterySystem.Voltage", convert: fixed(1) },
    { nut: "battery.voltage", path: "UPS.PowerSummary.Voltage", convert: mgeBatteryVoltage },
    { nut: "battery.voltage.nominal", path: ["UPS.BatterySystem.ConfigVoltage", "UPS.PowerSummary.ConfigVoltage"] },
    { nut: "ups.firmware", path: "UPS.PowerSummary.iVersion", convert: stringId },
    { nut: "ups.load", path: "UPS.PowerSummary.PercentLoad" },
    { nut: "ups.timer.start", path: DELAY_STARTUP, poll: "quick" },
    { nut: "ups.timer.shutdown", path: DELAY_SHUTDOWN, poll: "quick" },
    { nut: "ups.timer.reboot", path: "UPS.PowerSummary.DelayBeforeReboot", poll: "quick" },
    { nut: "ups.test.result", path: TEST, convert: testResult },
    { nut: "ups.beeper.status", path: BEEPER, convert: beeperStatus },
    { nut: "ups.temperature", path: "UPS.PowerSummary.Temperature", convert: kelvinCelsius },
    { nut: "ups.power", path: "UPS.PowerConverter.Output.ApparentPower" },
    { nut: "ups.power.nominal", path: "UPS.Flow.[4].ConfigApparentPower" },
    { nut: "ups.realpower", path: "UPS.PowerConverter.Output.ActivePower" },
    { nut: "ups.realpower.nominal", path: "UPS.Flow.[4].ConfigActivePower" },
    { nut: "input.voltage", path: "UPS.PowerConverter.Input.[1].Voltage", convert: fixed(1) },
    { nut: "input.voltage.nominal", path: "UPS.Flow.[1].ConfigVoltage" },
    { nut: "input.current", path: "UPS.PowerConverter.Input.[1].Current", convert: fixed(2) },
    { nut: "input.frequency", path: "UPS.PowerConverter.Input.[1].Frequency", convert: fixed(1) },
    { nut: "input.frequency.nominal", path: "UPS.Flow.[1].ConfigFrequency" },
    { nut: "input.transfer.low", path: "UPS.PowerConverter.Output.LowVoltageTransfer", rw: true, aux: 5 },
    { nut: "input.transfer.high", path: "UPS.PowerConverter.Output.HighVoltageTransfer", rw: true, aux: 5 },
    { nut: "input.sensitivity", path: "UPS.PowerConverter.Output.SensitivityMode", convert: mgeSensitivity, rw: true },
    { nut: "input.voltage.extended", path: "UPS.PowerConverter.Output.ExtendedVoltageMode", convert: yesNo, rw: true, aux: 5 },
    { nut: "output.voltage", path: "UPS.PowerConverter.Output.Voltage", convert: fixed(1) },
    // NUT makes this RW (an ENUM of 200…240 V); changing the output voltage from a monitoring
    // daemon is a foot-gun, so it is read-only here
    { nut: "output.voltage.nominal", path: "UPS.Flow.[4].ConfigVoltage" },
    { nut: "output.current", path: "UPS.PowerConverter.Output.Current", convert: fixed(2) },
    { nut: "output.frequency", path: "UPS.PowerConverter.Output.Frequency", convert: fixed(1) },
    { nut: "output.frequency.nominal", path: "UPS.Flow.[4].ConfigFrequency" },
  ],
  settings: [
    { nut: "ups.delay.start", path: DELAY_STARTUP, default: "30" },
    { nut: "ups.delay.shutdown", path: DELAY_SHUTDOWN, default: "20" },
  ],
  status: [
    { path: "UPS.PowerSummary.PresentStatus.ACPresent", fact: "online", poll: "quick" },
    // the battery input of the converter in use = on battery (mge_onbatt_info)
    { path: "UPS.PowerConverter.Input.[3].PresentStatus.Used", fact: "online", values: { 1: false, 0: true } },
    { path: "UPS.PowerSummary.PresentStatus.Discharging", fact: "discharging", poll: "quick" },
    { path: "UPS.PowerSummary.PresentStatus.Charging", fact: "charging", poll: "quick" },
    { path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", fact: "lowbatt", poll: "quick" },
    { path: "UPS.PowerConverter.Output.Overload.[1].PresentStatus.OverThreshold", fact: "overload" },
    { path: "UPS.PowerConverter.Output.Overload.[2].PresentStatus.OverThreshold", fact: "overload" },
    { path: "UPS.PowerSummary.PresentStatus.Overload", fact: "overload" },
    { path: "UPS.PowerSummary.PresentStatus.NeedReplacement", fact: "replacebatt" },
    { path: "UPS.LCMSystem.LCMAlarm.[2].PresentStatus.TimerExpired", fact: "replacebatt" },
    { path: "UPS.PowerConverter.Input.[1].PresentStatus.Buck", fact: "trim" },
    { path: "UPS.PowerConverter.Input.[1].PresentStatus.Boost", fact: "boost" },
    { path: "UPS.PowerConverter.Input.[1].PresentStatus.VoltageOutOfRange", fact: "vrange" },
    { path: "UPS.PowerConverter.Input.[1].PresentStatus.FrequencyOutOfRange", fact: "frange" },
    // reversed: Good = 0 means the output is off (off_info)
    { path: "UPS.PowerSummary.PresentStatus.Good", fact: "off", values: { 0: true, 1: false } },
    { path: "UPS.PowerConverter.Input.[2].PresentStatus.Used", fact: "bypassauto" },
    { path: "UPS.PowerConverter.Input.[4].PresentStatus.Used", fact: "bypassman" },
    { path: "UPS.PowerSummary.PresentStatus.FanFailure", fact: "fanfail" },
    { path: "UPS.BatterySystem.Battery.PresentStatus.Present", fact: "nobattery", values: { 0: true, 1: false } },
    { path: "UPS.BatterySystem.Charger.PresentStatus.InternalFailure", fact: "chargerfail" },
    { path: "UPS.BatterySystem.Charger.PresentStatus.VoltageTooHigh", fact: "battvolthi" },
    { path: "UPS.BatterySystem.Battery.PresentStatus.VoltageTooHigh", fact: "battvolthi" },
    { path: "UPS.BatterySystem.Charger.PresentStatus.VoltageTooLow", fact: "battvoltlo" },
    { path: "UPS.PowerSummary.PresentStatus.InternalFailure", fact: "commfault" },
    { path: "UPS.PowerSummary.PresentStatus.OverTemperature", fact: "overheat" },
    { path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", fact: "shutdownimm" },
  ],
  commands: [
    { nut: "test.battery.start.quick", path: TEST, value: 1 },
    { nut: "test.battery.start.deep", path: TEST, value: 2 },
    { nut: "test.battery.stop", path: TEST, value: 3 },
    { nut: "load.off.delay", path: DELAY_SHUTDOWN, value: delayFrom("ups.delay.shutdown", 20) },
    { nut: "load.on.delay", path: DELAY_STARTUP, value: delayFrom("ups.delay.start", 30) },
    { nut: "shutdown.stop", path: DELAY_SHUTDOWN, value: -1 },
    { nut: "shutdown.reboot", path: "UPS.PowerSummary.DelayBeforeReboot", value: 10 },
    { nut: "beeper.off", path: BEEPER, value: 1 },
    { nut: "beeper.on", path: BEEPER, value: 2 },
    { nut: "beeper.enable", path: BEEPER, value: 2 },
    { nut: "beeper.disable", path: BEEPER, value: 1 },
    { nut: "beeper.mute", path: BEEPER, value: 3 },
  ],
  identify: (device: HidDeviceInfo) => ({ mfr: device.manufacturer ?? "Eaton", model: device.product, serial: device.serial }),
})

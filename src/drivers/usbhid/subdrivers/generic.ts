// Fallback for any USB HID Power Device no vendor table claims: only the standard usages of the
// Power Device (0x84) and Battery System (0x85) pages (hid-reference §d.3). The Arduino
// HIDPowerDevice fixture — what NUT's arduino-hid targets — is shaped exactly like this.
import { STANDARD_USAGE_NAMES } from "../../../hid/index.ts"
import { beeperStatus, fixed, hidDate, stringId, testResult } from "../conversions.ts"
import { defineSubdriver, delayFrom } from "../define-subdriver.ts"

const DELAY_SHUTDOWN = ["UPS.PowerSummary.DelayBeforeShutdown", "UPS.Output.DelayBeforeShutdown"]
const DELAY_STARTUP = ["UPS.PowerSummary.DelayBeforeStartup", "UPS.Output.DelayBeforeStartup"]
const DELAY_REBOOT = ["UPS.PowerSummary.DelayBeforeReboot", "UPS.Output.DelayBeforeReboot"]
const TEST = ["UPS.BatterySystem.Battery.Test", "UPS.Battery.Test", "UPS.Output.Test"]
const BEEPER = "UPS.PowerSummary.AudibleAlarmControl"
const STATUS = "UPS.PowerSummary.PresentStatus"

/** Any HID Power Device, by the PDC specification alone. */
export const genericSubdriver = defineSubdriver({
  name: "generic",
  title: "Generic HID",
  usageNames: STANDARD_USAGE_NAMES,
  claims: () => true,
  vars: [
    { nut: "battery.charge", path: ["UPS.PowerSummary.RemainingCapacity", "UPS.Battery.RemainingCapacity"] },
    { nut: "battery.charge.low", path: "UPS.PowerSummary.RemainingCapacityLimit", rw: true },
    { nut: "battery.charge.warning", path: "UPS.PowerSummary.WarningCapacityLimit" },
    { nut: "battery.runtime", path: ["UPS.PowerSummary.RunTimeToEmpty", "UPS.Battery.RunTimeToEmpty"] },
    { nut: "battery.runtime.low", path: ["UPS.PowerSummary.RemainingTimeLimit", "UPS.Battery.RemainingTimeLimit"], rw: true },
    { nut: "battery.voltage", path: ["UPS.PowerSummary.Voltage", "UPS.Battery.Voltage"], convert: fixed(1) },
    { nut: "battery.voltage.nominal", path: ["UPS.PowerSummary.ConfigVoltage", "UPS.Battery.ConfigVoltage"], convert: fixed(1) },
    { nut: "battery.type", path: "UPS.PowerSummary.iDeviceChemistry", convert: stringId },
    { nut: "battery.mfr.date", path: ["UPS.PowerSummary.ManufacturerDate", "UPS.Battery.ManufacturerDate"], convert: hidDate },
    { nut: "ups.load", path: ["UPS.PowerSummary.PercentLoad", "UPS.Output.PercentLoad", "UPS.PowerConverter.PercentLoad"] },
    { nut: "ups.beeper.status", path: BEEPER, convert: beeperStatus },
    { nut: "ups.test.result", path: TEST, convert: testResult },
    { nut: "ups.timer.start", path: DELAY_STARTUP, poll: "quick" },
    { nut: "ups.timer.shutdown", path: DELAY_SHUTDOWN, poll: "quick" },
    { nut: "ups.timer.reboot", path: DELAY_REBOOT, poll: "quick" },
    { nut: "input.voltage", path: ["UPS.Input.Voltage", "UPS.PowerConverter.Input.Voltage"], convert: fixed(1) },
    { nut: "input.voltage.nominal", path: "UPS.Input.ConfigVoltage" },
    { nut: "output.voltage", path: ["UPS.Output.Voltage", "UPS.PowerConverter.Output.Voltage"], convert: fixed(1) },
  ],
  settings: [
    { nut: "ups.delay.start", path: DELAY_STARTUP, default: "30" },
    { nut: "ups.delay.shutdown", path: DELAY_SHUTDOWN, default: "20" },
  ],
  status: [
    { path: `${STATUS}.ACPresent`, fact: "online", poll: "quick" },
    { path: `${STATUS}.Charging`, fact: "charging", poll: "quick" },
    { path: `${STATUS}.Discharging`, fact: "discharging", poll: "quick" },
    { path: `${STATUS}.BelowRemainingCapacityLimit`, fact: "lowbatt", poll: "quick" },
    { path: `${STATUS}.ShutdownImminent`, fact: "shutdownimm" },
    { path: `${STATUS}.RemainingTimeLimitExpired`, fact: "timelimitexp" },
    { path: `${STATUS}.NeedReplacement`, fact: "replacebatt" },
    { path: `${STATUS}.Overload`, fact: "overload" },
    { path: `${STATUS}.FullyCharged`, fact: "fullycharged" },
    { path: `${STATUS}.BatteryPresent`, fact: "nobattery", values: { 0: true, 1: false } },
  ],
  commands: [
    { nut: "test.battery.start.quick", path: TEST, value: 1 },
    { nut: "test.battery.start.deep", path: TEST, value: 2 },
    { nut: "test.battery.stop", path: TEST, value: 3 },
    { nut: "load.off.delay", path: DELAY_SHUTDOWN, value: delayFrom("ups.delay.shutdown", 20) },
    { nut: "load.on.delay", path: DELAY_STARTUP, value: delayFrom("ups.delay.start", 30) },
    { nut: "shutdown.stop", path: DELAY_SHUTDOWN, value: -1 },
    { nut: "shutdown.reboot", path: DELAY_REBOOT, value: 10 },
    { nut: "beeper.enable", path: BEEPER, value: 2 },
    { nut: "beeper.disable", path: BEEPER, value: 1 },
    { nut: "beeper.mute", path: BEEPER, value: 3 },
  ],
})

// How the simulated UPS's state shows up in HID fields: one quantity per thing the firmware
// reports (charge, runtime, voltages, the status flags, the countdowns), each written to every field
// with its usage (see fields.ts), whatever the descriptor's layout.
//
// The flag rules are this simulator's model of the firmware, not a trace of it:
//   ACPresent = mains; Discharging = on battery (or self-test) with the output on; Charging = on
//   mains below 100 %; LB bits only on battery: BelowRemainingCapacityLimit when charge <=
//   RemainingCapacityLimit, RemainingTimeLimitExpired when runtime <= RemainingTimeLimit, and
//   ShutdownImminent with either (BK650M2/BX carry the last two in id 0x16, the first in 0x14).
import type { HidField } from "../types.ts"
import { fieldsNamed, isUnder } from "./fields.ts"
import type { ReportStore } from "./report-store.ts"

/** One reported value and the fields that carry it. */
export interface Quantity {
  readonly key: string
  readonly fields: readonly HidField[]
  readonly compute: () => number
}

/** Countdowns the host can start. */
export type Timer = "shutdown" | "startup" | "reboot" | "grace"

/** Values a device reports while nothing happens (from the recording, else NUT-typical defaults). */
export interface IdleValues {
  readonly input: number
  readonly frequency: number
  readonly output: number
  readonly load: number
  readonly battery: number
}

/** What the quantities read from the model. */
export interface ModelView {
  mains(): boolean
  outputOn(): boolean
  /** Whole percent reported. */
  charge(): number
  runtime(): number
  draining(): boolean
  charging(): boolean
  testResult(): number
  /** Seconds left on a countdown, −1 when it is not running. */
  secondsLeft(timer: Timer): number
  chargeLow(): number
  runtimeLow(): number
  flagOverride(name: string): number | undefined
  batteryVoltage(): number
  readonly idle: IdleValues
}

/** Every quantity the descriptor has fields for. */
export function modelQuantities(fields: readonly HidField[], view: ModelView): Quantity[] {
  const out: Quantity[] = []
  const add = (key: string, list: readonly HidField[], compute: () => number): void => {
    if (list.length > 0) out.push({ key, fields: list, compute })
  }
  const under = (name: string) => (f: HidField): boolean => isUnder(f, name)
  add("charge", fieldsNamed(fields, "RemainingCapacity"), view.charge)
  add("runtime", fieldsNamed(fields, "RunTimeToEmpty"), view.runtime)
  add("input.voltage", fieldsNamed(fields, "Voltage", under("Input")), () => (view.mains() ? view.idle.input : 0))
  add("input.frequency", fieldsNamed(fields, "Frequency", under("Input")), () => (view.mains() ? view.idle.frequency : 0))
  add("output.voltage", fieldsNamed(fields, "Voltage", (f) => isUnder(f, "Output") && !isUnder(f, "Input")), () => (view.outputOn() ? view.idle.output : 0))
  add("load", fieldsNamed(fields, "PercentLoad"), () => (view.outputOn() ? view.idle.load : 0))
  add("battery.voltage", fieldsNamed(fields, "Voltage", isBatteryVoltage), view.batteryVoltage)
  add("test", fieldsNamed(fields, "Test"), view.testResult)
  add("delay.shutdown", [...fieldsNamed(fields, "DelayBeforeShutdown"), ...fieldsNamed(fields, "APCDelayBeforeShutdown")], () => view.secondsLeft("shutdown"))
  add("delay.startup", [...fieldsNamed(fields, "DelayBeforeStartup"), ...fieldsNamed(fields, "APCDelayBeforeStartup")], () => view.secondsLeft("startup"))
  add("delay.reboot", fieldsNamed(fields, "DelayBeforeReboot"), () => view.secondsLeft("reboot"))
  // the BK650M2/BX report 0 here while no grace runs (id 0x40 `40 00`)
  add("delay.apc-reboot", fieldsNamed(fields, "APCDelayBeforeReboot"), () => Math.max(0, view.secondsLeft("grace")))
  const belowLimit = (): boolean => !view.mains() && view.charge() <= view.chargeLow()
  const timeExpired = (): boolean => !view.mains() && view.runtime() <= view.runtimeLow()
  const flags: ReadonlyArray<readonly [string, () => boolean]> = [
    ["ACPresent", view.mains],
    ["Discharging", view.draining],
    ["Charging", view.charging],
    ["FullyCharged", () => view.charge() >= 100],
    ["BelowRemainingCapacityLimit", belowLimit],
    ["RemainingTimeLimitExpired", timeExpired],
    ["ShutdownImminent", () => belowLimit() || timeExpired()],
    ["BatteryPresent", () => true],
  ]
  for (const [name, on] of flags) {
    const q = flagQuantity(fields, name, () => (on() ? 1 : 0), view)
    if (q !== undefined) out.push(q)
  }
  return out
}

/** A status flag by usage name; a scenario's override wins over the model's value. */
export function flagQuantity(fields: readonly HidField[], name: string, compute: () => number, view: ModelView): Quantity | undefined {
  const list = fieldsNamed(fields, name)
  return list.length === 0 ? undefined : { key: `flag:${name}`, fields: list, compute: () => view.flagOverride(name) ?? compute() }
}

/** Settings a descriptor without recorded reports starts with (NUT-typical values). */
const CONFIG_DEFAULTS: ReadonlyArray<readonly [string, number]> = [
  ["RemainingCapacityLimit", 10],
  ["WarningCapacityLimit", 50],
  ["RemainingTimeLimit", 120],
  ["AudibleAlarmControl", 2],
  ["CapacityMode", 2],
  ["Rechargeable", 1],
  ["DesignCapacity", 100],
  ["FullChargeCapacity", 100],
]

/** Writes CONFIG_DEFAULTS into the fields of report ids the recording lacks. */
export function writeConfigDefaults(store: ReportStore): void {
  for (const [name, value] of CONFIG_DEFAULTS) {
    for (const f of fieldsNamed(store.fields, name)) if (!store.isRecorded(f.reportId)) store.write(f, value)
  }
}

/** Battery voltage: `UPS.Battery.Voltage` or `UPS.PowerSummary.Voltage` (not the Input/Output ones). */
export function isBatteryVoltage(f: HidField): boolean {
  return (isUnder(f, "Battery") || isUnder(f, "PowerSummary")) && !isUnder(f, "Input") && !isUnder(f, "Output")
}

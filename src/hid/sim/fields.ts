// Field look-ups for the simulated UPS by usage name, whatever the descriptor's layout: APC
// publishes ACPresent three times (ids 0x13, 0x16, 0x7a), CyberPower once (0x0b), the Arduino
// emulator once (0x07) — the model sets every copy, as the firmware keeps them in step.
import type { HidField } from "../types.ts"
import { ALL_USAGE_NAMES } from "../usage-names.ts"

/** 32-bit usage of a name from our usage tables. @throws Error for a name no table has (a typo here). */
export function usageOf(name: string): number {
  const usage = ALL_USAGE_NAMES.usage(name)
  if (usage === undefined) throw new Error(`Unknown HID usage name ${name}`)
  return usage
}

const CHANGED_STATUS = usageOf("ChangedStatus")
const PRESENT_STATUS = usageOf("PresentStatus")

/** True when one of the field's enclosing collections has usage `name`. */
export function isUnder(field: HidField, name: string): boolean {
  const usage = usageOf(name)
  return field.pathNodes.slice(0, -1).includes(usage)
}

/**
 * Fields with usage `name` (any report type), optionally filtered. ChangedStatus copies are left
 * out: they latch "this flag changed" rather than the state itself.
 */
export function fieldsNamed(fields: readonly HidField[], name: string, where: (f: HidField) => boolean = () => true): HidField[] {
  const usage = usageOf(name)
  return fields.filter((f) => f.usage === usage && !f.pathNodes.includes(CHANGED_STATUS) && where(f))
}

/** Usages a host write never changes: measurements, status flags, string indexes, capacity data. */
const READ_ONLY = new Set(
  [
    "RemainingCapacity", "RunTimeToEmpty", "FullChargeCapacity", "DesignCapacity", "Voltage", "Current", "Frequency",
    "PercentLoad", "ActivePower", "ApparentPower", "Temperature", "Humidity", "ACPresent", "BatteryPresent", "Charging",
    "Discharging", "FullyCharged", "FullyDischarged", "BelowRemainingCapacityLimit", "RemainingTimeLimitExpired",
    "ShutdownImminent", "NeedReplacement", "Overload", "VoltageNotRegulated", "Good", "InternalFailure",
    "VoltageOutOfRange", "FrequencyOutOfRange", "OverTemperature", "Boost", "Buck", "CapacityMode", "Rechargeable",
    "iManufacturer", "iProduct", "iSerialNumber", "iDeviceChemistry", "iOEMInformation", "iName",
  ].map(usageOf),
)

/**
 * Whether the device takes a host's value for this field on SET_REPORT. NUT writes back the whole
 * buffered report, so the other fields of a written report arrive with stale copies of what the
 * device last said — a device keeps its own measurements and flags.
 */
export function acceptsWrites(field: HidField): boolean {
  return field.usage !== 0 && !READ_ONLY.has(field.usage) && !field.pathNodes.includes(PRESENT_STATUS) && !field.pathNodes.includes(CHANGED_STATUS)
}

import type { VarFlag } from "../../ups/index.ts"

/** How dummy-ups types a variable it sets: the flags it sends with SETFLAGS, and SETAUX for strings. */
export interface DummyVarType {
  readonly flags: readonly VarFlag[]
  /** Maximum length sent with SETAUX (only for STRING variables). */
  readonly aux?: number
}

const NUMBER_RW: DummyVarType = { flags: ["RW"] }
const STRING_RW_32: DummyVarType = { flags: ["RW", "STRING"], aux: 32 }

/**
 * Variables with their own row in dummy-ups 2.8.0's data table (`nut_data[]` in drivers/dummy-ups.h,
 * DRIVER_VERSION 0.15). Recovered by probing the Debian 2.8.0 binary: a .dev file setting every
 * name in cmdvartab, in the fixtures and in the binary's strings, then reading SETFLAGS/SETAUX from
 * the driver socket. Quirk: the numeric rows are "RW" without STRING, so upsd types them
 * `RW NUMBER`; the rest of NUT's names are not in the table and fall back to {@link DEFAULT_TYPE}.
 */
const TABLE: ReadonlyMap<string, DummyVarType> = new Map<string, DummyVarType>([
  ...[
    "ups.mfr",
    "ups.model",
    "ups.status",
    "ups.serial",
    "ups.alarm",
  ].map((n) => [n, STRING_RW_32] as const),
  ...[
    "ups.date",
    "ups.firmware",
    "ups.firmware.aux",
    "ups.id",
    "ups.mfr.date",
    "ups.test.result",
    "ups.time",
  ].map((n) => [n, { flags: ["RW", "STRING"], aux: 16 } satisfies DummyVarType] as const),
  ["input.quality", { flags: ["RW", "STRING"], aux: 6 }],
  ["input.sensitivity", { flags: ["RW", "STRING"], aux: 1 }],
  ["input.transfer.reason", { flags: ["RW", "STRING"], aux: 1 }],
  ...[
    "ups.load",
    "ups.temperature",
    "ups.delay.start",
    "ups.delay.reboot",
    "ups.delay.shutdown",
    "ups.test.interval",
    "input.voltage",
    "input.voltage.maximum",
    "input.voltage.minimum",
    "input.voltage.nominal",
    "input.transfer.low",
    "input.transfer.high",
    "input.frequency",
    "input.transfer.boost.low",
    "input.transfer.boost.high",
    "input.transfer.trim.low",
    "input.transfer.trim.high",
    "output.voltage",
    "output.frequency",
    "output.current",
    "battery.charge",
    "battery.charge.low",
    "battery.voltage",
    "battery.current",
    "battery.runtime",
    "battery.runtime.low",
    "battery.charge.restart",
    "battery.temperature",
    "battery.voltage.nominal",
    "ambient.temperature",
    "ambient.temperature.alarm",
    "ambient.temperature.high",
    "ambient.temperature.low",
    "ambient.humidity",
    "ambient.humidity.alarm",
    "ambient.humidity.high",
    "ambient.humidity.low",
  ].map((n) => [n, NUMBER_RW] as const),
])

/** Any variable outside the table: dummy-ups 2.8.0 sets it `RW STRING:32` ("using default flags"). */
export const DEFAULT_TYPE: DummyVarType = STRING_RW_32

/** The type dummy-ups gives `name` when it sets it (table lookup is case-insensitive, strcasecmp). */
export function dummyVarType(name: string): DummyVarType {
  return TABLE.get(name.toLowerCase()) ?? DEFAULT_TYPE
}

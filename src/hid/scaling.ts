// Logical ⇄ physical conversion exactly as NUT's libhid.c does it (HIDGetDataValue /
// HIDSetDataValue), so published values match usbhid-ups.
//
// What NUT applies, in this order when reading:
//   1. logical → physical, linear, only if both Physical Minimum and Maximum items were seen, are
//      not both 0, and PhyMax > PhyMin and LogMax > LogMin; the result is clamped to
//      [PhyMin, PhyMax]. (CyberPower delays: −1..32767 ↦ −60..1966020, a factor of 60: minutes.)
//   2. × 10^(UnitExponent − e), e = the "natural" exponent of the unit word from a 10-entry table:
//      7 for volt (0x00F0D121) and watt/VA (0x0000D121), 0 for none, ampere, second, kelvin,
//      hertz, ampere-second. A unit word not in the table uses the exponent as is.
// What NUT does NOT do: no unit conversion (kelvin stays kelvin, the subdriver converts), no
// distinction of what the field means (a volt unit leaking into a string index or enum scales it
// too — Back-UPS CS 500 shows 0.03: use `raw`/`logical` for those), no Null State handling (out of
// range values are masked and clamped by GetValue, see codec.ts), no Relative/NonLinear handling.
// Writing reverses both steps: ÷ 10^(exp − e), then physical → logical truncated toward zero
// (C's `(long)` cast) and clamped to [LogMin, LogMax] — but only when a physical range is in use;
// without one NUT writes the truncated value unclamped (SetValue keeps the low bits).
import type { HidField } from "./types.ts"

/** NUT's unit table: unit word → natural exponent (HID PDC §3.2.3 units). */
export const NUT_UNIT_EXPONENTS: ReadonlyMap<number, number> = new Map([
  [0x00000000, 0], // none, percent
  [0x00f0d121, 7], // volt
  [0x00100001, 0], // ampere
  [0x0000d121, 7], // VA and watt
  [0x00001001, 0], // second
  [0x00010001, 0], // kelvin
  [0x0000f001, 0], // hertz
  [0x00101001, 0], // ampere-second
])

const UNIT_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00f0d121, "V"],
  [0x00100001, "A"],
  [0x0000d121, "W"],
  [0x00001001, "s"],
  [0x00010001, "K"],
  [0x0000f001, "Hz"],
  [0x00101001, "As"],
])

/** Short symbol of a unit word NUT knows (`V`, `W` — also VA —, `A`, `s`, `K`, `Hz`, `As`), else undefined. */
export function unitName(unit: number): string | undefined {
  return UNIT_NAMES.get(unit)
}

/** The power of ten NUT multiplies by: UnitExponent minus the unit's natural exponent. */
export function scaleExponent(field: Pick<HidField, "unit" | "unitExponent">): number {
  return field.unitExponent - (NUT_UNIT_EXPONENTS.get(field.unit) ?? 0)
}

type Ranges = Pick<HidField, "logicalMin" | "logicalMax" | "physicalMin" | "physicalMax">

/** NUT's logical_to_physical(): the linear map, or the logical value itself. */
export function logicalToPhysical(field: Ranges, logical: number): number {
  const { physicalMin: pMin, physicalMax: pMax, logicalMin: lMin, logicalMax: lMax } = field
  if (pMin === undefined || pMax === undefined || (pMin === 0 && pMax === 0)) return logical
  if (pMax <= pMin || lMax <= lMin) return logical
  const physical = ((logical - lMin) * (pMax - pMin)) / (lMax - lMin) + pMin
  return Math.min(pMax, Math.max(pMin, physical))
}

/** NUT's physical_to_logical(): the inverse map, truncated toward zero, clamped to the logical range. */
export function physicalToLogical(field: Ranges, physical: number): number {
  const { physicalMin: pMin, physicalMax: pMax, logicalMin: lMin, logicalMax: lMax } = field
  if (pMin === undefined || pMax === undefined || (pMin === 0 && pMax === 0)) return truncate(physical)
  if (pMax <= pMin || lMax <= lMin) return truncate(physical)
  const logical = truncate(((physical - pMin) * (lMax - lMin)) / (pMax - pMin)) + lMin
  return Math.min(lMax, Math.max(lMin, logical))
}

/** Logical value → the physical value NUT publishes (`26 46 05` volt exp 5 → 13.5). */
export function toPhysical(field: HidField, logical: number): number {
  return shift(logicalToPhysical(field, logical), scaleExponent(field))
}

/** Physical value → the logical value NUT writes (CyberPower: 20 s → 0 minutes, 120 s → 2). */
export function toLogical(field: HidField, physical: number): number {
  return physicalToLogical(field, shift(physical, -scaleExponent(field)))
}

/**
 * value × 10^exp. NUT builds 10^exp by repeated multiplication of 0.1, so 1350 × 10^-2 gives
 * 13.500000000000002 and 13.5 ÷ 10^-2 gives 1349.9999999999998 (truncated to 1349 on writes); we
 * divide by an exact power of ten instead, which prints the same and writes what was meant.
 */
function shift(value: number, exp: number): number {
  return exp >= 0 ? value * 10 ** exp : value / 10 ** -exp
}

/** C's `(long)` cast (toward zero), tolerant of binary floating point noise (2.9999999999 → 3). */
function truncate(value: number): number {
  const nearest = Math.round(value)
  // `+ 0` turns −0 into 0 (a −0.5 minute truncates to 0, not −0).
  return (Math.abs(value - nearest) < 1e-9 ? nearest : Math.trunc(value)) + 0
}

// Report codec: field values out of report bytes and into a copy of a buffered report.
//
// Buffer convention (everywhere in src/hid): byte 0 is the report id — 0 for devices without
// report ids — and field bit offsets count from byte 1. That is the layout of node-hid/hidapi
// feature reports, of NUT's report buffers and of the fixture files.
import { HidError } from "./errors.ts"
import { toPhysical } from "./scaling.ts"
import type { HidField } from "./types.ts"

/** Widest field decoded or written as a number. */
export const MAX_NUMERIC_BITS = 32

/** Why a field has no value in a given report. */
export type FieldUnavailableReason =
  /** The device sent fewer bytes than the field needs (short answer): never guessed as 0. */
  | "short-report"
  /** The buffer is another report (byte 0 is not the field's report id). */
  | "wrong-report"
  /** The field is wider than 32 bits (vendor byte buffers): read it with `readBytes`. */
  | "too-wide"

/** A decoded field. */
export type FieldValue =
  | {
      readonly available: true
      /** Spec value: unsigned, or two's complement at `bitSize` bits when logicalMin < 0. */
      readonly raw: number
      /** NUT's GetValue(): excess high bits masked by the logical range, sign-extended, clamped. */
      readonly logical: number
      /** NUT's HIDGetDataValue(): `logical` through the physical range and the unit exponent. */
      readonly physical: number
      /** True when `logical` differs from `raw` (out-of-range value masked or clamped, as NUT hides it). */
      readonly clamped: boolean
    }
  | { readonly available: false; readonly reason: FieldUnavailableReason }

/** Reads `bitSize` (≤ 32) bits LSB-first starting at absolute bit `bitOffset` of `bytes`; missing bytes read as 0. */
export function readBits(bytes: Uint8Array, bitOffset: number, bitSize: number): number {
  let value = 0
  for (let i = 0; i < bitSize; i++) {
    const bit = bitOffset + i
    if ((((bytes[bit >> 3] ?? 0) >> (bit & 7)) & 1) === 1) value += 2 ** i
  }
  return value
}

/** Writes the low `bitSize` bits of `value` (two's complement) at absolute bit `bitOffset`, in place. */
export function writeBits(bytes: Uint8Array, bitOffset: number, bitSize: number, value: number): void {
  let rest = ((value % 2 ** bitSize) + 2 ** bitSize) % 2 ** bitSize
  for (let i = 0; i < bitSize; i++) {
    const bit = bitOffset + i
    const index = bit >> 3
    const mask = 1 << (bit & 7)
    const current = bytes[index] ?? 0
    bytes[index] = rest % 2 === 1 ? current | mask : current & ~mask
    rest = Math.floor(rest / 2)
  }
}

/** The field's bytes (whole bytes covering it), e.g. a CyberPower vendor buffer; undefined if not all arrived. */
export function readBytes(report: Uint8Array, field: HidField): Uint8Array | undefined {
  const start = 1 + Math.floor(field.bitOffset / 8)
  const end = 1 + Math.ceil((field.bitOffset + field.bitSize) / 8)
  return end <= report.length ? report.slice(start, end) : undefined
}

/** Decodes one field from a report as received (not padded). Never throws. */
export function decodeField(report: Uint8Array, field: HidField): FieldValue {
  if ((report[0] ?? -1) !== field.reportId) return { available: false, reason: "wrong-report" }
  if (field.bitSize > MAX_NUMERIC_BITS) return { available: false, reason: "too-wide" }
  // Only bits that actually arrived count (hid-reference §a.4); NUT would read its zero-filled or
  // stale buffer here instead.
  if (8 + field.bitOffset + field.bitSize > report.length * 8) return { available: false, reason: "short-report" }
  const bits = readBits(report, 8 + field.bitOffset, field.bitSize)
  const raw = signedRaw(field, bits)
  const logical = nutLogical(field, bits)
  return { available: true, raw, logical, physical: toPhysical(field, logical), clamped: logical !== raw }
}

/** Spec reading of the bits: signed (sign bit = bit bitSize−1) only when logicalMin < 0. */
export function signedRaw(field: Pick<HidField, "logicalMin" | "bitSize">, bits: number): number {
  if (field.logicalMin >= 0 || field.bitSize === 0) return bits
  const half = 2 ** (field.bitSize - 1)
  return bits >= half ? bits - 2 * half : bits
}

/**
 * NUT's GetValue(): the sign bit sits just above the bits the larger of |LogMin|, |LogMax| needs
 * (not at the Report Size), higher bits are thrown away as garbage, then the value is clamped to
 * [LogMin, LogMax]. So APC id 0x17 (−1..65535, 16 bits) reads `ff ff` as 65535, id 0x15
 * (−1..32767) as −1, and a 16-bit field with LogMax 255 reads 260 as 4 — the APC input-voltage
 * bug that the subdriver's range fix (nut#1189) exists for.
 */
export function nutLogical(field: Pick<HidField, "logicalMin" | "logicalMax">, bits: number): number {
  const { logicalMin: min, logicalMax: max } = field
  const magMax = max >= 0 ? max : -(max + 1)
  const magMin = min >= 0 ? min : -(min + 1)
  const signbit = 2 ** bitLength(Math.max(magMax, magMin))
  let value: number
  if (min < 0) {
    value = bits % (2 * signbit)
    if (value >= signbit) value -= 2 * signbit
  } else {
    value = bits % signbit
  }
  return Math.min(max, Math.max(min, value))
}

/**
 * A copy of the buffered report with only `field`'s bits replaced by `raw` (two's complement,
 * low `bitSize` bits), as NUT's SetValue + SET_REPORT send the whole buffer back. The copy keeps
 * the buffer's length — grown with zeros if the field does not fit — and byte 0 = report id. Pass
 * `padReport(bytes, report.byteLength)` to send NUT's full declared length instead.
 * @throws HidError HID_INVALID_VALUE (non-finite `raw`, or one {@link fitsField} refuses),
 *   HID_FIELD_TOO_WIDE (> 32 bits), HID_WRONG_REPORT (the buffer is another report).
 */
export function patchReport(buffer: Uint8Array | undefined, field: HidField, raw: number): Uint8Array {
  if (!Number.isFinite(raw)) throw new HidError("HID_INVALID_VALUE", `Cannot write ${raw} to ${field.path}: not a finite number`)
  if (field.bitSize > MAX_NUMERIC_BITS) {
    throw new HidError("HID_FIELD_TOO_WIDE", `Cannot write a number to ${field.path}: ${field.bitSize} bits wide`)
  }
  // the bits would silently wrap (300 into 8 bits is 44): a wrong value on the UPS is worse than none
  if (!fitsField(field, raw, "either")) throw new HidError("HID_INVALID_VALUE", `Cannot write ${raw} to ${field.path}: does not fit in ${field.bitSize} bits`)
  if (buffer !== undefined && buffer.length > 0 && buffer[0] !== field.reportId) {
    throw new HidError("HID_WRONG_REPORT", `Cannot patch ${field.path}: buffer is report 0x${hex2(buffer[0] ?? 0)}, field is in 0x${hex2(field.reportId)}`)
  }
  const needed = 1 + Math.ceil((field.bitOffset + field.bitSize) / 8)
  const out = new Uint8Array(Math.max(needed, buffer?.length ?? 0))
  if (buffer !== undefined) out.set(buffer)
  out[0] = field.reportId
  writeBits(out, 8 + field.bitOffset, field.bitSize, Math.trunc(raw))
  return out
}

/**
 * Whether `value` survives the field's `bitSize` bits unchanged. Descriptors often claim a logical
 * range wider than the report field (APC: 1..65535 in 8 bits), so the range alone does not say.
 * "signed" when the field's logical minimum is negative, "unsigned" otherwise; "either" also takes
 * a negative value in an unsigned field as its two's complement (usbhid-ups writes -1 = "never").
 */
export function fitsField(field: HidField, value: number, as: "field" | "either" = "field"): boolean {
  const v = Math.trunc(value)
  const span = 2 ** field.bitSize
  if (as === "either") return v >= -span / 2 && v < span
  return field.logicalMin < 0 ? v >= -span / 2 && v < span / 2 : v >= 0 && v < span
}

/**
 * NUT's HIDSetDataValue() refuses a field only when its whole main-item data byte is exactly 0x01
 * (Constant, Array, nothing else); Constant-flagged *values* (CyberPower `b1 23`, Arduino `b1 a3`)
 * are written. Input fields are never written (NUT resolves writes against Feature items).
 */
export function nutCanWrite(field: HidField): boolean {
  return field.type !== "input" && field.usage !== 0 && field.flags % 0x100 !== 0x01
}

/** Number of bits needed for a non-negative integer (NUT's hibit()). */
function bitLength(n: number): number {
  let bits = 0
  while (n >= 1) {
    n = Math.floor(n / 2)
    bits++
  }
  return bits
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0")
}

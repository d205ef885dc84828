import assert from "node:assert/strict"
import { test } from "node:test"
import { fixture } from "../../test/support/fixture.ts"
import { decodeField, fitsField, nutLogical, patchReport, readBits, readBytes, signedRaw, writeBits } from "./codec.ts"
import { withLogicalRange } from "./descriptor-fixes.ts"
import { HidError } from "./errors.ts"
import { parseHexBytes } from "./fixture-format.ts"
import { parseReportDescriptor } from "./parser.ts"
import { findField, nutReportLength, padReport } from "./reports.ts"
import { toLogical } from "./scaling.ts"
import type { HidField, ParsedDescriptor } from "./types.ts"

const hex = parseHexBytes
const bk650 = parseReportDescriptor(hex(fixture("hid/apc-back-ups-bk650m2-ch.rdesc.hex")))
const cst135 = parseReportDescriptor(hex(fixture("hid/cyberpower-cst135uc2.rdesc.hex")))

function field(d: ParsedDescriptor, path: string): HidField {
  const f = findField(d, path)
  assert.ok(f, path)
  return f
}

test("readBits() and writeBits() pack LSB first, little-endian, at any offset", () => {
  const bytes = hex("00 00 00 00")
  writeBits(bytes, 4, 12, 0xabc)
  assert.deepEqual(bytes, hex("c0 ab 00 00"))
  assert.equal(readBits(bytes, 4, 12), 0xabc)
  writeBits(bytes, 6, 1, 0)
  assert.equal(readBits(bytes, 4, 12), 0xabc - 4)
  writeBits(bytes, 0, 32, -1)
  assert.deepEqual(bytes, hex("ff ff ff ff"))
  assert.equal(readBits(bytes, 0, 32), 0xffffffff)
  assert.equal(readBits(hex("01"), 8, 8), 0) // past the end reads 0
})

test("signedRaw() sign-extends at the Report Size only when logicalMin < 0", () => {
  assert.equal(signedRaw({ logicalMin: -1, bitSize: 16 }, 0xffff), -1)
  assert.equal(signedRaw({ logicalMin: 0, bitSize: 16 }, 0xffff), 65535)
  assert.equal(signedRaw({ logicalMin: -1, bitSize: 8 }, 0x7f), 127)
})

test("nutLogical() masks and clamps like NUT's GetValue()", () => {
  // APC id 0x17 RemainingTimeLimit −1..65535 on 16 bits: the sign bit is bit 16, so ffff = 65535.
  assert.equal(nutLogical({ logicalMin: -1, logicalMax: 65535 }, 0xffff), 65535)
  assert.equal(nutLogical({ logicalMin: -1, logicalMax: 32767 }, 0xffff), -1)
  // 16-bit Input.Voltage with LogMax 255 (nut#1189): 260 V keeps only the low 8 bits.
  assert.equal(nutLogical({ logicalMin: 0, logicalMax: 255 }, 260), 4)
  assert.equal(nutLogical({ logicalMin: 0, logicalMax: 100 }, 120), 100)
  assert.equal(nutLogical({ logicalMin: 160, logicalMax: 196 }, 100), 160)
})

test("decodeField() marks fields whose bits did not arrive as unavailable, never 0", () => {
  const voltage = field(bk650, "UPS.Battery.Voltage")
  assert.deepEqual(decodeField(hex("26 46"), voltage), { available: false, reason: "short-report" })
  assert.deepEqual(decodeField(hex("25 46 05"), voltage), { available: false, reason: "wrong-report" })
  assert.deepEqual(decodeField(hex(""), voltage), { available: false, reason: "wrong-report" })
  const v = decodeField(hex("26 46 05"), voltage)
  assert.deepEqual(v, { available: true, raw: 1350, logical: 1350, physical: 13.5, clamped: false })
})

// A 64-bit vendor buffer field (like CyberPower ids 0x28/0x29 or APC XS id 0x62, buffered bytes).
const wide = parseReportDescriptor(hex("06 01 ff 09 01 a1 01 85 62 09 02 75 40 95 01 b2 02 01 c0"))

test("decodeField() reads fields wider than 32 bits only through readBytes()", () => {
  const buffer = wide.fields[0]
  assert.ok(buffer)
  assert.equal(buffer.attributes.bufferedBytes, true)
  const report = hex("62 01 02 03 04 05 06 07 08")
  assert.deepEqual(decodeField(report, buffer), { available: false, reason: "too-wide" })
  assert.deepEqual(readBytes(report, buffer), hex("01 02 03 04 05 06 07 08"))
  assert.equal(readBytes(report.subarray(0, 5), buffer), undefined)
})

test("decodeField() shows the APC input-voltage clamp and withLogicalRange() repairs it", () => {
  const high = hex("31 04 01") // 260 V
  const before = decodeField(high, field(bk650, "UPS.Input.Voltage"))
  assert.ok(before.available)
  assert.deepEqual([before.raw, before.logical, before.clamped], [260, 4, true])
  const fixed = withLogicalRange(bk650, { reportId: 0x31 }, { logicalMin: 0, logicalMax: 2 * 278 })
  const after = decodeField(high, field(fixed, "UPS.Input.Voltage"))
  assert.ok(after.available)
  assert.equal(after.physical, 260)
})

test("patchReport() writes AudibleAlarmControl like NUT's beeper commands (id 0x18)", () => {
  const alarm = field(bk650, "UPS.PowerSummary.AudibleAlarmControl")
  const buffered = hex("18 01")
  assert.deepEqual(patchReport(buffered, alarm, 2), hex("18 02")) // beeper.enable
  assert.deepEqual(patchReport(buffered, alarm, 3), hex("18 03")) // beeper.mute
  assert.deepEqual(buffered, hex("18 01"), "the buffered report is not modified")
})

test("patchReport() writes DelayBeforeShutdown for load.off.delay and shutdown.stop (id 0x15)", () => {
  const delay = field(bk650, "UPS.PowerSummary.DelayBeforeShutdown")
  assert.deepEqual(patchReport(hex("15 ff ff"), delay, toLogical(delay, 20)), hex("15 14 00"))
  assert.deepEqual(patchReport(hex("15 14 00"), delay, toLogical(delay, -1)), hex("15 ff ff"))
})

test("patchReport() writes APCDelayBeforeReboot = 1, the BX shutdown that works (id 0x40, nut#2683)", () => {
  const reboot = field(bk650, "UPS.APCGeneralCollection.APCDelayBeforeReboot")
  // What PowerChute sends: SET_REPORT Feature 0x40 = 40 01.
  assert.deepEqual(patchReport(hex("40 00"), reboot, 1), hex("40 01"))
  // What NUT's shutdown.reboot sends: its whole 24-byte buffer for id 0x40 with 10 in it.
  const nutBuffer = padReport(hex("40 00"), nutReportLength(bk650, 0x40))
  assert.deepEqual(patchReport(nutBuffer, reboot, 10), hex(`40 0a ${"00 ".repeat(22)}`))
  // Nothing read yet: a zeroed buffer just long enough for the field.
  assert.deepEqual(patchReport(undefined, reboot, 1), hex("40 01"))
})

test("patchReport() refuses a value that would wrap in the field's bits; -1 in an unsigned field is its two's complement", () => {
  const limit = field(bk650, "UPS.PowerSummary.RemainingCapacityLimit")
  assert.equal(limit.bitSize, 8)
  assert.ok(limit.logicalMax > 255, "the descriptor claims more than 8 bits hold")
  assert.deepEqual(patchReport(hex("11 0a"), limit, 255), hex("11 ff"))
  assert.throws(() => patchReport(hex("11 0a"), limit, 300), (e: unknown) => e instanceof HidError && e.code === "HID_INVALID_VALUE" && /does not fit in 8 bits/.test(e.message))
  assert.equal(fitsField(limit, 256), false)
  assert.equal(fitsField(limit, -1), false, "unsigned field: no negatives as a value")
  assert.equal(fitsField(limit, -1, "either"), true, "but -1 may be written as all ones")
  assert.equal(fitsField(limit, -129, "either"), false)
})

test("patchReport() changes one status bit and keeps its neighbours", () => {
  const charging = findField(bk650, "UPS.PowerSummary.PresentStatus.Charging", { type: "input" })
  assert.ok(charging)
  assert.deepEqual(patchReport(hex("16 0e 00"), charging, 1), hex("16 0f 00"))
})

test("toLogical() converts CyberPower delays to whole minutes before patchReport() (ids 0x15/0x16)", () => {
  const off = field(cst135, "UPS.Output.DelayBeforeShutdown")
  assert.deepEqual([toLogical(off, 20), toLogical(off, 60), toLogical(off, 90), toLogical(off, 120)], [0, 1, 1, 2])
  assert.deepEqual(patchReport(hex("15 ff ff"), off, toLogical(off, 120)), hex("15 02 00"))
  assert.deepEqual(patchReport(hex("15 02 00"), off, toLogical(off, -1)), hex("15 ff ff"))
  const read = decodeField(hex("15 02 00"), off)
  assert.ok(read.available)
  assert.equal(read.physical, 120)
})

test("patchReport() refuses values and buffers it cannot write, with typed errors", () => {
  const alarm = field(bk650, "UPS.PowerSummary.AudibleAlarmControl")
  assert.throws(() => patchReport(hex("18 01"), alarm, Number.NaN), (e) => e instanceof HidError && e.code === "HID_INVALID_VALUE")
  assert.throws(() => patchReport(hex("15 ff ff"), alarm, 2), (e) => e instanceof HidError && e.code === "HID_WRONG_REPORT")
  const buffer = wide.fields[0]
  assert.ok(buffer)
  assert.throws(() => patchReport(undefined, buffer, 1), (e) => e instanceof HidError && e.code === "HID_FIELD_TOO_WIDE")
})

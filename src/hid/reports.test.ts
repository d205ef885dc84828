import assert from "node:assert/strict"
import { test } from "node:test"
import { fixture } from "../../test/support/fixture.ts"
import { nutCanWrite } from "./codec.ts"
import { parseHexBytes } from "./fixture-format.ts"
import { parseReportDescriptor } from "./parser.ts"
import { checkReport, decodeReport, fieldsOfReport, findField } from "./reports.ts"

const hex = parseHexBytes
const bk650 = parseReportDescriptor(hex(fixture("hid/apc-back-ups-bk650m2-ch.rdesc.hex")))
const cst135 = parseReportDescriptor(hex(fixture("hid/cyberpower-cst135uc2.rdesc.hex")))

test("checkReport() reports short, long, unknown and empty answers as data", () => {
  assert.deepEqual(checkReport(bk650, "feature", hex("0c 64")), { status: "ok", reportId: 0x0c, expected: 2, received: 2 })
  assert.deepEqual(checkReport(bk650, "input", hex("16 0e 00")), {
    status: "short",
    reportId: 0x16,
    expected: 5,
    received: 3,
    message: "report 0x16: expected 5 bytes, but got 3 instead",
  })
  // NUT 2.8.0's 512-byte interrupt transfers with a garbage tail.
  const long = new Uint8Array(512)
  long.set(hex("0c 64 0a b4"))
  assert.equal(checkReport(bk650, "input", long).status, "long")
  assert.equal(checkReport(bk650, "feature", hex("99 00")).status, "unknown-report")
  assert.equal(checkReport(bk650, "feature", hex("")).status, "empty")
  // A Feature GET of an id declared only as Input is measured against the Input report.
  const inputOnly = parseReportDescriptor(hex("05 84 09 04 a1 01 85 05 09 30 75 08 95 02 81 a2 c0"))
  assert.deepEqual(checkReport(inputOnly, "feature", hex("05 01 02")).status, "ok")
})

test("decodeReport() decodes the named fields of an interrupt report, padding left out", () => {
  const values = decodeReport(bk650, "input", hex("16 0e 00"))
  assert.deepEqual(
    values.map(({ field, value }) => [field.path.split(".").at(-1), value.available ? value.logical : value.reason]),
    [
      ["Charging", 0],
      ["Discharging", 1],
      ["ACPresent", 1],
      ["BatteryPresent", 1],
      ["ShutdownImminent", 0],
      ["RemainingTimeLimitExpired", 0],
      ["NeedReplacement", 0],
      ["Overload", 0],
      ["VoltageNotRegulated", 0],
    ],
  )
  assert.deepEqual(decodeReport(bk650, "input", hex("")), [])
})

test("findField() resolves against Feature items unless told otherwise, first match wins", () => {
  assert.equal(findField(bk650, "UPS.PowerSummary.ACPresent")?.type, "feature")
  assert.equal(findField(bk650, "UPS.PowerSummary.ACPresent", { type: "input" })?.type, "input")
  assert.equal(findField(bk650, "UPS.Battery.ManufacturerDate")?.bitOffset, 0)
  assert.equal(findField(bk650, "UPS.Battery.NoSuchThing"), undefined)
  assert.equal(findField(bk650, [0x00840004, 0xff860005, 0xff86007c])?.reportId, 0x40)
  assert.equal(fieldsOfReport(bk650, "feature", 0x16).length, 32)
})

test("nutCanWrite() refuses only flags exactly 0x01, as NUT's HIDSetDataValue()", () => {
  // CyberPower flags its settable RemainingCapacityLimit Constant (0x023): NUT still writes it.
  const limit = findField(cst135, "UPS.PowerSummary.RemainingCapacityLimit")
  assert.ok(limit)
  assert.equal(limit.attributes.constant, true)
  assert.equal(nutCanWrite(limit), true)
  const constant = parseReportDescriptor(hex("05 84 09 04 a1 01 85 05 09 30 75 08 95 01 b1 01 c0")).fields[0]
  assert.ok(constant)
  assert.equal(constant.usage, 0x00840030)
  assert.equal(nutCanWrite(constant), false)
  const input = findField(bk650, "UPS.PowerSummary.ACPresent", { type: "input" })
  assert.ok(input)
  assert.equal(nutCanWrite(input), false)
})

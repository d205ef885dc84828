import assert from "node:assert/strict"
import { test } from "node:test"
import { parseHexBytes } from "./fixture-format.ts"
import { parseReportDescriptor } from "./parser.ts"
import { findField, findReport } from "./reports.ts"
import { STANDARD_USAGE_NAMES } from "./usage-names.ts"

/** Descriptor from spaced hex, e.g. `parse("05 84 09 04 a1 01 …")`. */
function parse(hex: string) {
  return parseReportDescriptor(parseHexBytes(hex))
}

// UPS / PowerSummary collection wrapper around `body`.
function ups(body: string): string {
  return `05 84 09 04 a1 01 09 24 a1 00 ${body} c0 c0`
}

test("parseReportDescriptor() builds NUT paths from collection usages and the field usage", () => {
  const d = parse(ups("85 0c 05 85 09 66 75 08 95 01 15 00 25 64 b1 a2"))
  assert.equal(d.fields.length, 1)
  const f = d.fields[0]
  assert.equal(f?.path, "UPS.PowerSummary.RemainingCapacity")
  assert.deepEqual(f?.pathNodes, [0x00840004, 0x00840024, 0x00850066])
  assert.equal(f?.type, "feature")
  assert.equal(f?.reportId, 0x0c)
  assert.equal(f?.bitSize, 8)
  assert.equal(f?.logicalMax, 100)
  assert.equal(f?.attributes.variable, true)
  assert.equal(f?.attributes.volatile, true)
  assert.deepEqual(d.warnings, [])
  assert.equal(d.usesReportIds, true)
})

test("parseReportDescriptor() counts bit offsets per (type, report id) and reports byte lengths", () => {
  // id 0x0c: Feature 8 bits, Input 8 bits, then Feature 16 more bits → Feature 3 bytes, Input 2.
  const d = parse(ups("85 0c 05 85 75 08 95 01 09 66 b1 a2 09 66 81 a2 75 10 09 68 b1 a2"))
  const runtime = d.fields.find((f) => f.usage === 0x00850068)
  assert.equal(runtime?.bitOffset, 8)
  assert.deepEqual(findReport(d, "feature", 0x0c), { type: "feature", reportId: 0x0c, bitLength: 24, payloadLength: 3, byteLength: 4 })
  assert.equal(findReport(d, "input", 0x0c)?.byteLength, 2)
})

test("parseReportDescriptor() keeps global items across main items and collections (leaked Report Count)", () => {
  // Report Count 3 set once, never reset: the next report inherits it (BK650M2 `95 17` leak).
  const d = parse(ups("85 01 75 08 95 03 05 85 09 44 b1 01 c0 a1 00 85 02 09 85 75 10 b1 a2"))
  const date = d.fields.filter((f) => f.reportId === 2)
  assert.equal(date.length, 3)
  assert.equal(findReport(d, "feature", 2)?.byteLength, 7)
  // The spec repeats the last usage for the extra Variable fields; NUT sees one object only.
  assert.deepEqual(date.map((f) => [f.usage, f.nutObject]), [[0x00850085, true], [0x00850085, false], [0x00850085, false]])
})

test("parseReportDescriptor() gives Constant fields past the usage list no usage (padding)", () => {
  const d = parse(ups("85 16 05 85 75 01 95 01 15 00 25 01 09 44 81 a2 95 07 81 01"))
  const pad = d.fields.filter((f) => f.usage === 0)
  assert.equal(pad.length, 7)
  assert.equal(pad[0]?.path, "UPS.PowerSummary.00000000")
  assert.equal(pad[0]?.attributes.constant, true)
  assert.equal(findReport(d, "input", 0x16)?.byteLength, 2)
  assert.equal(findField(d, "UPS.PowerSummary.00000000", { type: "input" }), undefined)
})

test("parseReportDescriptor() reads Logical/Physical extents signed in the item's own size", () => {
  const d = parse(ups("85 15 05 84 09 57 75 10 95 01 16 ff ff 26 ff 7f 35 c4 47 c4 ff 1d 00 b1 a2"))
  const f = d.fields[0]
  assert.equal(f?.logicalMin, -1)
  assert.equal(f?.logicalMax, 32767)
  assert.equal(f?.physicalMin, -60)
  assert.equal(f?.physicalMax, 1966020)
  assert.equal(f?.logicalMaxAssumed, false)
})

test("parseReportDescriptor() re-reads a one-byte LogMax 0xff as 255 with NUT's warning (APC BX, nut#1208)", () => {
  const d = parse(ups("85 0c 05 85 09 66 75 08 95 01 15 00 25 ff b1 a2 85 0d 09 83 25 64 b1 22"))
  const charge = findField(d, "UPS.PowerSummary.RemainingCapacity")
  assert.equal(charge?.logicalMax, 255)
  assert.equal(charge?.logicalMaxAssumed, true)
  assert.equal(findField(d, "UPS.PowerSummary.DesignCapacity")?.logicalMaxAssumed, false)
  assert.deepEqual(d.warnings, [
    {
      code: "logmax-below-logmin",
      message: "LogMax is less than LogMin. Vendor HID report descriptor may be incorrect; interpreting LogMax -1 as 255 in ReportID: 0x0c",
      offset: 22,
      reportId: 0x0c,
    },
  ])
})

test("parseReportDescriptor() re-reads a two-byte LogMax 0xffff as 65535 (CyberPower, nut#1512)", () => {
  const d = parse(ups("85 0f 05 84 09 30 75 10 95 01 15 00 26 ff ff b1 a2"))
  assert.equal(d.fields[0]?.logicalMax, 65535)
  assert.equal(d.warnings[0]?.code, "logmax-below-logmin")
})

test("parseReportDescriptor() decodes Unit and the 4-bit signed Unit Exponent", () => {
  const d = parse(ups("85 26 05 84 09 30 75 10 95 01 15 00 27 ff ff 00 00 67 21 d1 f0 00 55 05 b1 a2 85 27 09 31 55 0e b1 a2 85 28 09 32 55 fe b1 a2"))
  assert.deepEqual(d.fields.map((f) => [f.unit, f.unitExponent]), [[0x00f0d121, 5], [0x00f0d121, -2], [0x00f0d121, -2]])
  assert.deepEqual(d.warnings, [])
})

test("parseReportDescriptor() takes the page from 4-byte extended usages", () => {
  const d = parse(ups("85 40 0b 7c 00 86 ff 75 08 95 01 15 00 26 ff 00 b1 a2"))
  assert.equal(d.fields[0]?.usage, 0xff86007c)
  assert.equal(d.fields[0]?.path, "UPS.PowerSummary.APCDelayBeforeReboot")
  const hexNames = parseReportDescriptor(parseHexBytes(ups("85 40 0b 7c 00 86 ff 75 08 95 01 b1 a2")), { usageNames: STANDARD_USAGE_NAMES })
  assert.equal(hexNames.fields[0]?.path, "UPS.PowerSummary.ff86007c")
})

test("parseReportDescriptor() restores globals on Pop (NUT ignores Push/Pop)", () => {
  const d = parse(ups("85 01 75 08 95 01 15 00 25 64 a4 85 02 75 10 26 e8 03 05 84 09 30 b1 a2 b4 05 85 09 66 b1 a2"))
  const [voltage, charge] = d.fields
  assert.deepEqual([voltage?.reportId, voltage?.bitSize, voltage?.logicalMax], [2, 16, 1000])
  assert.deepEqual([charge?.reportId, charge?.bitSize, charge?.logicalMax], [1, 8, 100])
  assert.equal(parse(ups("b4")).warnings.some((w) => w.code === "push-pop"), true)
})

test("parseReportDescriptor() expands Usage Minimum/Maximum ranges (NUT ignores them)", () => {
  const d = parse(ups("85 07 05 85 19 44 29 46 75 01 95 04 15 00 25 01 81 02"))
  assert.deepEqual(d.fields.map((f) => f.usage), [0x00850044, 0x00850045, 0x00850046, 0x00850046])
  assert.equal(d.fields.some((f) => f.nutObject), false)
  assert.equal(d.fields[1]?.path, "UPS.PowerSummary.Discharging")
})

test("parseReportDescriptor() lists the selectable usages of Array items", () => {
  const d = parse(ups("85 05 05 85 09 44 09 45 09 46 75 08 95 02 15 00 25 03 81 00"))
  assert.equal(d.fields.length, 2)
  assert.equal(d.fields[0]?.attributes.variable, false)
  assert.deepEqual(d.fields[0]?.arrayUsages, [0x00850044, 0x00850045, 0x00850046])
})

test("parseReportDescriptor() turns vendor collection types 0x80+n into [n] nodes (MGE/Eaton)", () => {
  const d = parse("05 84 09 04 a1 01 09 16 a1 00 09 1a a1 81 85 31 09 30 75 10 95 01 b1 a2 c0 c0 09 1e a1 84 85 72 09 40 75 08 b1 a2 c0 c0")
  assert.deepEqual(d.fields.map((f) => f.path), ["UPS.PowerConverter.Input.[1].Voltage", "UPS.Flow.[4].ConfigVoltage"])
  assert.deepEqual(d.fields[1]?.pathNodes, [0x00840004, 0x0084001e, 0x00ff0004, 0x00840040])
  assert.equal(findField(d, "UPS.Flow.[4].ConfigVoltage")?.reportId, 0x72)
})

test("parseReportDescriptor() uses report id 0 and an id placeholder byte when there are no Report IDs", () => {
  const d = parse(ups("05 85 09 66 75 08 95 01 15 00 25 64 81 a2"))
  assert.equal(d.usesReportIds, false)
  assert.equal(d.fields[0]?.reportId, 0)
  assert.equal(findReport(d, "input", 0)?.byteLength, 2)
})

test("parseReportDescriptor() skips long items and ignores String Index items", () => {
  const d = parse(ups("fe 02 10 aa bb 85 01 09 fe 79 02 75 08 95 01 b1 22"))
  assert.equal(d.fields[0]?.path, "UPS.PowerSummary.iProduct")
  assert.deepEqual(d.warnings.map((w) => w.code), ["long-item"])
})

test("parseReportDescriptor() keeps only the first usage of a delimiter set", () => {
  const d = parse(ups("85 01 a9 01 09 44 09 45 a9 00 75 01 95 01 81 02"))
  assert.equal(d.fields[0]?.usage, 0x00840044)
})

test("parseReportDescriptor() reports broken structure as warnings", () => {
  const cases: [string, string][] = [
    ["05 84 09 04 a1 01 85 01 75 08 95 01 09 30 b1 a2", "collection"], // never closed
    ["c0 85 01 75 08 95 01 09 30 b1 a2", "collection"], // End Collection first
    ["85 01 75 08 95 01 09 30 b1 a2 27 ff ff", "truncated-item"], // cut inside an item
    ["85 00 75 08 95 01 09 30 b1 a2", "report-id"], // id 0 is reserved
    ["85 01 75 08 95 00 09 30 b1 a2", "report-count"],
    ["85 01 75 08 95 01 15 10 25 05 09 30 b1 a2", "invalid-logical-range"],
    ["85 01 75 08 95 01 09 30 f1 00 b1 a2", "reserved-item"],
    ["", "no-fields"],
  ]
  for (const [hex, code] of cases) {
    const d = parse(hex)
    assert.ok(d.warnings.some((w) => w.code === code), `${hex}: expected a ${code} warning, got ${JSON.stringify(d.warnings)}`)
  }
})

test("parseReportDescriptor() caps garbage Report Counts instead of allocating them", () => {
  const d = parse("85 01 75 01 97 ff ff ff 7f 09 30 81 02 77 ff ff ff ff b1 02")
  assert.ok(d.fields.length <= 4096)
  assert.ok(d.reports.every((r) => r.byteLength <= 0x10000))
  assert.ok(d.warnings.some((w) => w.code === "limit"))
})

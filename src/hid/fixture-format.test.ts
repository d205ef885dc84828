import assert from "node:assert/strict"
import { test } from "node:test"
import { HidError } from "./errors.ts"
import { parseHexBytes, parseReportRecords } from "./fixture-format.ts"

test("parseReportRecords() reads get, int and path records and skips comments", () => {
  const records = parseReportRecords(
    [
      "# comment",
      "get 0x0c 2 : 0c 64",
      "int 0x16 3 : 16 0e 00   # trailing comment",
      "path UPS.PowerSummary.RemainingCapacity | Feature | id=0x0c off=0 size=8 value=100",
      "path UPS.PowerSummary.iProduct | Feature | id=0x01 off=0 size=8",
    ].join("\n"),
  )
  assert.deepEqual(records, [
    { kind: "get", reportId: 0x0c, bytes: parseHexBytes("0c 64"), line: 2 },
    { kind: "int", reportId: 0x16, bytes: parseHexBytes("16 0e 00"), line: 3 },
    { kind: "path", path: "UPS.PowerSummary.RemainingCapacity", type: "feature", reportId: 0x0c, bitOffset: 0, bitSize: 8, value: 100, line: 4 },
    { kind: "path", path: "UPS.PowerSummary.iProduct", type: "feature", reportId: 1, bitOffset: 0, bitSize: 8, line: 5 },
  ])
})

test("parseReportRecords() names the line of a broken record", () => {
  const bad = (text: string, detail: RegExp): void => {
    assert.throws(
      () => parseReportRecords(text),
      (e) => e instanceof HidError && e.code === "HID_BAD_FIXTURE" && detail.test(e.message),
    )
  }
  bad("\nget 0x0c 3 : 0c 64", /line 2: 3 bytes announced, 2 given/)
  bad("get 0x0c 2 : 0d 64", /first byte is not report id/)
  bad("set 0x0c 2 : 0c 64", /line 1: cannot read/)
  bad("get 0x0c 2 : 0c zz", /"zz" is not a byte/)
})

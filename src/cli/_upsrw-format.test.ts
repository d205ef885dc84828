import assert from "node:assert/strict"
import { test } from "node:test"
import { decodeType } from "../client/index.ts"
import { atoi, formatCmdList, formatRwVar } from "./_upsrw-format.ts"

test("formatRwVar() prints STRING and NUMBER variables like upsrw", () => {
  assert.equal(
    formatRwVar({ name: "battery.mfr.date", desc: "Battery manufacturing date", type: decodeType(["RW", "STRING:10"]), value: "2001/01/01" }),
    "[battery.mfr.date]\nBattery manufacturing date\nType: STRING\nMaximum length: 10\nValue: 2001/01/01\n\n",
  )
  assert.equal(
    formatRwVar({ name: "battery.charge.low", desc: undefined, type: decodeType(["RW", "NUMBER"]), value: "10" }),
    "[battery.charge.low]\nDescription unavailable\nType: NUMBER\nValue: 10\n\n",
  )
})

test("formatRwVar() marks the selected ENUM option and RANGE", () => {
  assert.equal(
    formatRwVar({ name: "input.sensitivity", desc: "Input power sensitivity", type: decodeType(["RW", "ENUM", "STRING:10"]), value: "medium", enumValues: ["low", "medium", "high"] }),
    '[input.sensitivity]\nInput power sensitivity\nType: ENUM STRING\nMaximum length: 10\nOption: "low"\nOption: "medium" SELECTED\nOption: "high"\n\n',
  )
  assert.equal(
    formatRwVar({ name: "input.transfer.low", desc: "Low voltage transfer point (V)", type: decodeType(["RW", "RANGE", "NUMBER"]), value: "91", ranges: [{ min: "80", max: "100" }, { min: "150", max: "200" }] }),
    '[input.transfer.low]\nLow voltage transfer point (V)\nType: RANGE NUMBER\nOption: "80-100" SELECTED\nOption: "150-200"\n\n',
  )
})

test("formatRwVar() handles NUT 2.7 ENUM types and unknown words like upsrw", () => {
  assert.equal(
    formatRwVar({ name: "x.y", desc: "d", type: decodeType(["RW", "ENUM"]), value: "a", enumValues: ["a"] }),
    '[x.y]\nd\nType: ENUM\nOption: "a" SELECTED\n\n',
  )
  assert.equal(formatRwVar({ name: "x.y", desc: "d", type: decodeType(["FOO", "NUMBER"]), value: "1" }), "[x.y]\nd\nType: FOO (unrecognized)\nType: NUMBER\nValue: 1\n\n")
  assert.equal(formatRwVar({ name: "x.y", desc: "d", type: undefined, value: "1" }), "[x.y]\nd\nUnknown type\n\n")
})

test("formatCmdList() prints upscmd -l's listing", () => {
  assert.equal(
    formatCmdList("bvk", [
      { name: "beeper.disable", desc: "Disable the UPS beeper" },
      { name: "odd.cmd", desc: undefined },
    ]),
    "Instant commands supported on UPS [bvk]:\n\nbeeper.disable - Disable the UPS beeper\nodd.cmd\n",
  )
})

test("atoi() reads leading digits like C", () => {
  assert.equal(atoi("42abc"), 42)
  assert.equal(atoi(" -7"), -7)
  assert.equal(atoi("x"), 0)
})

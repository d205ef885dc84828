import { test } from "node:test"
import assert from "node:assert/strict"
import { exportedValue, goFormat, goFormatFloat, goNutValue } from "./go-nut.ts"

test("goNutValue() converts like go.nut: int64 without a dot, float64 with one, else string", () => {
  assert.deepEqual(goNutValue("100"), { kind: "int", value: 100, text: "100" })
  assert.deepEqual(goNutValue("0002"), { kind: "int", value: 2, text: "2" })
  assert.deepEqual(goNutValue("-1"), { kind: "int", value: -1, text: "-1" })
  assert.deepEqual(goNutValue("-0"), { kind: "int", value: 0, text: "0" })
  assert.deepEqual(goNutValue("232.0"), { kind: "float", value: 232 })
  assert.deepEqual(goNutValue(".5"), { kind: "float", value: 0.5 })
  assert.deepEqual(goNutValue("1."), { kind: "float", value: 1 })
  assert.deepEqual(goNutValue("2.8.0"), { kind: "string", value: "2.8.0" })
  assert.deepEqual(goNutValue("."), { kind: "string", value: "." })
  assert.deepEqual(goNutValue("051d"), { kind: "string", value: "051d" })
  assert.deepEqual(goNutValue("1e5"), { kind: "string", value: "1e5" })
  assert.deepEqual(goNutValue("+5"), { kind: "string", value: "+5" })
  // past int64: ParseInt fails, the value stays a string
  assert.deepEqual(goNutValue("9223372036854775808"), { kind: "string", value: "9223372036854775808" })
  assert.deepEqual(goNutValue("9223372036854775807"), { kind: "int", value: 9223372036854775807, text: "9223372036854775807" })
})

test("goNutValue() trims spaces only and knows exactly enabled/disabled", () => {
  assert.deepEqual(goNutValue("  42 "), { kind: "int", value: 42, text: "42" })
  assert.deepEqual(goNutValue("\t42"), { kind: "string", value: "\t42" })
  assert.deepEqual(goNutValue(" enabled "), { kind: "bool", value: true })
  assert.deepEqual(goNutValue("disabled"), { kind: "bool", value: false })
  assert.deepEqual(goNutValue("Enabled"), { kind: "string", value: "Enabled" })
})

test("exportedValue() maps strings through the on/off regexes, case-insensitively", () => {
  const on = /^(enable|enabled|on|true|active|activated)$/i
  const off = /^(disable|disabled|off|false|inactive|deactivated)$/i
  assert.equal(exportedValue(goNutValue("Enabled"), on, off), 1)
  assert.equal(exportedValue(goNutValue("OFF"), on, off), 0)
  assert.equal(exportedValue(goNutValue("muted"), on, off), undefined)
  assert.equal(exportedValue(goNutValue("disabled"), undefined, undefined), 0)
  assert.equal(exportedValue(goNutValue("13.5"), on, off), 13.5)
})

test("goFormatFloat() writes float64 as Go's %v does", () => {
  assert.equal(goFormatFloat(12), "12")
  assert.equal(goFormatFloat(13.5), "13.5")
  assert.equal(goFormatFloat(123456), "123456")
  assert.equal(goFormatFloat(1e6), "1e+06")
  assert.equal(goFormatFloat(1234567.5), "1.2345675e+06")
  assert.equal(goFormatFloat(0.0001), "0.0001")
  assert.equal(goFormatFloat(0.00001), "1e-05")
  assert.equal(goFormatFloat(-2.5e-7), "-2.5e-07")
  assert.equal(goFormatFloat(1e21), "1e+21")
  assert.equal(goFormatFloat(-0), "-0")
})

test("goFormat() gives device labels as nut_exporter prints them", () => {
  assert.equal(goFormat(goNutValue("00123")), "123")
  assert.equal(goFormat(goNutValue("enabled")), "true")
  assert.equal(goFormat(goNutValue("2000000.0")), "2e+06")
  assert.equal(goFormat(goNutValue(" APC ")), "APC")
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { apcHexDate, apcSensitivity, beeperStatus, fixed, hidDate, kelvinCelsius, parseDecimal, stringId, testResult } from "./conversions.ts"
import { formatFixed } from "./format.ts"
import type { ConversionContext } from "./types.ts"

const ctx: ConversionContext = { device: { vendorId: 1, productId: 2, path: "x" }, string: (i) => ({ 4: "PbAc " })[i], value: () => undefined }

test("formatFixed() rounds exact ties to even like glibc printf", () => {
  assert.equal(formatFixed(2.5, 0), "2")
  assert.equal(formatFixed(3.5, 0), "4")
  assert.equal(formatFixed(-2.5, 0), "-2")
  assert.equal(formatFixed(0.125, 2), "0.12")
  assert.equal(formatFixed(13.5, 1), "13.5")
  assert.equal(formatFixed(232, 1), "232.0")
  assert.equal(formatFixed(0.35, 1), "0.3") // 0.34999… in binary, as C prints it
  assert.equal(formatFixed(12, 1), "12.0")
})

test("hidDate reads and writes HID PDC packed dates", () => {
  assert.equal(hidDate.read(10785, ctx), "2001/01/01") // BK650M2 id 0x20 `21 2a`
  assert.equal(hidDate.read(20648, ctx), "2020/05/08") // id 0x7b `a8 50`
  assert.equal(hidDate.read(0, ctx), "not set")
  assert.equal(hidDate.write?.("2020/05/08"), 20648)
  assert.equal(hidDate.write?.("2020/13/01"), undefined)
  assert.equal(hidDate.write?.("1979/01/01"), undefined)
})

test("apcHexDate reads and writes APC's hex-as-decimal 0xMMDDYY dates", () => {
  assert.equal(apcHexDate.read(0x070304, ctx), "2004/07/03") // CS 500 id 0x1c `04 03 07`
  assert.equal(apcHexDate.read(0x102202, ctx), "2002/10/22")
  assert.equal(apcHexDate.read(0x092501, ctx), "2001/09/25")
  assert.equal(apcHexDate.read(0x010199, ctx), "1999/01/01")
  assert.equal(apcHexDate.read(0, ctx), "not set")
  assert.equal(apcHexDate.write?.("2004/07/03"), 0x070304)
})

test("the NUT lookup tables map both ways", () => {
  assert.deepEqual([1, 2, 3].map((v) => beeperStatus.read(v, ctx)), ["disabled", "enabled", "muted"])
  assert.equal(beeperStatus.read(4, ctx), undefined)
  assert.deepEqual([1, 6, 7].map((v) => testResult.read(v, ctx)), ["Done and passed", "No test initiated", "Test scheduled"])
  assert.equal(apcSensitivity.write?.("medium"), 1)
  assert.equal(apcSensitivity.write?.("Medium"), undefined) // NUT compares with strcmp
})

test("kelvinCelsius, stringId, fixed and parseDecimal convert like usbhid-ups", () => {
  assert.equal(kelvinCelsius.read(298.15, ctx), "25.0")
  assert.equal(kelvinCelsius.read(31, ctx), "31.0") // already °C (HP firmware)
  assert.equal(stringId.read(4, ctx), "PbAc")
  assert.equal(stringId.read(9, ctx), undefined)
  assert.equal(fixed(1).read(13.5, ctx), "13.5")
  assert.equal(fixed(0).write?.("12"), 12)
  assert.equal(parseDecimal("-1"), -1)
  assert.equal(parseDecimal("1e3"), undefined)
  assert.equal(parseDecimal(""), undefined)
})

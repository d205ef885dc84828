import assert from "node:assert/strict"
import { test } from "node:test"
import { logicalToPhysical, physicalToLogical, scaleExponent, toLogical, toPhysical, unitName } from "./scaling.ts"
import type { HidField } from "./types.ts"

const VOLT = 0x00f0d121
const base: HidField = {
  type: "feature",
  reportId: 1,
  bitOffset: 0,
  bitSize: 16,
  usage: 0x00840030,
  path: "UPS.Battery.Voltage",
  pathNodes: [0x00840004, 0x00840012, 0x00840030],
  flags: 0xa2,
  attributes: {
    constant: false,
    variable: true,
    relative: false,
    wrap: false,
    nonLinear: false,
    noPreferred: true,
    nullState: false,
    volatile: true,
    bufferedBytes: false,
  },
  logicalMin: 0,
  logicalMax: 65535,
  logicalMaxAssumed: false,
  physicalMin: undefined,
  physicalMax: undefined,
  unit: 0,
  unitExponent: 0,
  index: 0,
  itemOffset: 0,
  nutObject: true,
}

test("toPhysical() subtracts the volt/watt natural exponent 7 like NUT", () => {
  assert.equal(toPhysical({ ...base, unit: VOLT, unitExponent: 5 }, 1350), 13.5) // APC battery, ×0.01
  assert.equal(toPhysical({ ...base, unit: VOLT, unitExponent: 6 }, 137), 13.7) // CyberPower, ×0.1
  assert.equal(toPhysical({ ...base, unit: VOLT, unitExponent: 7 }, 232), 232)
  assert.equal(toPhysical({ ...base, unit: 0x0000d121, unitExponent: 7 }, 390), 390)
  assert.equal(scaleExponent({ unit: 0x00001001, unitExponent: 0 }), 0)
})

test("toPhysical() uses the exponent as is for a unit NUT does not know", () => {
  assert.equal(toPhysical({ ...base, unit: 0x12345678, unitExponent: -2 }, 499), 4.99)
})

test("toPhysical() scales anything a unit leaks into, as NUT does (Back-UPS CS iManufacturer 3 → 0.03)", () => {
  assert.equal(toPhysical({ ...base, unit: VOLT, unitExponent: 5 }, 3), 0.03)
})

test("logicalToPhysical() maps only with a usable physical range (CyberPower minutes)", () => {
  const cps = { logicalMin: -1, logicalMax: 32767, physicalMin: -60, physicalMax: 1966020 }
  assert.deepEqual([-1, 0, 1, 2].map((v) => logicalToPhysical(cps, v)), [-60, 0, 60, 120])
  assert.equal(logicalToPhysical({ ...cps, physicalMin: 0, physicalMax: 0 }, 5), 5)
  assert.equal(logicalToPhysical({ ...cps, physicalMin: undefined }, 5), 5)
  assert.equal(logicalToPhysical({ ...cps, physicalMax: -100 }, 5), 5) // PhyMax <= PhyMin: logical
  assert.equal(logicalToPhysical({ logicalMin: 0, logicalMax: 10, physicalMin: 0, physicalMax: 100 }, 20), 100) // clamped
})

test("physicalToLogical() truncates toward zero and clamps only with a physical range", () => {
  const cps = { logicalMin: -1, logicalMax: 32767, physicalMin: -60, physicalMax: 1966020 }
  assert.deepEqual([20, 59, 60, 119, 120, -1, -60].map((v) => physicalToLogical(cps, v)), [0, 0, 1, 1, 2, -1, -1])
  const none = { logicalMin: 1, logicalMax: 3, physicalMin: undefined, physicalMax: undefined }
  assert.equal(physicalToLogical(none, 10.9), 10) // NUT: (long)value, unclamped
  assert.equal(physicalToLogical(none, -0.5), 0)
})

test("toLogical() reverses the unit exponent exactly (13.5 V → 1350, not NUT's 1349)", () => {
  assert.equal(toLogical({ ...base, unit: VOLT, unitExponent: 5 }, 13.5), 1350)
  assert.equal(toLogical({ ...base, unit: VOLT, unitExponent: 5 }, 0.29), 29)
  assert.equal(toLogical({ ...base, unit: VOLT, unitExponent: 7 }, 230), 230)
})

test("unitName() names the units NUT's table knows", () => {
  assert.deepEqual([VOLT, 0x0000d121, 0x00100001, 0x00001001, 0x00010001, 0x0000f001, 0].map(unitName), ["V", "W", "A", "s", "K", "Hz", undefined])
})

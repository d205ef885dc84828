import assert from "node:assert/strict"
import { test } from "node:test"
import { formatPath, isIndexNode, parsePath, samePath } from "./path.ts"
import { BATTERY_SYSTEM_USAGES, POWER_DEVICE_USAGES } from "./usages/standard.ts"
import { APC_USAGES, CYBERPOWER_USAGES, MGE_USAGES } from "./usages/vendor.ts"
import { ALL_USAGE_NAMES, APC_USAGE_NAMES, CYBERPOWER_USAGE_NAMES, createUsageNames, STANDARD_USAGE_NAMES } from "./usage-names.ts"

test("formatPath() prints names, [n] index nodes and %08x for unnamed usages", () => {
  assert.equal(formatPath([0x00840004, 0xff860005, 0xff86007c], STANDARD_USAGE_NAMES), "UPS.ff860005.ff86007c")
  assert.equal(formatPath([0x00840004, 0xff860005, 0xff86007c], APC_USAGE_NAMES), "UPS.APCGeneralCollection.APCDelayBeforeReboot")
  assert.equal(formatPath([0x00840004, 0x0084001e, 0x00ff0004, 0x00840040], STANDARD_USAGE_NAMES), "UPS.Flow.[4].ConfigVoltage")
  assert.equal(formatPath([0x00840004, 0x00000000], STANDARD_USAGE_NAMES), "UPS.00000000")
  assert.equal(isIndexNode(0x00ff0001), true)
})

test("parsePath() reads names case-insensitively, hex nodes and [n]", () => {
  assert.deepEqual(parsePath("ups.powersummary.REMAININGCAPACITY", STANDARD_USAGE_NAMES), [0x00840004, 0x00840024, 0x00850066])
  assert.deepEqual(parsePath("UPS.ff860005.ff86007c", STANDARD_USAGE_NAMES), [0x00840004, 0xff860005, 0xff86007c])
  assert.deepEqual(parsePath("UPS.Output.CPSInputSensitivity", CYBERPOWER_USAGE_NAMES), [0x00840004, 0x0084001c, 0xff010043])
  assert.equal(parsePath("UPS.NoSuchName", STANDARD_USAGE_NAMES), undefined)
  assert.equal(parsePath("UPS.[70000]", STANDARD_USAGE_NAMES), undefined)
  assert.equal(samePath([1, 2], [1, 2]), true)
  assert.equal(samePath([1, 2], [1]), false)
})

test("createUsageNames() lets the earlier table win, as NUT's subdriver table precedes hid_usage_lkp", () => {
  const names = createUsageNames([[0x00840004, "Ups"]], POWER_DEVICE_USAGES)
  assert.equal(names.name(0x00840004), "Ups")
  assert.equal(names.usage("UPS"), 0x00840004)
})

test("usage tables carry NUT's spelling and never name a usage twice", () => {
  assert.equal(STANDARD_USAGE_NAMES.name(0x00850088), "iDevicename")
  assert.equal(STANDARD_USAGE_NAMES.name(0x0084006b), "SwitchOn/Off")
  assert.equal(ALL_USAGE_NAMES.name(0xffff004d), "RemainingCapacityLimitSetting")
  assert.equal(ALL_USAGE_NAMES.name(0xff0100d0), "CPSFirmwareVersion")
  assert.equal(ALL_USAGE_NAMES.name(0xff860061), "APCSensitivity")
  for (const table of [POWER_DEVICE_USAGES, BATTERY_SYSTEM_USAGES, APC_USAGES, CYBERPOWER_USAGES, MGE_USAGES]) {
    const usages = table.map(([u]) => u)
    assert.equal(new Set(usages).size, usages.length)
  }
  assert.equal(MGE_USAGES.length, 146)
})

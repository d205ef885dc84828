import assert from "node:assert/strict"
import { test } from "node:test"
import { APC_USAGE_NAMES, CYBERPOWER_USAGE_NAMES, findField, parseReportDescriptor, withLogicalRange } from "../../../hid/index.ts"
import { descriptorOf } from "../../../../test/support/usbhid-harness.ts"
import { fixApcDescriptor } from "./apc.ts"
import { fixCyberPowerDescriptor } from "./cyberpower.ts"

test("fixApcDescriptor() widens the BK650M2 Input.Voltage to 0..2×HVT, only on 051d:0002 (nut#1189)", () => {
  const desc = parseReportDescriptor(descriptorOf("hid/apc-back-ups-bk650m2-ch.rdesc.hex"), { usageNames: APC_USAGE_NAMES })
  const apc = { vendorId: 0x051d, productId: 0x0002, path: "x" }
  const fixed = fixApcDescriptor(desc, apc)
  const voltage = findField(fixed.desc, "UPS.Input.Voltage", { usageNames: APC_USAGE_NAMES })
  assert.deepEqual([voltage?.logicalMin, voltage?.logicalMax], [0, 556])
  assert.equal(fixed.notes.length, 1)
  assert.equal(fixApcDescriptor(desc, { ...apc, productId: 0x0003 }).desc, desc)
})

test("fixCyberPowerDescriptor() gives output voltage 0..511 when it inherited the transfer range (nut#439, #2917)", () => {
  const cps = { vendorId: 0x0764, productId: 0x0501, path: "x" }
  const desc = parseReportDescriptor(descriptorOf("hid/cyberpower-cst135uc2.rdesc.hex"), { usageNames: CYBERPOWER_USAGE_NAMES })
  const find = (d: typeof desc, path: string) => findField(d, path, { usageNames: CYBERPOWER_USAGE_NAMES })
  // the CST135UC2 is a fixed firmware (0x12 already 0..511): only ConfigActivePower moves, 2000 → 2048
  const current = fixCyberPowerDescriptor(desc, cps)
  assert.deepEqual([find(current.desc, "UPS.Output.Voltage")?.logicalMax, find(current.desc, "UPS.Output.ConfigActivePower")?.logicalMax], [511, 2048])
  // the classic bug: output voltage 0x12 inheriting HighVoltageTransfer's 135..144
  const buggy = withLogicalRange(desc, { reportId: 0x12 }, { logicalMin: 135, logicalMax: 144 })
  const repaired = fixCyberPowerDescriptor(buggy, cps)
  assert.deepEqual([find(repaired.desc, "UPS.Output.Voltage")?.logicalMin, find(repaired.desc, "UPS.Output.Voltage")?.logicalMax], [0, 511])
  assert.equal(fixCyberPowerDescriptor(buggy, { ...cps, productId: 0x0005 }).desc, buggy)
})

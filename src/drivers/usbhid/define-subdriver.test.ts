import assert from "node:assert/strict"
import { test } from "node:test"
import { APC_USAGE_NAMES } from "../../hid/index.ts"
import { defineSubdriver, SubdriverDefinitionError } from "./define-subdriver.ts"
import { SUBDRIVERS } from "./subdrivers/index.ts"

const base = { name: "x", title: "X HID", usageNames: APC_USAGE_NAMES, claims: () => true, vars: [], status: [], commands: [] }

test("defineSubdriver() compiles every path and refuses one no usage table names", () => {
  const s = defineSubdriver({ ...base, vars: [{ nut: "battery.charge", path: ["UPS.PowerSummary.RemainingCapacity", "UPS.ff860005.ff86007c"] }] })
  assert.deepEqual(s.vars[0]?.paths.map((p) => p.nodes), [[0x00840004, 0x00840024, 0x00850066], [0x00840004, 0xff860005, 0xff86007c]])
  assert.equal(s.vars[0]?.convert.name, "%.0f")
  assert.throws(() => defineSubdriver({ ...base, vars: [{ nut: "battery.charge", path: "UPS.PowerSumary.RemainingCapacity" }] }), SubdriverDefinitionError)
  assert.throws(() => defineSubdriver({ ...base, name: "Bad Name" }), SubdriverDefinitionError)
  assert.throws(() => defineSubdriver({ ...base, status: [{ path: "UPS.PowerSummary.ACPresent", fact: "onlne" as never }] }), /unknown status fact/)
})

test("the built-in subdriver tables all compile", () => {
  assert.deepEqual(SUBDRIVERS.map((s) => s.name), ["eaton", "apc", "cyberpower", "generic"])
  for (const s of SUBDRIVERS) assert.ok(s.vars.length > 10 && s.status.length > 5 && s.commands.length > 5, s.name)
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { fixture } from "../../test/support/fixture.ts"
import { parseNutConf } from "./nut-conf.ts"

test("parseNutConf() reads TrueNAS' MODE=netserver", () => {
  const conf = parseNutConf(fixture("truenas/nut-etc-example/nut.conf"))
  assert.equal(conf.mode, "netserver")
  assert.deepEqual(conf.warnings, [])
})

test("parseNutConf() keeps other variables and warns about an unknown MODE", () => {
  const conf = parseNutConf('MODE = "Primary"\nPOWEROFF_WAIT=15m\n')
  assert.equal(conf.mode, undefined)
  assert.equal(conf.vars["POWEROFF_WAIT"], "15m")
  assert.match(conf.warnings[0]?.message ?? "", /unknown MODE Primary/)
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { parseUpsSystem } from "./ups-system.ts"

test("parseUpsSystem() splits ups@host:port with NUT's defaults", () => {
  assert.deepEqual(parseUpsSystem("rack"), { system: "rack", ups: "rack", host: "localhost", port: 3493 })
  assert.deepEqual(parseUpsSystem("rack@10.0.30.10"), { system: "rack@10.0.30.10", ups: "rack", host: "10.0.30.10", port: 3493 })
  assert.deepEqual(parseUpsSystem("crit@127.0.0.1:23494"), { system: "crit@127.0.0.1:23494", ups: "crit", host: "127.0.0.1", port: 23494 })
  assert.deepEqual(parseUpsSystem("rack@[fd00::1]:3494"), { system: "rack@[fd00::1]:3494", ups: "rack", host: "fd00::1", port: 3494 })
})

test("parseUpsSystem() refuses malformed names", () => {
  for (const bad of ["", "@host", "rack@", "rack@host:", "rack@host:x", "rack@[::1", "rack@[::1]x", "a b@h", "rack@host:70000"]) {
    assert.equal(parseUpsSystem(bad), undefined, bad)
  }
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { CidrError, isAllowed, parseNetwork } from "./acl.ts"

test("isAllowed() matches IPv4, IPv6 and IPv4-mapped addresses against CIDRs", () => {
  const nets = ["10.0.10.0/24", "127.0.0.0/8", "fd00::/8", "::1"].map(parseNetwork)
  assert.ok(isAllowed("10.0.10.77", nets))
  assert.ok(!isAllowed("10.0.11.1", nets))
  assert.ok(isAllowed("::ffff:127.0.0.1", nets))
  assert.ok(isAllowed("fd12:3456::1", nets))
  assert.ok(isAllowed("::1", nets))
  assert.ok(!isAllowed("fe80::1", nets))
  assert.ok(isAllowed("1.2.3.4", [parseNetwork("0.0.0.0/0")]))
})

test("parseNetwork() rejects malformed networks with CidrError", () => {
  for (const bad of ["10.0.0.0/33", "300.1.1.1", "fd00::/129", "nonsense", "1::2::3", "10.0.0.0/x"]) {
    assert.throws(() => parseNetwork(bad), CidrError, bad)
  }
})

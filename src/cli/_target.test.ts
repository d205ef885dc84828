import assert from "node:assert/strict"
import { test } from "node:test"
import { UsageError, formatUpsTarget, parseHostTarget, parseUpsTarget } from "./_target.ts"

test("parseUpsTarget() defaults to localhost:3493", () => {
  assert.deepEqual(parseUpsTarget("bvk"), { ups: "bvk", host: "localhost", port: 3493 })
})

test("parseUpsTarget() reads host and port", () => {
  assert.deepEqual(parseUpsTarget("bvk@nas"), { ups: "bvk", host: "nas", port: 3493 })
  assert.deepEqual(parseUpsTarget("rack@10.0.30.10:3494"), { ups: "rack", host: "10.0.30.10", port: 3494 })
  assert.deepEqual(parseUpsTarget("rack@truenas.lan:1"), { ups: "rack", host: "truenas.lan", port: 1 })
})

test("parseUpsTarget() reads bracketed IPv6 literals", () => {
  assert.deepEqual(parseUpsTarget("bvk@[::1]:3493"), { ups: "bvk", host: "::1", port: 3493 })
  assert.deepEqual(parseUpsTarget("bvk@[fe80::1%eth0]"), { ups: "bvk", host: "fe80::1%eth0", port: 3493 })
})

test("parseUpsTarget() takes @HOST alone as every UPS on that host", () => {
  assert.deepEqual(parseUpsTarget("@nas:3493"), { ups: undefined, host: "nas", port: 3493 })
})

test("parseUpsTarget() refuses malformed targets with a usage error", () => {
  for (const bad of ["", "bvk@", "bvk:3493", "bvk@host:", "bvk@host:0", "bvk@host:65536", "bvk@host:12a", "bvk@::1", "bvk@[::1", "bvk@[::1]x", "b vk@host", "bvk@@host"]) {
    assert.throws(() => parseUpsTarget(bad), UsageError, bad)
  }
})

test("parseUpsTarget() says how to write an IPv6 address given alone", () => {
  assert.throws(() => parseUpsTarget("::1"), /::1 looks like an IPv6 address without a UPS: write @\[::1\] \(every UPS there\) or UPS@\[::1\]/)
  assert.throws(() => parseUpsTarget("[fd00::5]"), /write @\[fd00::5\]/)
})

test("parseHostTarget() reads HOST[:PORT] and refuses UPS targets", () => {
  assert.deepEqual(parseHostTarget("localhost"), { host: "localhost", port: 3493 })
  assert.deepEqual(parseHostTarget("[::1]:13493"), { host: "::1", port: 13493 })
  assert.throws(() => parseHostTarget("bvk@host"), UsageError)
  assert.throws(() => parseHostTarget("fe80::1"), /brackets/)
})

test("formatUpsTarget() brackets IPv6 literals", () => {
  assert.equal(formatUpsTarget({ ups: "bvk", host: "::1", port: 3493 }), "bvk@[::1]:3493")
  assert.equal(formatUpsTarget({ ups: "bvk", host: "nas", port: 3493 }), "bvk@nas:3493")
})

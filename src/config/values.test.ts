import { test } from "node:test"
import assert from "node:assert/strict"
import { isCidr, listenHostProblem, parseDuration, parseListenAddress } from "./values.ts"

test("parseListenAddress() reads host:port, [v6]:port, bare hosts and bare IPv6", () => {
  assert.deepEqual(parseListenAddress("0.0.0.0:3493", 1), { host: "0.0.0.0", port: 3493 })
  assert.deepEqual(parseListenAddress("[::1]:9199", 1), { host: "::1", port: 9199 })
  assert.deepEqual(parseListenAddress("[::]", 3493), { host: "::", port: 3493 })
  assert.deepEqual(parseListenAddress("::", 3493), { host: "::", port: 3493 })
  assert.deepEqual(parseListenAddress("nas.lan", 3493), { host: "nas.lan", port: 3493 })
  assert.deepEqual(parseListenAddress("*:3493", 1), { host: "*", port: 3493 })
  for (const bad of ["0.0.0.0:0", "0.0.0.0:99999", "host:port", "[::1", "[nothost]:1", ":::x", "", "a b"]) {
    assert.equal(parseListenAddress(bad, 3493), undefined, bad)
  }
})

test("isCidr() accepts IPv4/IPv6 networks and single addresses", () => {
  for (const ok of ["10.0.10.0/24", "127.0.0.1", "::1/128", "fd00::/8", "0.0.0.0/0"]) assert.equal(isCidr(ok), true, ok)
  for (const bad of ["10.0.0.0/33", "256.0.0.1", "fd00::/129", "lan", "10.0.0/8", "::1/x"]) assert.equal(isCidr(bad), false, bad)
})

test("parseDuration() reads seconds and unit suffixes", () => {
  assert.equal(parseDuration(15), 15)
  assert.equal(parseDuration("15s"), 15)
  assert.equal(parseDuration("2m"), 120)
  assert.equal(parseDuration("500ms"), 0.5)
  assert.equal(parseDuration("1.5h"), 5400)
  assert.equal(parseDuration("30"), 30)
  for (const bad of ["fast", -1, "1d", null, "1 m s"]) assert.equal(parseDuration(bad), undefined, String(bad))
})

test("parseListenAddress() refuses IPv4 literals that are not four numbers 0-255 instead of looking them up", () => {
  for (const bad of ["10.0.0.256", "10.0.0.256:3493", "10.1:3493", "1.2.3.4.5"]) assert.equal(parseListenAddress(bad, 3493), undefined, bad)
  assert.deepEqual(parseListenAddress("10.0.0.255:3493", 1), { host: "10.0.0.255", port: 3493 })
  assert.deepEqual(parseListenAddress("ups-1.lan:3493", 1), { host: "ups-1.lan", port: 3493 })
})

test("listenHostProblem() accepts addresses and host names, and says what a bad one should be", () => {
  for (const ok of ["127.0.0.1", "::1", "fe80::1%eth0", "localhost", "nas.lan", "0.0.0.0"]) assert.equal(listenHostProblem(ok), undefined, ok)
  assert.match(listenHostProblem("10.0.0.256") ?? "", /^an IPv4 address of four numbers 0-255, got "10\.0\.0\.256"$/)
  assert.match(listenHostProblem("::zz") ?? "", /^an IPv6 address/)
  assert.match(listenHostProblem("a/b") ?? "", /^an IP address or a host name/)
})

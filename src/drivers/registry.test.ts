import { test } from "node:test"
import assert from "node:assert/strict"
import { DummyDriver } from "./dummy/index.ts"
import { UnsupportedDriverError, createDriver, isExternalUps, type DriverSpec } from "./registry.ts"
import { SocketDriver } from "./socket/index.ts"

const log = { info: () => {}, warn: () => {} }
const base: DriverSpec = { name: "rack", driver: "dummy-ups", port: "x.dev", params: {}, baseDir: "/etc/nut" }

test("createDriver() runs dummy-ups natively unless the UPS is external", () => {
  assert.ok(createDriver(base, log) instanceof DummyDriver)
  const ext = createDriver({ ...base, external: true, statepath: "/tmp/st" }, log)
  assert.ok(ext instanceof SocketDriver)
  assert.equal(ext.path, "/tmp/st/dummy-ups-rack")
  assert.equal(ext.name, "dummy-ups")
})

test("createDriver() connects to the real driver's socket for drivers nutctl does not run", () => {
  const snmp = createDriver({ ...base, driver: "snmp-ups", port: "10.0.0.5" }, log)
  assert.ok(snmp instanceof SocketDriver)
  assert.equal(snmp.path, "/run/nut/snmp-ups-rack")
  // dummy-ups repeater mode (port = ups@host) is left to the real dummy-ups
  const repeater = createDriver({ ...base, port: "ups@10.0.0.5", statepath: "/var/run/nut" }, log)
  assert.ok(repeater instanceof SocketDriver)
  assert.equal(repeater.path, "/var/run/nut/dummy-ups-rack")
  const short = createDriver({ ...base, driver: "dummy", external: true }, log)
  assert.equal((short as SocketDriver).path, "/run/nut/dummy-ups-rack")
  assert.throws(() => createDriver({ ...base, driver: "upstream", external: true }, log), UnsupportedDriverError)
})

test("isExternalUps() reads the nutctl_external global of ups.conf", () => {
  assert.equal(isExternalUps({}, "rack"), false)
  assert.equal(isExternalUps({ nutctl_external: "all" }, "rack"), true)
  assert.equal(isExternalUps({ nutctl_external: "lab, Rack" }, "rack"), true)
  assert.equal(isExternalUps({ nutctl_external: "lab other" }, "rack"), false)
})

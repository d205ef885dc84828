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

test("createDriver() tells why it waits for a socket when the driver is not one nutctl runs (a typo)", async () => {
  const { mkdtempSync, rmSync } = await import("node:fs")
  const { tmpdir } = await import("node:os")
  const { join } = await import("node:path")
  const { UpsState } = await import("../ups/index.ts")
  const dir = mkdtempSync(join(tmpdir(), "nutctl-registry-"))
  const warnings: string[] = []
  const abort = new AbortController()
  try {
    const spec = { ...base, driver: "dumy-ups", statepath: dir, source: { file: "/etc/nut/ups.conf", line: 5, portLine: 7 } }
    const driver = createDriver(spec, { info: () => {}, warn: (m) => warnings.push(m) })
    const done = driver.start(new UpsState({ maxAgeMs: 15_000 }), abort.signal)
    for (let i = 0; i < 100 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    abort.abort()
    await done
    assert.match(
      warnings[0] ?? "",
      /^Cannot connect to UPS \[rack\] \(.*\/dumy-ups-rack\): .*; dumy-ups \(\/etc\/nut\/ups\.conf:5\) is not a driver nutctl runs itself \(it runs dummy-ups, usbhid-ups\), so it expects NUT's own dumy-ups driver to serve this socket/,
    )
  } finally {
    abort.abort()
    rmSync(dir, { recursive: true, force: true })
  }
})

test("createDriver() gives dummy-ups the ups.conf line of its port for its messages", async () => {
  const { UpsState } = await import("../ups/index.ts")
  const driver = createDriver({ ...base, port: "/nonexistent/nutctl-test/missing.dev", source: { file: "/etc/nut/ups.conf", line: 1, portLine: 3 } }, log)
  await assert.rejects(
    driver.start(new UpsState({ maxAgeMs: 15_000 }), new AbortController().signal),
    (e: unknown) => (e as Error).message === "/etc/nut/ups.conf:3: port /nonexistent/nutctl-test/missing.dev: cannot read dummy-ups data file /nonexistent/nutctl-test/missing.dev: no such file",
  )
})

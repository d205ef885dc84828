import { test } from "node:test"
import assert from "node:assert/strict"
import { memoryConfigFs } from "../config/index.ts"
import { resolveServeSetup } from "./_serve-setup.ts"

const cluster = `ups:
  rack: { driver: dummy, port: rack.dev, desc: "APC BX1600MI" }
server: { listen: ["127.0.0.1:3493"] }
users:
  mon: { password: { env: MON_PW }, upsmon: secondary }
roles:
  - { hosts: "truenas*", role: primary, monitor: [rack@localhost], shutdown: [] }
  - { hosts: "pve-compute-*", role: secondary, monitor: [rack@10.0.30.10], shutdown: [] }
`
const fs = memoryConfigFs({ "/etc/nutctl/nutctl.yaml": { text: cluster, mode: 0o600 } })
const env = (n: string) => (n === "MON_PW" ? "s3cret" : undefined)

test("resolveServeSetup() serves the cluster's UPSes on the primary host only", async () => {
  const primary = await resolveServeSetup({ demo: false }, { env, hostname: "truenas", fs })
  assert.equal(primary.exitCode, 0)
  assert.deepEqual(primary.setup?.ups.map((u) => [u.name, u.driver, u.desc]), [["rack", "dummy-ups", "APC BX1600MI"]])
  assert.equal(primary.setup?.users[0]?.password, "s3cret")
  const secondary = await resolveServeSetup({ demo: false }, { env, hostname: "pve-compute-02", fs })
  assert.equal(secondary.setup, undefined)
  assert.equal(secondary.exitCode, 0)
  assert.match(secondary.info[0] ?? "", /pve-compute-02 is a secondary/)
})

test("resolveServeSetup() names the missing config and suggests --nut-config", async () => {
  const r = await resolveServeSetup({ demo: false }, { env: () => undefined, hostname: "x", fs: memoryConfigFs({}) })
  assert.equal(r.exitCode, 1)
  assert.match(r.errors[0] ?? "", /\/etc\/nutctl\/nutctl\.yaml/)
  assert.match(r.info[0] ?? "", /--nut-config/)
})

test("resolveServeSetup() applies --listen to every source", async () => {
  const listen = [{ host: "127.0.0.1", port: 13493 }]
  const demo = await resolveServeSetup({ demo: true, listen }, { env, hostname: "x", fs })
  assert.deepEqual(demo.setup?.server.listen, listen)
  const viaConfig = await resolveServeSetup({ demo: false, hostname: "truenas-1", listen }, { env, hostname: "x", fs })
  assert.deepEqual(viaConfig.setup?.server.listen, listen)
})

test("resolveServeSetup() --demo --scenario: a built-in name or a valid file runs; anything else is a start-up error", async () => {
  const files = memoryConfigFs({ "storm.txt": { text: "30s mains-lost rate=15\n+1m mains-back\n", mode: 0o644 }, "bad.txt": { text: "bogus line\n", mode: 0o644 } })
  const ok = await resolveServeSetup({ demo: true, scenario: "outage" }, { env, hostname: "x", fs: files })
  assert.equal(ok.exitCode, 0)
  assert.match(ok.setup?.ups[0]?.port ?? "", /scenario=outage/)
  assert.equal((await resolveServeSetup({ demo: true, scenario: "storm.txt" }, { env, hostname: "x", fs: files })).exitCode, 0)
  const typo = await resolveServeSetup({ demo: true, scenario: "outgae" }, { env, hostname: "x", fs: files })
  assert.equal(typo.exitCode, 1)
  assert.equal(typo.setup, undefined)
  assert.match(typo.errors[0] ?? "", /^--scenario outgae: no such built-in scenario \(built in: outage, .*\) and /)
  const bad = await resolveServeSetup({ demo: true, scenario: "bad.txt" }, { env, hostname: "x", fs: files })
  assert.equal(bad.exitCode, 1)
  assert.match(bad.errors[0] ?? "", /^--scenario bad\.txt: .*line 1/)
})

test("resolveServeSetup() --nut-config leaves upsmon.conf's warnings to the monitor (they were shown twice)", async () => {
  const nutFs = memoryConfigFs({
    "/etc/nut/ups.conf": "[rack]\n driver = usbhid-ups\n port = auto\n",
    "/etc/nut/upsd.conf": "",
    "/etc/nut/upsd.users": { text: "[m]\n password = p\n upsmon primary\n", mode: 0o640 },
    "/etc/nut/upsmon.conf": { text: "MONITOR rack@localhost 1 m p primary\nSHUTDOWNCMD x\n", mode: 0o644 },
  })
  const r = await resolveServeSetup({ demo: false, nutConfig: "/etc/nut" }, { env: () => undefined, hostname: "x", fs: nutFs })
  assert.equal(r.exitCode, 0)
  assert.deepEqual(r.warnings, [])
})

test("resolveServeSetup() --nut-config shows the warnings that explain an error", async () => {
  const nutFs = memoryConfigFs({ "/etc/nut/ups.conf": "[rack]\n driver = usbhid-ups\n", "/etc/nut/upsd.conf": "", "/etc/nut/upsd.users": { text: "[m]\n password = p\n", mode: 0o640 } })
  const r = await resolveServeSetup({ demo: false, nutConfig: "/etc/nut" }, { env: () => undefined, hostname: "x", fs: nutFs })
  assert.equal(r.exitCode, 1)
  assert.deepEqual(r.warnings, ["/etc/nut/ups.conf:1: ignoring incomplete configuration for UPS [rack]: no port"])
  assert.match(r.errors[0] ?? "", /at least one complete \[ups\] section/)
})

/**
 * Importing NUT's own files: the research sandbox (test/fixtures/nut-wire/sandbox-etc) as the
 * primary's /etc/nut, a secondary's netclient directory, upssched and nut.conf; the imported
 * config must serve the same UPSes and users and decide the same shutdown.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { monitorConfigFromUpsmonConf, simulateHost } from "../monitor/index.ts"
import { fixture, fixturePath } from "../../test/support/fixture.ts"
import { buildServeSetup, importConfigDir, loadNutConfigDir, memoryConfigFs, parseNutctlConfig, parseUpsmonConf, renderImportYaml, type ImportResult } from "./index.ts"
import { clusterMonitorConfig, decisionParts, outage, servedParts } from "../../test/support/import-roundtrip.ts"

const DIR = fixturePath("nut-wire/sandbox-etc")

function load(result: ImportResult) {
  const loaded = parseNutctlConfig(renderImportYaml(result), { file: "/etc/nutctl/nutctl.yaml" })
  return { loaded, files: Object.fromEntries(result.secrets.map((s) => [s.path, s.value])) }
}

test("importConfigDir(sandbox-etc): every UPS, every user with its rights, the primary's role", async () => {
  const result = await importConfigDir(DIR, { hostname: "nas", upsmonFile: "upsmon-primary.conf", allow: ["127.0.0.0/8"] })
  const { loaded } = load(result)
  const c = loaded.config
  assert.deepEqual(Object.keys(c.ups), ["bvk", "flip", "nodrv", "crit"])
  assert.equal(c.ups["flip"]?.port, `${DIR}/flip.seq`)
  assert.equal(c.ups["bvk"]?.desc, 'APC Back-UPS "BVK" #1')
  assert.deepEqual(c.users["admin"], { password: { file: "/etc/nutctl/admin.pw" }, actions: ["SET", "FSD"], instcmds: ["all"] })
  assert.deepEqual(c.users["setonly"], { password: { file: "/etc/nutctl/setonly.pw" }, actions: ["SET"], instcmds: ["beeper.enable"] })
  assert.equal(c.users["monpri"]?.upsmon, "primary")
  assert.equal(c.users["monsec"]?.upsmon, "secondary")
  assert.equal(result.secrets.find((s) => s.path === "/etc/nutctl/setonly.pw")?.value, "pass words")
  assert.deepEqual(c.roles.map((r) => [r.name, r.role, r.monitor.map((m) => `${m.system} as ${m.user}`)]), [["primary", "primary", ["crit@127.0.0.1:23494 as monpri"]]])
  assert.equal(c.executors["command"]?.["command"], "/bin/sh -c 'echo SHUTDOWNCMD-pri $(date +%T) >> /var/lib/nutref/shutdown.log'")
  assert.deepEqual({ ...c.shutdown }, { finaldelay: 2, pollfreq: 2, pollfreqalert: 1, powerdownflag: "/var/lib/nutref/mon-pri/killpower", notifycmd: "/usr/bin/env UPSMON_ROLE=pri /var/lib/nutref/tools/notify.sh" })
  assert.ok(result.notCarried.some((n) => /NOTIFYFLAG/.test(n)))
  assert.ok(result.notCarried.some((n) => /RUN_AS_USER root/.test(n)))
  assert.ok(result.notes.some((n) => /monsec: name the hosts/.test(n)), result.notes.join("\n"))
})

test("importConfigDir(sandbox-etc): the imported config serves the same UPS sections and users", async () => {
  const result = await importConfigDir(DIR, { hostname: "nas", upsmonFile: "upsmon-primary.conf" })
  const { loaded, files } = load(result)
  const imported = await buildServeSetup(loaded, { env: () => undefined, fs: memoryConfigFs(files) })
  const original = (await loadNutConfigDir(DIR)).setup
  assert.deepEqual(servedParts(imported), servedParts(original))
})

test("importConfigDir(sandbox-etc): the primary and a secondary decide the same shutdown as with upsmon.conf", async () => {
  for (const [file, host, role] of [["upsmon-primary.conf", "nas", "primary"], ["upsmon-secondary.conf", "pve1", "secondary"]] as const) {
    const result = await importConfigDir(DIR, { hostname: host, upsmonFile: file })
    const { loaded, files } = load(result)
    assert.equal(loaded.config.roles[0]?.role, role)
    const mine = clusterMonitorConfig(loaded, host, files)
    const theirs = monitorConfigFromUpsmonConf(parseUpsmonConf(fixture(`nut-wire/sandbox-etc/${file}`)))
    assert.deepEqual(decisionParts(mine), decisionParts(theirs))
    const a = simulateHost({ config: mine, until: 3_600_000, poll: outage })
    const b = simulateHost({ config: theirs, until: 3_600_000, poll: outage })
    assert.ok(a.shutdownAt !== undefined, `${file}: shuts down`)
    assert.equal(a.shutdownAt, b.shutdownAt, file)
  }
})

test("importConfigDir(): --secondaries gives the nodes a role on the primary's network address and port", async () => {
  const fs = memoryConfigFs({
    "/etc/nut/ups.conf": "[rack]\n\tdriver = usbhid-ups\n\tport = auto\n\tvendorid = 051d\n",
    "/etc/nut/upsd.conf": "LISTEN 0.0.0.0 3493\nLISTEN 127.0.0.1 3493\n",
    "/etc/nut/upsd.users": "[upsmon]\n\tpassword = p1\n\tupsmon primary\n[monuser]\n\tpassword = p2\n\tupsmon secondary\n",
    "/etc/nut/upsmon.conf": "MONITOR rack@localhost 1 upsmon p1 primary\nSHUTDOWNCMD \"/sbin/shutdown -h +0\"\nHOSTSYNC 30\n",
    "/etc/nut/nut.conf": "MODE=netserver\nPOWEROFF_WAIT=15m\n",
  })
  const result = await importConfigDir("/etc/nut", { hostname: "truenas", secondaries: ["pve-compute-01", "pve-compute-02"], primaryAddress: "10.0.10.10", fs })
  const { loaded } = load(result)
  const c = loaded.config
  assert.equal(c.ups["rack"]?.params["vendorid"], "051d")
  assert.deepEqual(c.roles[1]?.hosts, ["pve-compute-01", "pve-compute-02"])
  assert.deepEqual(c.roles[1]?.monitor.map((m) => `${m.system} as ${m.user}`), ["rack@10.0.10.10 as monuser"])
  assert.equal(c.shutdown.hostsync, 30)
  assert.equal(c.shutdown.poweroffwait, 900)
  assert.equal(c.roles[0]?.monitor[0]?.password, undefined, "the password comes from users:")
})

test("importConfigDir(): a secondary's netclient directory, with upssched timers reported", async () => {
  const fs = memoryConfigFs({
    "/etc/nut/nut.conf": "MODE=netclient\n",
    "/etc/nut/upsmon.conf": "MONITOR rack@10.0.10.10 1 monuser s3cret secondary\nNOTIFYCMD /usr/sbin/upssched\nSHUTDOWNCMD \"/sbin/shutdown -h +0\"\nRBWARNTIME 3600\n",
    "/etc/nut/upssched.conf": "CMDSCRIPT /usr/local/bin/upssched-cmd\nPIPEFN /run/nut/upssched.pipe\nLOCKFN /run/nut/upssched.lock\nAT ONBATT * START-TIMER onbatt 300\nAT ONLINE * CANCEL-TIMER onbatt\n",
  })
  const result = await importConfigDir("/etc/nut", { hostname: "pve-compute-01", fs })
  const { loaded } = load(result)
  assert.deepEqual(Object.keys(loaded.config.ups), [])
  assert.deepEqual(loaded.config.roles[0]?.monitor[0], { ups: "rack", host: "10.0.10.10", port: 3493, system: "rack@10.0.10.10", powerValue: 1, user: "monuser", password: { file: "/etc/nutctl/monitor-monuser.pw" } })
  assert.equal(result.secrets[0]?.value, "s3cret")
  assert.equal(loaded.config.shutdown.notifycmd, undefined)
  assert.ok(result.notCarried.some((n) => /upssched\.conf \(CMDSCRIPT \/usr\/local\/bin\/upssched-cmd\): 2 rules/.test(n)), result.notCarried.join("\n"))
  assert.ok(result.notCarried.some((n) => /RBWARNTIME 3600/.test(n)))
  assert.ok(result.notes.some((n) => /shutdown\.when\.onBatteryFor: 300s/.test(n)))
})

test("importConfigDir(): a driver nutctl does not run is reported, not imported", async () => {
  const fs = memoryConfigFs({
    "/etc/nut/ups.conf": "[old]\n\tdriver = blazer_usb\n\tport = auto\n[rack]\n\tdriver = usbhid-ups\n\tport = auto\n",
    "/etc/nut/upsd.conf": "",
  })
  const result = await importConfigDir("/etc/nut", { hostname: "nas", fs })
  assert.deepEqual(Object.keys(load(result).loaded.config.ups), ["rack"])
  assert.ok(result.notCarried.some((n) => /ups\.conf \[old\]: driver blazer_usb is not one nutctl runs/.test(n)))
})

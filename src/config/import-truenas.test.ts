/**
 * Importing TrueNAS's UPS settings (test/fixtures/truenas/nut-etc-example: ups.config.json and the
 * files TrueNAS renders from it): roles, users, policy, what is reported, and that the imported
 * config serves the same NUT data and makes the same shutdown decision as TrueNAS's NUT setup.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { monitorConfigFromUpsmonConf, simulateHost } from "../monitor/index.ts"
import { clusterMonitorConfig, decisionParts, outage, servedParts } from "../../test/support/import-roundtrip.ts"
import { fixture, fixturePath } from "../../test/support/fixture.ts"
import {
  buildServeSetup,
  importConfigDir,
  importTrueNasConfig,
  loadNutConfigDir,
  memoryConfigFs,
  parseNutctlConfig,
  parseTrueNasUpsConfig,
  parseUpsmonConf,
  renderImportYaml,
  trueNasDriver,
  type ImportResult,
  type LoadedConfig,
} from "./index.ts"

const DIR = fixturePath("truenas/nut-etc-example")
const OPTIONS = { hostname: "truenas", secondaries: ["pve-compute-01", "pve-compute-02", "pve-compute-03"], primaryAddress: "10.0.10.10", allow: ["10.0.10.0/24"] }

/** The YAML back through the loader, with the secret files in memory. */
function load(result: ImportResult): { loaded: LoadedConfig; files: Record<string, string> } {
  const loaded = parseNutctlConfig(renderImportYaml(result), { file: "/etc/nutctl/nutctl.yaml" })
  const files = Object.fromEntries(result.secrets.map((s) => [s.path, s.value]))
  return { loaded, files }
}

test("importTrueNasConfig(): MASTER → the NAS's primary role; extrausers → the nodes' secondary account", async () => {
  const result = await importConfigDir(DIR, OPTIONS)
  assert.match(result.source, /^TrueNAS ups\.config \(.*ups\.config\.json\)$/)
  const { loaded } = load(result)
  const c = loaded.config
  assert.deepEqual(Object.keys(c.ups), ["ups"])
  assert.equal(c.ups["ups"]?.driver, "usbhid-ups")
  assert.equal(c.ups["ups"]?.port, "auto")
  assert.equal(c.ups["ups"]?.desc, "APC Back-UPS BX1600MI")
  assert.deepEqual(c.server.allow, ["10.0.10.0/24"])
  assert.deepEqual(c.users["upsmon"]?.upsmon, "primary")
  assert.deepEqual(c.users["monslave"]?.upsmon, "secondary")
  assert.deepEqual(
    c.roles.map((r) => ({ hosts: r.hosts, role: r.role, monitor: r.monitor.map((m) => `${m.system} as ${m.user}`), shutdown: r.shutdown })),
    [
      { hosts: ["truenas"], role: "primary", monitor: ["ups@localhost:3493 as upsmon"], shutdown: ["command"] },
      { hosts: ["pve-compute-01", "pve-compute-02", "pve-compute-03"], role: "secondary", monitor: ["ups@10.0.10.10 as monslave"], shutdown: ["node-shutdown"] },
    ],
  )
  assert.deepEqual(c.shutdown.when, { lowbattery: true, onBatteryFor: 30 })
  assert.equal(c.shutdown.powerdownflag, "/etc/killpower")
  assert.equal(c.executors["command"]?.["command"], "/sbin/shutdown -P now")
  assert.deepEqual(result.secrets.map((s) => [s.path, s.value]), [["/etc/nutctl/upsmon.pw", "fixmepass"], ["/etc/nutctl/monslave.pw", "pvesecret"]])
  assert.ok(result.notes.some((n) => /HOSTSYNC 15 s/.test(n)), "warns about the short HOSTSYNC")
  assert.ok(result.notes.some((n) => /fixmepass/.test(n)))
  assert.ok(result.notCarried.some((n) => /alerts/.test(n)))
})

test("importTrueNasConfig(): the imported config serves the same UPS and users as TrueNAS's rendered files", async () => {
  const result = await importConfigDir(DIR, OPTIONS)
  const { loaded, files } = load(result)
  const imported = await buildServeSetup(loaded, { env: () => undefined, fs: memoryConfigFs(files) })
  const rendered = (await loadNutConfigDir(DIR)).setup
  // TrueNAS's upsd.users has only what ups.config says, so users match exactly
  assert.deepEqual(servedParts({ ...imported, ups: imported.ups.map((u) => ({ ...u, baseDir: DIR })) }), servedParts(rendered))
})

test("importTrueNasConfig(): the NAS makes the same shutdown decision as TrueNAS's upsmon.conf", async () => {
  const result = await importConfigDir(DIR, OPTIONS)
  const { loaded, files } = load(result)
  const mine = clusterMonitorConfig(loaded, "truenas", files)
  const theirs = monitorConfigFromUpsmonConf(parseUpsmonConf(fixture("truenas/nut-etc-example/upsmon.conf")))
  assert.deepEqual(decisionParts(mine), decisionParts(theirs))
  const a = simulateHost({ config: mine, until: 3_600_000, poll: outage })
  const b = simulateHost({ config: theirs, until: 3_600_000, poll: outage })
  assert.ok(a.shutdownAt !== undefined)
  assert.equal(a.shutdownAt, b.shutdownAt)
  assert.deepEqual(
    a.timeline.map((t) => `${t.at} ${t.effect.type}`),
    b.timeline.map((t) => `${t.at} ${t.effect.type}`),
  )
})

test("importTrueNasConfig(): SLAVE mode, LOWBATT policy, another driver and optionsupsd", () => {
  const base = parseTrueNasUpsConfig(fixture("truenas/nut-etc-example/ups.config.json"), "ups.config.json")
  const slave = importTrueNasConfig({ ...base, mode: "SLAVE", remotehost: "10.0.10.10", shutdown: "LOWBATT" }, { hostname: "truenas-backup" })
  const { loaded } = load(slave)
  assert.deepEqual(Object.keys(loaded.config.ups), [])
  assert.equal(loaded.config.roles[0]?.role, "secondary")
  assert.equal(loaded.config.roles[0]?.monitor[0]?.system, "ups@10.0.10.10")
  assert.deepEqual(loaded.config.roles[0]?.monitor[0]?.password, { file: "/etc/nutctl/upsmon.pw" })
  assert.deepEqual(loaded.config.shutdown.when, { lowbattery: true, onBatteryFor: null })

  const other = importTrueNasConfig({ ...base, driver: "genericups upstype=16$APC Back-UPS (serial)", optionsupsd: "MAXAGE 25\nSTATEPATH /run/x\n", options: "pollinterval = 2" }, { hostname: "truenas" })
  assert.ok(other.notCarried.some((n) => /driver genericups is not one nutctl runs/.test(n)), other.notCarried.join("\n"))
  assert.ok(other.notCarried.some((n) => /optionsupsd: STATEPATH \/run\/x/.test(n)))
  const back = load(other).loaded.config
  assert.equal(back.server.maxage, 25)
  assert.deepEqual(Object.keys(back.ups), [])
  const withOptions = importTrueNasConfig({ ...base, options: "pollinterval = 2\nvendorid = 051d" }, { hostname: "truenas" })
  assert.deepEqual(load(withOptions).loaded.config.ups["ups"]?.params, { pollinterval: "2", vendorid: "051d" })
})

test("trueNasDriver() keeps only the driver part of a driver_choices key", () => {
  assert.deepEqual(trueNasDriver("usbhid-ups$Back-UPS (USB)"), { driver: "usbhid-ups", extra: [] })
  assert.deepEqual(trueNasDriver("genericups upstype=16$APC Back-UPS (serial)"), { driver: "genericups", extra: ["upstype = 16"] })
})

test("importConfigDir(): a TrueNAS export that is not ups.config is refused with the file's name", async () => {
  const fs = memoryConfigFs({ "/x/ups.config.json": "{\"id\": 1}" })
  await assert.rejects(importConfigDir("/x", { hostname: "truenas", fs }), /\/x\/ups\.config\.json: expects the JSON of midclt call ups\.config/)
})

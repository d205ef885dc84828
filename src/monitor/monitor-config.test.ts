import assert from "node:assert/strict"
import { test } from "node:test"
import { parseNutctlConfig, parseUpsmonConf, resolveRole } from "../config/index.ts"
import { fixture } from "../../test/support/fixture.ts"
import { NOTIFY_TYPES, isUpsschedCommand, monitorConfigFromNutctl, monitorConfigFromUpsmonConf } from "./index.ts"

test("monitorConfigFromUpsmonConf() takes upsmon 2.8.0's defaults, in milliseconds", () => {
  const c = monitorConfigFromUpsmonConf(parseUpsmonConf("MONITOR rack@localhost 1 mon secret primary\n"))
  assert.deepEqual(
    [c.minSupplies, c.pollFreqMs, c.pollFreqAlertMs, c.hostSyncMs, c.deadTimeMs, c.finalDelayMs, c.rbWarnTimeMs, c.noCommWarnTimeMs],
    [1, 5000, 5000, 15000, 15000, 5000, 43_200_000, 300_000],
  )
  assert.deepEqual(c.supplies, [{ system: "rack@localhost", ups: "rack", host: "localhost", port: 3493, powerValue: 1, role: "primary", user: "mon", password: "secret" }])
  assert.equal(c.powerDownFlag, undefined, "POWERDOWNFLAG has no default")
  assert.deepEqual(c.notifyFlags.ONBATT, { syslog: true, wall: true, exec: false, ignore: false })
  assert.deepEqual(c.notifyFlags.CAL, { syslog: true, wall: false, exec: false, ignore: false }, "2.8.0: CAL is SYSLOG only")
  assert.equal(c.notifyMessages.NOCOMM, "UPS %s is unavailable")
  assert.equal(Object.keys(c.notifyFlags).length, NOTIFY_TYPES.length)
})

test("monitorConfigFromUpsmonConf() applies NOTIFYFLAG and NOTIFYMSG (type names in any case)", () => {
  const c = monitorConfigFromUpsmonConf(
    parseUpsmonConf(
      [
        "MONITOR a@h:3494 2 u p secondary",
        "MINSUPPLIES 2",
        "POLLFREQ 10",
        "POLLFREQALERT 2",
        "HOSTSYNC 30",
        "DEADTIME 45",
        "FINALDELAY 0",
        'NOTIFYCMD "/usr/local/bin/notify me"',
        "NOTIFYFLAG onbatt SYSLOG+EXEC",
        "NOTIFYFLAG LOWBATT IGNORE",
        'NOTIFYMSG ONBATT "Power lost on %s"',
        "NOTIFYFLAG SHUTDOWN_HOSTSYNC SYSLOG",
        "POWERDOWNFLAG /etc/killpower",
        "",
      ].join("\n"),
    ),
  )
  assert.deepEqual([c.minSupplies, c.pollFreqMs, c.pollFreqAlertMs, c.hostSyncMs, c.deadTimeMs, c.finalDelayMs], [2, 10_000, 2000, 30_000, 45_000, 0])
  assert.deepEqual(c.notifyFlags.ONBATT, { syslog: true, wall: false, exec: true, ignore: false })
  assert.equal(c.notifyFlags.LOWBATT.ignore, true)
  assert.equal(c.notifyMessages.ONBATT, "Power lost on %s")
  assert.equal(c.notifyCmd, "/usr/local/bin/notify me")
  assert.equal(c.powerDownFlag, "/etc/killpower")
  assert.equal(c.supplies[0]?.port, 3494)
})

test("monitorConfigFromUpsmonConf() reads TrueNAS's upsmon.conf (MASTER, NOTIFYCMD upssched)", () => {
  const c = monitorConfigFromUpsmonConf(parseUpsmonConf(fixture("truenas/nut-etc-example/upsmon.conf")))
  assert.equal(c.supplies[0]?.role, "primary")
  assert.equal(c.supplies[0]?.system, "ups@localhost:3493")
  assert.equal(isUpsschedCommand(c.notifyCmd), true)
  assert.equal(c.notifyFlags.ONBATT.exec, true)
  assert.equal(c.shutdownCmd, "/sbin/shutdown -P now")
})

test("monitorConfigFromNutctl() turns a role of the cluster config into a MonitorConfig", () => {
  const { config } = parseNutctlConfig(
    [
      "users:",
      "  monsec: { password: s3cret, upsmon: secondary }",
      "roles:",
      '  - hosts: "truenas*"',
      "    role: primary",
      "    monitor: [rack@localhost]",
      '  - hosts: "pve-compute-*"',
      "    role: secondary",
      "    monitor: [rack@10.0.30.10, { system: 'aux@10.0.30.11:3494', powervalue: 2 }]",
      "shutdown:",
      "  hostsync: 20s",
      "  finaldelay: 500ms",
      "",
    ].join("\n"),
    { file: "nutctl.yaml" },
  )
  const role = resolveRole(config, "pve-compute-02")?.entry
  assert.ok(role)
  const c = monitorConfigFromNutctl({ role, shutdown: config.shutdown }, { minSupplies: 2, pollFreqAlert: 1, login: () => ({ user: "monsec", password: "s3cret" }) })
  assert.deepEqual(
    c.supplies.map((s) => [s.system, s.host, s.port, s.powerValue, s.role, s.user]),
    [
      ["rack@10.0.30.10", "10.0.30.10", 3493, 1, "secondary", "monsec"],
      ["aux@10.0.30.11:3494", "10.0.30.11", 3494, 2, "secondary", "monsec"],
    ],
  )
  assert.deepEqual([c.minSupplies, c.hostSyncMs, c.finalDelayMs, c.pollFreqMs, c.pollFreqAlertMs, c.deadTimeMs], [2, 20_000, 500, 5000, 1000, 15_000])
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { fixture } from "../../test/support/fixture.ts"
import { ConfigError } from "./errors.ts"
import { parseUpsmonConf } from "./upsmon-conf.ts"

test("parseUpsmonConf() reads the sandbox primary's upsmon.conf", () => {
  const conf = parseUpsmonConf(fixture("nut-wire/sandbox-etc/upsmon-primary.conf"))
  assert.deepEqual(conf.monitors, [
    { system: "crit@127.0.0.1:23494", ups: "crit", host: "127.0.0.1", port: 23494, powerValue: 1, user: "monpri", password: "pripass", role: "primary", line: 1 },
  ])
  assert.equal(conf.minSupplies, 1)
  assert.equal(conf.shutdownCmd, "/bin/sh -c 'echo SHUTDOWNCMD-pri $(date +%T) >> /var/lib/nutref/shutdown.log'")
  assert.equal(conf.powerDownFlag, "/var/lib/nutref/mon-pri/killpower")
  assert.equal(conf.notifyCmd, "/usr/bin/env UPSMON_ROLE=pri /var/lib/nutref/tools/notify.sh")
  assert.deepEqual([conf.pollFreq, conf.pollFreqAlert, conf.hostSync, conf.deadTime, conf.finalDelay], [2, 1, 15, 15, 2])
  assert.equal(conf.runAsUser, "root")
  assert.equal(Object.keys(conf.notifyFlags).length, 11)
  assert.deepEqual(conf.notifyFlags.CAL, ["SYSLOG", "EXEC"])
  assert.deepEqual(conf.warnings, [])
})

test("parseUpsmonConf() reads the sandbox secondary's role", () => {
  const conf = parseUpsmonConf(fixture("nut-wire/sandbox-etc/upsmon-secondary.conf"))
  assert.equal(conf.monitors[0]?.role, "secondary")
  assert.equal(conf.monitors[0]?.user, "monsec")
})

test("parseUpsmonConf() reads TrueNAS' upsmon.conf with MASTER in capitals and defaults for the rest", () => {
  const conf = parseUpsmonConf(fixture("truenas/nut-etc-example/upsmon.conf"))
  assert.equal(conf.monitors[0]?.role, "primary")
  assert.equal(conf.monitors[0]?.system, "ups@localhost:3493")
  assert.equal(conf.notifyCmd, "/usr/sbin/upssched")
  assert.equal(conf.shutdownCmd, "/sbin/shutdown -P now")
  assert.equal(conf.powerDownFlag, "/etc/killpower")
  assert.deepEqual([conf.pollFreq, conf.deadTime, conf.finalDelay, conf.rbWarnTime, conf.noCommWarnTime], [5, 15, 5, 43200, 300])
  assert.equal(conf.notifyFlags.NOPARENT, undefined)
})

test("parseUpsmonConf() reads NOTIFYMSG, TLS and newer directives", () => {
  const conf = parseUpsmonConf(
    [
      "MONITOR rack@[fd00::1] 0 mon pw secondary",
      "MINSUPPLIES 0",
      'NOTIFYMSG onbatt "On battery: %s"',
      "NOTIFYFLAG lowbatt IGNORE",
      "CERTPATH /etc/nut/cert",
      "CERTIDENT upsmon dbpass",
      "CERTHOST 10.0.0.1 upsd 1 0",
      "CERTVERIFY 1",
      "FORCESSL 1",
      "OVERDURATION -1",
      "SHUTDOWNEXIT no",
      "DEBUG_MIN 1",
      'SHUTDOWNCMD "/sbin/poweroff"',
    ].join("\n"),
  )
  assert.equal(conf.monitors[0]?.host, "fd00::1")
  assert.equal(conf.monitors[0]?.powerValue, 0)
  assert.equal(conf.minSupplies, 0)
  assert.equal(conf.notifyMessages.ONBATT, "On battery: %s")
  assert.deepEqual(conf.notifyFlags.LOWBATT, ["IGNORE"])
  assert.equal(conf.certPath, "/etc/nut/cert")
  assert.deepEqual(conf.certIdent, { name: "upsmon", password: "dbpass" })
  assert.deepEqual(conf.certHosts, [{ host: "10.0.0.1", certName: "upsd", certVerify: true, forceSsl: false }])
  assert.equal(conf.certVerify, true)
  assert.equal(conf.forceSsl, true)
  assert.deepEqual(conf.newer, { OVERDURATION: "-1", SHUTDOWNEXIT: "no" })
  assert.equal(conf.debugMin, 1)
  assert.deepEqual(conf.warnings, [])
})

test("parseUpsmonConf() refuses the old 5-word MONITOR form", () => {
  assert.throws(
    () => parseUpsmonConf("MONITOR ups@localhost mon pw primary\n"),
    (e: unknown) => e instanceof ConfigError && e.line === 1 && e.key === "MONITOR" && e.message.startsWith("upsmon.conf:1: MONITOR expects <ups>[@<host>[:<port>]] <powervalue>"),
  )
})

test("parseUpsmonConf() names the bad word of a MONITOR line, never the password", () => {
  assert.throws(
    () => parseUpsmonConf("MONITOR ups@localhost 1 mon s3cret boss\n"),
    (e: unknown) => e instanceof ConfigError && e.message === 'upsmon.conf:1: MONITOR expects the role primary or secondary (or master/slave), got "boss"',
  )
  assert.throws(
    () => parseUpsmonConf("MONITOR ups@localhost one mon s3cret primary\n"),
    (e: unknown) => e instanceof ConfigError && /power value/.test(e.message) && !e.message.includes("s3cret"),
  )
})

test("parseUpsmonConf() refuses a MINSUPPLIES the MONITOR lines cannot reach", () => {
  assert.throws(
    () => parseUpsmonConf("MONITOR a@h 1 u p primary\nMINSUPPLIES 2\n"),
    (e: unknown) => e instanceof ConfigError && e.line === 2 && e.key === "MINSUPPLIES" && /at most the sum of the MONITOR power values \(1\), got "2"/.test(e.message),
  )
  assert.throws(() => parseUpsmonConf("SHUTDOWNCMD /bin/true\n"), /MINSUPPLIES/)
})

test("parseUpsmonConf() names file and line of a bad number", () => {
  assert.throws(
    () => parseUpsmonConf("MONITOR a@h 1 u p primary\nPOLLFREQ 5s\n", "/etc/nut/upsmon.conf"),
    (e: unknown) => e instanceof ConfigError && e.message === '/etc/nut/upsmon.conf:2: POLLFREQ expects a number of seconds, got "5s"',
  )
})

test("parseUpsmonConf() warns about unknown directives, notify types and flags, and unquoted commands", () => {
  const conf = parseUpsmonConf("MONITOR a@h 1 u p primary\nPollFreq 3\nNOTIFYFLAG FOO SYSLOG\nNOTIFYFLAG ONBATT syslog+EXEC\nSHUTDOWNCMD /sbin/shutdown -h now\n")
  assert.equal(conf.pollFreq, 5)
  assert.deepEqual(conf.notifyFlags.ONBATT, ["EXEC"])
  assert.equal(conf.shutdownCmd, "/sbin/shutdown")
  assert.deepEqual(
    conf.warnings.map((w) => w.line),
    [2, 3, 4, 5],
  )
})

test("parseUpsmonConf() ignores a second MONITOR line for the same UPS, as upsmon does, and names the first", () => {
  const conf = parseUpsmonConf(
    "MONITOR rack@localhost 1 mon p primary\nMONITOR lab@nas 1 mon p secondary\nMONITOR rack@localhost 1 mon p primary\nMONITOR rack@LOCALHOST:3493 1 mon p primary\nMINSUPPLIES 2\nSHUTDOWNCMD x\n",
  )
  assert.deepEqual(conf.monitors.map((m) => [m.system, m.line]), [["rack@localhost", 1], ["lab@nas", 2]])
  assert.deepEqual(
    conf.warnings.map((w) => [w.line, w.message]),
    [
      [3, "upsmon.conf:3: ignoring duplicate MONITOR rack@localhost: the same UPS as line 1; its power would count twice"],
      [4, "upsmon.conf:4: ignoring duplicate MONITOR rack@LOCALHOST:3493: the same UPS as line 1 (rack@localhost); its power would count twice"],
    ],
  )
  // the duplicate does not count towards MINSUPPLIES
  assert.throws(() => parseUpsmonConf("MONITOR rack@localhost 1 mon p primary\nMONITOR rack@localhost 1 mon p primary\nMINSUPPLIES 2\n"), /MINSUPPLIES expects at most the sum of the MONITOR power values \(1\)/)
})

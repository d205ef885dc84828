import { test } from "node:test"
import assert from "node:assert/strict"
import { fixture } from "../../test/support/fixture.ts"
import { DEFAULT_SERVER_SETTINGS } from "../server/index.ts"
import { ConfigError } from "./errors.ts"
import { parseUpsdConf } from "./upsd-conf.ts"

test("parseUpsdConf() reads the sandbox upsd.conf", () => {
  const conf = parseUpsdConf(fixture("nut-wire/sandbox-etc/upsd.conf"))
  assert.deepEqual(conf.server.listen, [{ host: "127.0.0.1", port: 23493 }])
  assert.equal(conf.server.maxAge, 15)
  assert.deepEqual(conf.warnings, [])
})

test("parseUpsdConf() reads TrueNAS' two LISTEN lines", () => {
  const conf = parseUpsdConf(fixture("truenas/nut-etc-example/upsd.conf"))
  assert.deepEqual(conf.server.listen, [
    { host: "0.0.0.0", port: 3493 },
    { host: "::0", port: 3493 },
  ])
})

test("parseUpsdConf() defaults to 127.0.0.1 and ::1 on 3493", () => {
  const conf = parseUpsdConf("# nothing\n")
  assert.deepEqual(conf.server, DEFAULT_SERVER_SETTINGS)
  assert.equal(conf.allowNoDevice, false)
})

test("parseUpsdConf() reads every directive", () => {
  const conf = parseUpsdConf(
    [
      "LISTEN 10.0.0.1",
      "LISTEN [::1] 3494",
      "MAXAGE 30",
      "MAXCONN 64",
      "TRACKINGDELAY 60",
      "ALLOW_NO_DEVICE yes",
      "STATEPATH /run/nut",
      "DATAPATH /usr/share/nut",
      "CERTFILE /etc/nut/upsd.pem",
      "DISABLE_WEAK_SSL 1",
      "debug_min 2",
    ].join("\n"),
  )
  assert.deepEqual(conf.server.listen, [
    { host: "10.0.0.1", port: 3493 },
    { host: "::1", port: 3494 },
  ])
  assert.equal(conf.server.maxAge, 30)
  assert.equal(conf.server.maxConn, 64)
  assert.equal(conf.server.trackingDelay, 60)
  assert.equal(conf.allowNoDevice, true)
  assert.equal(conf.statePath, "/run/nut")
  assert.equal(conf.dataPath, "/usr/share/nut")
  assert.equal(conf.certFile, "/etc/nut/upsd.pem")
  assert.equal(conf.disableWeakSsl, true)
  assert.equal(conf.debugMin, 2)
  assert.deepEqual(conf.warnings, [])
})

test("parseUpsdConf() expands LISTEN * to both IPv4 and IPv6", () => {
  assert.deepEqual(parseUpsdConf("LISTEN * 3493").server.listen, [
    { host: "0.0.0.0", port: 3493 },
    { host: "::", port: 3493 },
  ])
})

test("parseUpsdConf() names file, line and key of a bad value", () => {
  assert.throws(
    () => parseUpsdConf("LISTEN 127.0.0.1\n\nMAXAGE soon\n", "upsd.conf"),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      assert.equal(e.code, "CONFIG_INVALID")
      assert.equal(e.file, "upsd.conf")
      assert.equal(e.line, 3)
      assert.equal(e.key, "MAXAGE")
      assert.equal(e.expected, "a number of seconds")
      assert.equal(e.message, 'upsd.conf:3: MAXAGE expects a number of seconds, got "soon"')
      return true
    },
  )
})

test("parseUpsdConf() collects every bad line", () => {
  assert.throws(
    () => parseUpsdConf("MAXCONN lots\nLISTEN 0.0.0.0 http\nALLOW_NO_DEVICE maybe\nTRACKINGDELAY\n"),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.issues.map((i) => `${i.line} ${i.key}`).join(",") === "1 MAXCONN,2 LISTEN,3 ALLOW_NO_DEVICE,4 TRACKINGDELAY" &&
      e.message.endsWith("(and 3 more)"),
  )
})

test("parseUpsdConf() warns about NSS certificates, obsolete ACLs and unknown (lower-case) keywords", () => {
  const conf = parseUpsdConf("CERTPATH /etc/nut/cert\nCERTIDENT upsd pw\nACL all 0.0.0.0/0\nACCEPT all\nmaxage 5\n")
  assert.equal(conf.server.maxAge, 15)
  const messages = conf.warnings.map((w) => w.message)
  assert.equal(messages.length, 4)
  assert.match(messages[0] ?? "", /^upsd\.conf:1: CERTPATH .*use CERTFILE/)
  assert.match(messages[1] ?? "", /^upsd\.conf:3: ACL in upsd\.conf is no longer supported/)
  assert.match(messages[3] ?? "", /^upsd\.conf:5: invalid directive maxage 5$/)
  assert.ok(!messages.some((m) => m.includes(" pw")), "the NSS password never appears in a warning")
})

test("parseUpsdConf() refuses LISTEN host:port with the right spelling as a hint", () => {
  const cases: Array<[string, string]> = [
    ["LISTEN 127.0.0.1:24895", "LISTEN takes the port as a second word: LISTEN 127.0.0.1 24895"],
    ["LISTEN [::1]:3493", "LISTEN takes the port as a second word: LISTEN ::1 3493"],
    ["LISTEN nas.lan:3493 3493", "LISTEN takes the port as a second word: LISTEN nas.lan 3493"],
    ["LISTEN 10.0.0.256", 'LISTEN expects an IPv4 address of four numbers 0-255, got "10.0.0.256"'],
    ["LISTEN 10.1", 'LISTEN expects an IPv4 address of four numbers 0-255, got "10.1"'],
    ["LISTEN fd00::zz", 'LISTEN expects an IPv6 address, got "fd00::zz"'],
  ]
  for (const [line, message] of cases) {
    assert.throws(
      () => parseUpsdConf(`MAXAGE 15\n${line}\n`),
      (e: unknown) => e instanceof ConfigError && e.line === 2 && e.key === "LISTEN" && e.message === `upsd.conf:2: ${message}`,
      line,
    )
  }
})

test("parseUpsdConf() keeps host names, IPv6 with a zone and bracketed IPv6 in LISTEN", () => {
  const conf = parseUpsdConf("LISTEN localhost\nLISTEN nas.lan 13493\nLISTEN fe80::1%eth0\nLISTEN [::1] 3494\nLISTEN 10.0.0.255\n")
  assert.deepEqual(conf.server.listen, [
    { host: "localhost", port: 3493 },
    { host: "nas.lan", port: 13493 },
    { host: "fe80::1%eth0", port: 3493 },
    { host: "::1", port: 3494 },
    { host: "10.0.0.255", port: 3493 },
  ])
})

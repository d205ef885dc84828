import { test } from "node:test"
import assert from "node:assert/strict"
import { fixture } from "../../test/support/fixture.ts"
import { ConfigError } from "./errors.ts"
import { parseUpsConf } from "./ups-conf.ts"

test("parseUpsConf() reads the sandbox ups.conf with escaped quotes in desc", () => {
  const conf = parseUpsConf(fixture("nut-wire/sandbox-etc/ups.conf"), { baseDir: "/etc/nut" })
  assert.deepEqual(
    conf.ups.map((u) => [u.name, u.driver, u.port, u.desc]),
    [
      ["bvk", "dummy-ups", "bvk.dev", 'APC Back-UPS "BVK" #1'],
      ["flip", "dummy-ups", "flip.seq", undefined],
      ["nodrv", "dummy-ups", "none.dev", "never started"],
      ["crit", "dummy-ups", "crit.dev", "crit test"],
    ],
  )
  assert.equal(conf.ups[0]?.baseDir, "/etc/nut")
  assert.deepEqual(conf.warnings, [])
})

test("parseUpsConf() reads TrueNAS' ups.conf with its trailing tab-only line", () => {
  const conf = parseUpsConf(fixture("truenas/nut-etc-example/ups.conf"))
  assert.equal(conf.ups.length, 1)
  const { source, ...def } = conf.ups[0] ?? { source: undefined }
  assert.deepEqual(def, { name: "ups", driver: "usbhid-ups", port: "auto", desc: "APC Back-UPS BX1600MI", params: {}, baseDir: "." })
  assert.deepEqual(source, { file: "ups.conf", line: 1, portLine: 3 })
})

test("parseUpsConf() keeps globals apart and lower-cases driver options", () => {
  const conf = parseUpsConf("maxretry = 3\n[rack]\n driver=usbhid-ups\n port = auto\n VendorID = 051d\n pollonly\n")
  assert.deepEqual(conf.globals, { maxretry: "3" })
  assert.deepEqual(conf.ups[0]?.params, { vendorid: "051d", pollonly: "" })
})

test("parseUpsConf() ignores sections without driver or port, with a warning", () => {
  const conf = parseUpsConf("[a]\n driver = dummy-ups\n[b]\n port = x.dev\n[c]\n driver = dummy-ups\n port = c.dev\n", { file: "/etc/nut/ups.conf" })
  assert.deepEqual(conf.ups.map((u) => u.name), ["c"])
  assert.equal(conf.warnings.length, 2)
  assert.match(conf.warnings[0]?.message ?? "", /^\/etc\/nut\/ups\.conf:1: ignoring incomplete configuration for UPS \[a\]: no port$/)
  assert.equal(conf.warnings[1]?.line, 3)
})

test("parseUpsConf() merges repeated sections and refuses names that differ only in case", () => {
  const conf = parseUpsConf("[a]\n driver = dummy-ups\n[A]\n driver = dummy-ups\n port = A.dev\n[a]\n port = a.dev\n")
  assert.deepEqual(conf.ups.map((u) => [u.name, u.port]), [["a", "a.dev"]])
  assert.deepEqual(conf.ups[0]?.source, { file: "ups.conf", line: 1, portLine: 7 })
  assert.deepEqual(
    conf.warnings.map((w) => w.message),
    ["ups.conf:6: [a] is defined again (first on line 1); NUT merges the two, later keys win", "ups.conf:3: ignoring UPS [A]: name already in use by [a]"],
  )
})

test("parseUpsConf() refuses a section header without its ] instead of merging its lines into the previous UPS", () => {
  const text = "[rack]\n driver = dummy-ups\n port = rack.dev\n\n[office\n driver = dummy-ups\n port = office.dev\n"
  assert.throws(
    () => parseUpsConf(text, { file: "ups.conf" }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.issues.length === 1 &&
      e.code === "CONFIG_SYNTAX" &&
      e.line === 5 &&
      e.message === 'ups.conf:5: "[office" is not a section header (missing "]")',
  )
  assert.throws(() => parseUpsConf("[my ups]\n driver = dummy-ups\n port = a.dev\n"), /ups\.conf:1: "\[my ups\]" is not a section header \(a name cannot contain spaces\)/)
  assert.throws(() => parseUpsConf("[]\n driver = dummy-ups\n port = a.dev\n"), /ups\.conf:1: "\[\]" is a section header without a name/)
  assert.throws(() => parseUpsConf("[a]x\n driver = dummy-ups\n port = a.dev\n"), /ups\.conf:1: "\[a\]x" is not a section header \(text after "\]"\)/)
})

test("parseUpsConf() warns about a driver name that is neither nutctl's nor NUT's", () => {
  const conf = parseUpsConf("[rack]\n port = rack.dev\n driver = dumy-ups\n[snmp]\n driver = snmp-ups\n port = 10.0.0.5\n[d]\n driver = dummy\n port = d.dev\n")
  assert.deepEqual(conf.ups.map((u) => u.name), ["rack", "snmp", "d"])
  assert.equal(conf.warnings.length, 1)
  assert.equal(conf.warnings[0]?.line, 3)
  assert.match(conf.warnings[0]?.message ?? "", /^ups\.conf:3: driver dumy-ups is neither one nutctl runs itself \(dummy-ups, usbhid-ups\) nor a NUT driver name/)
})

test("parseUpsConf() reports a parse error with file and line", () => {
  assert.throws(
    () => parseUpsConf('[a]\n driver = dummy-ups\n desc = "a # b"\n', { file: "ups.conf" }),
    (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_SYNTAX" && e.line === 3 && e.message.startsWith("ups.conf:3: "),
  )
})

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
  assert.deepEqual(conf.ups[0], { name: "ups", driver: "usbhid-ups", port: "auto", desc: "APC Back-UPS BX1600MI", params: {}, baseDir: "." })
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
  assert.match(conf.warnings[0]?.message ?? "", /ignoring UPS \[A\]: name already in use by \[a\]/)
})

test("parseUpsConf() reports a parse error with file and line", () => {
  assert.throws(
    () => parseUpsConf('[a]\n driver = dummy-ups\n desc = "a # b"\n', { file: "ups.conf" }),
    (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_SYNTAX" && e.line === 3 && e.message.startsWith("ups.conf:3: "),
  )
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { checkDriverOptions } from "./driver-options.ts"

test("checkDriverOptions() reports every value usbhid-ups' own parser refuses", () => {
  const r = checkDriverOptions("usbhid-ups", "auto", { pollinterval: "fast", pollfreq: "0", vendorid: "05[1d", serial: "X1" })
  assert.deepEqual(r.problems, [
    { option: "pollfreq", value: "0", expected: "a whole number ≥ 1" },
    { option: "pollinterval", value: "fast", expected: "a whole number ≥ 1" },
    { option: "vendorid", value: "05[1d", expected: "a valid regular expression" },
  ])
  assert.deepEqual(r.unknown, [])
  assert.deepEqual(checkDriverOptions("usbhid-ups", "auto", { pollinterval: "2", pollonly: "true" }), { problems: [], unknown: [] })
})

test("checkDriverOptions() names options the driver does not know, keeping generic, override. and default. keys", () => {
  const r = checkDriverOptions("usbhid-ups", "auto", { pollintervall: "2", prot: "x", sdorder: "1", "override.battery.charge.low": "30", "default.ups.delay.shutdown": "60", sdcommands: "shutdown.return" })
  assert.deepEqual(r.unknown, ["pollintervall", "prot"])
  assert.deepEqual(checkDriverOptions("dummy-ups", "a.dev", { mode: "dummy-once", vendorid: "x" }).unknown, ["vendorid"])
})

test("checkDriverOptions() checks dummy-ups' mode and every driver's pollinterval", () => {
  assert.deepEqual(checkDriverOptions("dummy-ups", "a.dev", { mode: "loop", pollinterval: "0" }).problems, [
    { option: "pollinterval", value: "0", expected: "a whole number ≥ 1" },
    { option: "mode", value: "loop", expected: "one of dummy, dummy-once, dummy-loop, repeater" },
  ])
  assert.deepEqual(checkDriverOptions("upstream", "rack@nas", { pollinterval: "1.5" }).problems, [{ option: "pollinterval", value: "1.5", expected: "a whole number ≥ 1" }])
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { parseUsbHidOptions, UsbHidOptionError } from "./options.ts"

test("parseUsbHidOptions() reads usbhid-ups' ups.conf options", () => {
  const o = parseUsbHidOptions("auto", {
    vendorid: "051d", serial: "9B22.*", pollinterval: "5", pollfreq: "60", pollonly: "", onlinedischarge: "",
    lbrb_log_delay_sec: "4", lbrb_log_delay_without_calibrating: "", offdelay: "60", interrupt_pipe_no_events_tolerance: "10",
  })
  assert.deepEqual(o.criteria, { vendorid: "051d", serial: "9B22.*" })
  assert.deepEqual([o.pollinterval, o.pollfreq, o.pollonly, o.onlineDischarge, o.lbrbDelaySec, o.lbrbWithoutCalibrating, o.offdelay, o.interruptTolerance], [5, 60, true, "onbattery", 4, true, 60, 10])
  const d = parseUsbHidOptions("", {})
  assert.deepEqual([d.port, d.pollinterval, d.pollfreq, d.pollonly, d.onlineDischarge, d.interruptTolerance], ["auto", 2, undefined, false, undefined, -1])
  assert.equal(parseUsbHidOptions("auto", { onlinedischarge_calibration: "" }).onlineDischarge, "calibration")
  // nutctl YAML writes flags as booleans
  assert.equal(parseUsbHidOptions("auto", { pollonly: "false" }).pollonly, false)
  assert.throws(() => parseUsbHidOptions("auto", { pollinterval: "0" }), UsbHidOptionError)
  assert.throws(() => parseUsbHidOptions("auto", { pollfreq: "fast" }), /pollfreq/)
})

// UsbHidDriver runtime on a fake device and a manual clock: interrupt latency, polling cadence,
// unplug/replug, hung devices, garbage reports and the BX LB/RB debounce.
import assert from "node:assert/strict"
import { test } from "node:test"
import { UpsState } from "../../ups/index.ts"
import { createDriver, DriverCapabilityError, type DriverSpec } from "../registry.ts"
import { hex } from "../../../test/support/fake-hid.ts"
import { descriptorOf, featureAnswers, startHarness, type HarnessOptions } from "../../../test/support/usbhid-harness.ts"
import { UsbHidDriver } from "./usbhid-driver.ts"

const BX1600MI: HarnessOptions = {
  info: { vendorId: 0x051d, productId: 0x0002, manufacturer: "American Power Conversion", product: "Back-UPS BX1600MI FW:294201G -302201G", serial: "9B2206A00000", path: "/dev/hidraw0" },
  descriptor: descriptorOf("hid/apc-back-ups-bk650m2-ch.rdesc.hex"),
  // the BK650M2-CH answers, on line and not discharging (the BX1600MI's `16 0c 00`, nut#1208)
  feature: new Map([...featureAnswers("hid/apc-back-ups-bk650m2-ch.reports.txt"), [0x16, hex("16 0c 00")]]),
  strings: { 4: "PbAc" },
}

test("an interrupt report OL → OB reaches ups.status at once, without waiting for a poll", async () => {
  const h = await startHarness(BX1600MI)
  assert.equal(h.state.value("ups.status"), "OL")
  const gets = h.device.gets.length
  h.device.push("16 0a 00") // Discharging + BatteryPresent, no ACPresent
  await h.settle()
  assert.equal(h.state.value("ups.status"), "OB DISCHRG")
  assert.equal(h.device.gets.length, gets, "no GET_REPORT was needed")
  h.device.push("0c 5f") // charge 95 %
  await h.settle()
  assert.equal(h.state.value("battery.charge"), "95")
  h.device.push("16 0c 00")
  await h.settle()
  assert.equal(h.state.value("ups.status"), "OL")
  await h.stop()
})

test("UsbHidDriver polls status every pollinterval and everything every pollfreq", async () => {
  const h = await startHarness({ ...BX1600MI, params: { pollonly: "" } })
  // quick-poll rows: ACPresent 0x13, BelowRemainingCapacityLimit 0x14, the 0x16 flags, timers 0x15/0x40
  const quick = [0x13, 0x14, 0x15, 0x16, 0x40]
  h.device.gets.length = 0
  h.device.setFeature("16 0a 00")
  await h.advance(1999)
  assert.equal(h.state.value("ups.status"), "OL", "nothing before pollinterval")
  await h.advance(1)
  assert.equal(h.state.value("ups.status"), "OB DISCHRG")
  assert.deepEqual(h.device.gets, quick)
  await h.advance(2000)
  assert.deepEqual(h.device.gets, [...quick, ...quick])
  await h.advance(26_000)
  assert.equal(h.state.value("driver.parameter.pollfreq"), "30")
  assert.ok(h.device.gets.includes(0x52), "full poll after pollfreq")
  assert.equal(h.state.value("driver.flag.pollonly"), "enabled")
  await h.stop()
})

test("unplugging makes the data stale without inventing a status; replugging recovers by itself", async () => {
  const h = await startHarness(BX1600MI)
  const before = h.vars()
  h.device.unplug()
  await h.settle()
  assert.equal(h.state.availability(), "stale")
  assert.deepEqual(h.vars(), before, "no variable changed, no OB or LB made up")
  assert.ok(h.logs.some((l) => l.includes("Lost the UPS")))
  await h.advance(10_000)
  assert.equal(h.state.availability(), "stale", "still gone")
  h.device.setFeature("16 0a 00") // it comes back on battery
  h.device.replug()
  await h.advance(2000)
  assert.equal(h.state.availability(), "ok")
  assert.equal(h.state.value("ups.status"), "OB DISCHRG")
  assert.equal(h.device.opens, 2)
  await h.stop()
})

test("a hung device (requests never answered) goes stale after the request deadline and recovers", async () => {
  const h = await startHarness({ ...BX1600MI, requestTimeoutMs: 5000 })
  h.device.hang()
  await h.advance(2000) // quick poll starts and hangs
  assert.equal(h.state.availability(), "ok")
  await h.advance(5000)
  assert.equal(h.state.availability(), "stale")
  assert.equal(h.state.value("ups.status"), "OL", "last known status kept, nothing invented")
  h.device.replug() // un-hangs
  await h.advance(2000)
  assert.equal(h.state.availability(), "ok")
  await h.stop()
})

test("interrupt_pipe_no_events_tolerance reconnects a device that stopped sending events (nut#2644)", async () => {
  const h = await startHarness({ ...BX1600MI, params: { interrupt_pipe_no_events_tolerance: "2" } })
  await h.advance(6000) // three empty 2 s waits in a row
  assert.ok(h.logs.some((l) => l.includes("No interrupt report 3 times in a row")))
  await h.advance(2000)
  assert.equal(h.device.opens, 2)
  assert.equal(h.state.availability(), "ok")
  await h.stop()
})

test("garbage and short interrupt reports are logged once and never become a status flag", async () => {
  const h = await startHarness(BX1600MI)
  const garbage = ["99 ff ff", "", "16", "21 09", "99 ff ff", "16", "21 09"]
  for (const report of garbage) h.device.push(report === "" ? new Uint8Array(0) : report)
  await h.settle()
  assert.equal(h.state.value("ups.status"), "OL")
  assert.equal(h.state.value("ups.test.result"), "Done and passed")
  const warnings = h.logs.filter((l) => l.startsWith("warn: Ignoring"))
  assert.equal(warnings.length, 4, warnings.join("\n"))
  assert.ok(warnings.some((w) => w.includes("interrupt report 0x99")))
  assert.ok(warnings.some((w) => w.includes("empty interrupt report")))
  assert.ok(warnings.some((w) => w.includes("PresentStatus") && w.includes("too short")))
  assert.ok(warnings.some((w) => w.includes("UPS.Battery.Test") && w.includes("outside 0..6")))
  // a 512-byte transfer with a garbage tail (NUT 2.8.0 on libusb-1.0) still decodes its real bytes
  const long = new Uint8Array(512).fill(0xff)
  long.set([0x16, 0x0a, 0x00])
  h.device.push(long)
  await h.settle()
  assert.equal(h.state.value("ups.status"), "OB DISCHRG")
  assert.ok(h.logs.some((l) => l.includes("expected 5 bytes, but got 512")))
  await h.stop()
})

test("the BX LB/RB debounce hides a 2 s flap and publishes a condition that lasts (nut#2347)", async () => {
  const h = await startHarness(BX1600MI)
  // the flap: RB + LB for 2 s, then all clear
  h.device.push("16 4c 00") // ACPresent + BatteryPresent + NeedReplacement
  h.device.push("14 01") // BelowRemainingCapacityLimit
  await h.settle()
  assert.equal(h.state.value("ups.status"), "OL")
  await h.clock.advance(1000)
  h.device.push("16 0c 00")
  h.device.push("14 00")
  await h.advance(5000)
  assert.equal(h.state.value("ups.status"), "OL")
  assert.equal(h.state.value("ups.alarm"), undefined)
  // the real thing: NeedReplacement stays
  h.device.setFeature("16 4c 00")
  h.device.push("16 4c 00")
  await h.settle()
  assert.equal(h.state.value("ups.status"), "OL")
  await h.advance(3000)
  assert.equal(h.state.value("ups.status"), "OL")
  await h.advance(1)
  assert.equal(h.state.value("ups.status"), "ALARM OL RB")
  assert.equal(h.state.value("ups.alarm"), "Replace battery!")
  // on battery, low battery is published at once
  h.device.push("16 4a 00")
  h.device.push("14 01")
  await h.settle()
  assert.equal(h.state.value("ups.status"), "ALARM OB DISCHRG LB RB")
  await h.stop()
})

test("onlinedischarge_onbattery turns the BK650M2's OL+DISCHRG into OB (nut#1970)", async () => {
  const feature = new Map(BX1600MI.feature)
  feature.set(0x16, hex("16 0e 00"))
  const h = await startHarness({ ...BX1600MI, feature, params: { onlinedischarge_onbattery: "" } })
  assert.equal(h.state.value("ups.status"), "OB DISCHRG")
  await h.stop()
  const cal = await startHarness({ ...BX1600MI, feature, params: { onlinedischarge_calibration: "" } })
  assert.equal(cal.state.value("ups.status"), "OL DISCHRG CAL")
  await cal.stop()
})

test("a UPS missing at start is waited for; until then the UPS is not connected", async () => {
  const h = await startHarness({ ...BX1600MI, start: false })
  h.device.unplug()
  const state = new UpsState({ now: () => h.clock.now() })
  const abort = new AbortController()
  const running = h.driver.start(state, abort.signal)
  await h.settle()
  assert.equal(state.availability(), "not-connected")
  assert.ok(h.logs.some((l) => l.includes("Cannot find a HID UPS")))
  h.device.replug()
  await h.advance(2000)
  assert.equal(state.availability(), "ok")
  assert.equal(await h.driver.instcmd("beeper.enable"), "SUCCESS")
  abort.abort()
  await running
  assert.equal(state.availability(), "not-connected")
})

test("UsbHidDriver picks the device ups.conf selects and skips HID devices that are no UPS", async () => {
  const keyboard = await startHarness({
    info: { vendorId: 0x046d, productId: 0xc31c, product: "USB Keyboard", path: "/dev/hidraw9" },
    // Usage Page Generic Desktop, Usage Keyboard, Application collection, one Input byte
    descriptor: hex("05 01 09 06 a1 01 75 08 95 01 81 02 c0"),
  })
  assert.equal(keyboard.state.availability(), "not-connected")
  await keyboard.stop()
  const wrongSerial = await startHarness({ ...BX1600MI, params: { vendorid: "051D", serial: "OTHER.*" } })
  assert.equal(wrongSerial.state.availability(), "not-connected")
  await wrongSerial.stop()
  const right = await startHarness({ ...BX1600MI, params: { vendorid: "051D", productid: "0002", serial: "9B22.*", vendor: "american.*" } })
  assert.equal(right.state.availability(), "ok")
  await right.stop()
  const otherPort = await startHarness({ ...BX1600MI, port: "sim:bx1600mi" })
  assert.equal(otherPort.state.availability(), "not-connected", "a sim: port only matches that device")
  await otherPort.stop()
})

test("override.* and default.* ups.conf keys set variables like NUT's driver core", async () => {
  const h = await startHarness({ ...BX1600MI, params: { "override.battery.charge.low": "25", "default.ups.id": "rack" } })
  assert.equal(h.state.value("battery.charge.low"), "25")
  assert.equal(h.state.value("ups.id"), "rack")
  assert.equal(await h.driver.setvar("battery.charge.low", "30"), "INVALID-ARGUMENT")
  await h.stop()
})

test("createDriver() builds usbhid-ups on the HID opener it is given", () => {
  const spec: DriverSpec = { name: "rack", driver: "usbhid-ups", port: "sim:bx1600mi", params: { vendorid: "051d" }, baseDir: "/etc/nut" }
  const log = { info: () => undefined, warn: () => undefined }
  const seen: string[] = []
  const opener = { list: async () => [], open: async () => Promise.reject(new Error("unused")) }
  const driver = createDriver({ ...spec, driver: "usbhid" }, log, {
    hidOpener: (s) => {
      seen.push(s.port)
      return opener
    },
  })
  assert.ok(driver instanceof UsbHidDriver)
  assert.equal(driver.name, "usbhid-ups")
  assert.deepEqual(seen, ["sim:bx1600mi"])
  assert.throws(() => createDriver(spec, log), DriverCapabilityError)
  assert.throws(() => createDriver({ ...spec, params: { pollinterval: "soon" } }, log, { hidOpener: opener }), /pollinterval/)
})

test("SET VAR refuses a value past the field's bits even when the descriptor's range allows it (the UPS would get it wrapped)", async () => {
  const h = await startHarness(BX1600MI)
  // the BX1600MI declares RemainingCapacityLimit 1..65535 in an 8-bit field: 300 would arrive as 44
  assert.equal(await h.driver.setvar("battery.charge.low", "300"), "INVALID-ARGUMENT")
  assert.equal(await h.driver.setvar("battery.charge.low", "256"), "INVALID-ARGUMENT")
  assert.deepEqual(h.device.writes, [], "nothing was written")
  assert.equal(await h.driver.setvar("battery.charge.low", "255"), "SUCCESS")
  assert.deepEqual(h.device.writes.map((w) => Array.from(w)), [[0x11, 255]])
  await h.stop()
})

test("lowbatt, offdelay and ondelay set the published values, not the UPS (like usbhid-ups)", async () => {
  const h = await startHarness({ ...BX1600MI, params: { lowbatt: "30", offdelay: "45", ondelay: "90" } })
  assert.equal(h.state.value("battery.charge.low"), "30")
  assert.equal(h.state.value("ups.delay.shutdown"), "45")
  assert.equal(h.state.value("ups.delay.start"), undefined, "the BX has no DelayBeforeStartup")
  assert.deepEqual(h.device.writes, [])
  await h.advance(30_000) // a full poll reads the UPS's 50 %, the published value stays
  assert.equal(h.state.value("battery.charge.low"), "30")
  assert.equal(await h.driver.setvar("battery.charge.low", "20"), "SUCCESS")
  assert.equal(h.state.value("battery.charge.low"), "20")
  assert.equal(await h.driver.instcmd("load.off.delay"), "SUCCESS")
  assert.deepEqual(h.device.writes.map((w) => Array.from(w)), [[0x11, 20], [0x15, 45, 0]])
  await h.stop()
})

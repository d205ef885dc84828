// The generic HID Power Device table on the Arduino HIDPowerDevice descriptor (what NUT's
// arduino-hid targets): one field per report id, PresentStatus bits in id 0x07.
import assert from "node:assert/strict"
import { test } from "node:test"
import { hex, toHex } from "../../../../test/support/fake-hid.ts"
import { descriptorOf, startHarness } from "../../../../test/support/usbhid-harness.ts"
import { chooseSubdriver } from "./index.ts"

// The fixture has no report values: a charging Arduino UPS, in the descriptor's layout
const FEATURE = new Map(
  [
    "01 02", "02 03", "03 01", "06 01", "1f 04", "20 05", "16 02", "10 01", "18 01", "0e 64", "17 64",
    "0c 64", // 100 %
    "0d 20 1c", // 7200 s
    "08 58 02", // RemainingTimeLimit 600 s (range 120..1380)
    "0f 14", "11 0a", // warning 20 %, low 10 %
    "09 21 50", // (2020 − 1980) × 512 + 1 × 32 + 1
    "0a b0 04", "0b 3c 05", // 12.00 V nominal, 13.40 V (volt, exponent 5)
    "12 ff ff", "13 ff ff", // no shutdown / reboot pending
    "14 02", // beeper enabled
    "07 0d 00", // Charging + ACPresent + BatteryPresent
    "1a 10 0e", "1c 20 1c",
  ].map((h) => [hex(h)[0] ?? 0, hex(h)] as const),
)

const ARDUINO = {
  info: { vendorId: 0x2341, productId: 0x8036, manufacturer: "Arduino LLC", product: "Arduino Leonardo", serial: "UPS10", path: "/dev/hidraw3" },
  descriptor: descriptorOf("hid/arduino-hidpowerdevice.rdesc.hex"),
  feature: FEATURE,
  strings: { 1: "Arduino LLC", 2: "Arduino UPS", 3: "UPS10", 4: "LiP", 5: "ARDUINO" },
}

test("chooseSubdriver() falls back to the generic table for an unknown vendor", () => {
  assert.equal(chooseSubdriver(ARDUINO.info)?.name, "generic")
  assert.equal(chooseSubdriver({ ...ARDUINO.info, vendorId: 0x051d })?.name, "apc")
  assert.equal(chooseSubdriver({ ...ARDUINO.info, vendorId: 0x0764, productId: 0x0501 })?.name, "cyberpower")
  assert.equal(chooseSubdriver({ ...ARDUINO.info, vendorId: 0x0463, productId: 0xffff })?.name, "eaton")
  assert.equal(chooseSubdriver(ARDUINO.info, "APC HID.*")?.name, "apc")
  assert.equal(chooseSubdriver(ARDUINO.info, "cyberpower")?.name, "cyberpower")
  assert.equal(chooseSubdriver(ARDUINO.info, "nosuch"), undefined)
})

test("UsbHidDriver maps the Arduino HIDPowerDevice with the generic Power Device table", async () => {
  const h = await startHarness(ARDUINO)
  const vars = Object.fromEntries([...h.vars()].filter(([k]) => !k.startsWith("driver.")))
  assert.deepEqual(vars, {
    "battery.charge": "100",
    "battery.charge.low": "10",
    "battery.charge.warning": "20",
    "battery.mfr.date": "2020/01/01",
    "battery.runtime": "7200",
    "battery.runtime.low": "600",
    "battery.type": "LiP",
    "battery.voltage": "13.4",
    "battery.voltage.nominal": "12.0",
    "device.mfr": "Arduino LLC",
    "device.model": "Arduino Leonardo",
    "device.serial": "UPS10",
    "device.type": "ups",
    "ups.beeper.status": "enabled",
    "ups.delay.shutdown": "20",
    "ups.mfr": "Arduino LLC",
    "ups.model": "Arduino Leonardo",
    "ups.productid": "8036",
    "ups.serial": "UPS10",
    "ups.status": "OL CHRG",
    "ups.timer.reboot": "-1",
    "ups.timer.shutdown": "-1",
    "ups.vendorid": "2341",
  })
  assert.equal(h.state.value("driver.version.data"), "Generic HID nutctl")
  assert.deepEqual(h.state.commands(), ["beeper.disable", "beeper.enable", "beeper.mute", "load.off", "load.off.delay", "shutdown.reboot", "shutdown.stop"])
  // the Arduino declares its values Constant (`b1 a3`); NUT still writes them, and so do we
  assert.equal(await h.driver.setvar("battery.runtime.low", "300"), "SUCCESS")
  assert.equal(await h.driver.setvar("battery.runtime.low", "60"), "INVALID-ARGUMENT") // range 120..1380
  assert.equal(await h.driver.instcmd("shutdown.stop"), "SUCCESS")
  assert.deepEqual(h.device.writes.map(toHex), ["08 2c 01", "12 ff ff"])
  // interrupt: mains lost
  h.device.push("07 0a 00")
  await h.settle()
  assert.equal(h.state.value("ups.status"), "OB DISCHRG")
  await h.stop()
})

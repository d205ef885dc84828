// Eaton/MGE table on the PowerWalker VI 2200 SH (Phoenixtec 06da:ffff, MGE-style indexed paths).
// The fixture has NUT 2.7.4's decoded path lines but no descriptor: test/support/hid-synth-descriptor.ts
// rebuilds one with the same report ids, offsets, sizes and values.
import assert from "node:assert/strict"
import { test } from "node:test"
import { MGE_USAGE_NAMES } from "../../../hid/index.ts"
import { compareVariables, devVariables } from "../../../../test/support/dev-vars.ts"
import { toHex } from "../../../../test/support/fake-hid.ts"
import { fixture } from "../../../../test/support/fixture.ts"
import { synthesizeDevice } from "../../../../test/support/hid-synth-descriptor.ts"
import { pathRecords, startHarness, type Harness } from "../../../../test/support/usbhid-harness.ts"

async function powerwalker(): Promise<Harness> {
  const { descriptor, feature } = synthesizeDevice(pathRecords("hid/phoenixtec-powerwalker-vi2200sh.reports.txt"), MGE_USAGE_NAMES)
  return startHarness({
    // the USB strings of the dump ("000000000   " with its blanks, as the log shows it)
    info: { vendorId: 0x06da, productId: 0xffff, manufacturer: "PPC", product: "Offline UPS", serial: "000000000", release: 0x0003, bus: "001", path: "/dev/hidraw2" },
    descriptor,
    feature,
    // iDeviceChemistry = 5 in the explore dump, battery.type PbAc in its upsc listing
    strings: { 5: "PbAc" },
  })
}

test("UsbHidDriver publishes what NUT published for the PowerWalker VI 2200 SH (nut-ddl dump), and more", async () => {
  const h = await powerwalker()
  const nut = devVariables(fixture("nut-ddl/PowerWalker__VI_2200_SH__usbhid-ups__2.7.4__01.dev"))
  const differences = {
    // NUT bug: its 2.7.4 Phoenixtec/Liebert table printed UPS.PowerSummary.Voltage without the
    // decimal the device sends (27.1 in the same dump's explore lines); MGE's table prints "%.1f"
    "battery.voltage": "27.1 (NUT 2.7.4: 27)",
    "driver.version": "nutctl's version", "driver.version.internal": "nutctl's version",
    "driver.version.data": "MGE HID nutctl: the Eaton/MGE table (newer NUT picks mge-hid for 06da:ffff too); NUT 2.7.4 used Phoenixtec/Liebert HID 0.3",
    "driver.parameter.synchronous": "nutctl says auto (2.7.4: no)",
    // what the richer MGE table maps and the 2.7.4 Liebert table did not (the dump's comment
    // complains exactly that input/output voltage, frequency and settings were missing)
    "input.voltage": "241.0", "output.voltage": "240.0", "output.frequency": "50.0",
    "output.voltage.nominal": "230", "output.frequency.nominal": "50",
    // NUT's mge-hid would publish the same 9: the firmware's UPS.Flow.[4].ConfigApparentPower is not in VA
    "ups.power.nominal": "9",
    "ups.beeper.status": "enabled", "ups.test.result": "No test initiated",
    "ups.delay.shutdown": "20", "ups.delay.start": "30", "ups.timer.shutdown": "-1", "ups.timer.start": "-1",
  }
  assert.deepEqual(compareVariables(nut, h.vars(), differences), [])
  for (const [name, value] of Object.entries(differences)) {
    if (/^[-\d.]+$|^[a-zA-Z ]+$/.test(value) && !name.startsWith("driver.")) assert.equal(h.state.value(name), value, name)
  }
  assert.equal(h.state.value("battery.voltage"), "27.1")
  assert.equal(h.state.value("ups.status"), "OL CHRG")
  await h.stop()
})

test("UsbHidDriver takes the PowerWalker's runtime from its interrupt reports (id 0x06)", async () => {
  const h = await powerwalker()
  // 2.7.4 logged `Path: UPS.PowerSummary.RunTimeToEmpty, Type: Input, ReportID: 0x06, … Value: 3359`
  h.device.push(Uint8Array.of(0x06, 100, 3359 & 0xff, 3359 >> 8))
  await h.settle()
  assert.equal(h.state.value("battery.runtime"), "3359")
  await h.stop()
})

test("Eaton/MGE commands write the PowerSummary delays and the BatterySystem test", async () => {
  const h = await powerwalker()
  for (const [command, bytes] of [
    ["test.battery.start.quick", "24 01"],
    ["beeper.disable", "13 01"],
    ["load.off.delay", "09 14 00 00 00"],
    ["shutdown.stop", "09 ff ff ff ff"],
    ["load.on.delay", "0a 1e 00 00 00"],
  ] as const) {
    const before = h.device.writes.length
    assert.equal(await h.driver.instcmd(command), "SUCCESS", command)
    assert.deepEqual(h.device.writes.slice(before).map(toHex), [bytes], command)
  }
  assert.ok(h.state.commands().includes("shutdown.return"))
  await h.stop()
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { describeType } from "../../../ups/index.ts"
import { VERSION } from "../../../version.ts"
import { compareVariables, devVariables } from "../../../../test/support/dev-vars.ts"
import { fixture } from "../../../../test/support/fixture.ts"
import { descriptorOf, featureAnswers, startHarness, type Harness } from "../../../../test/support/usbhid-harness.ts"
import { identifyApc, isBxFamily } from "./apc.ts"

const BK650M2 = {
  info: {
    vendorId: 0x051d,
    productId: 0x0002,
    manufacturer: "American Power Conversion",
    product: "BK650M2-CH",
    serial: "9B2019A14274",
    release: 0x0106,
    bus: "001",
    path: "/dev/hidraw0",
  },
  descriptor: descriptorOf("hid/apc-back-ups-bk650m2-ch.rdesc.hex"),
  feature: featureAnswers("hid/apc-back-ups-bk650m2-ch.reports.txt"),
  // string indexes the descriptor's i* reports point at (ids 0x01–0x04, 0x0a): the USB strings of
  // the same dump (iManufacturer 1, iProduct 2, iSerial 3) and battery.type "PbAc" of its upsc listing
  strings: { 1: "American Power Conversion", 2: "BK650M2-CH", 3: "9B2019A14274", 4: "PbAc" },
  // the ups.conf section of the dump (its driver.parameter.* lines)
  params: { bus: "001", pollfreq: "40", pollinterval: "10", product: "BK650M2-CH", productid: "0002", serial: "9B2019A14274", vendor: "American Power Conversion", vendorid: "051D" },
}

/** Where NUT 2.8.0's published values and ours differ on purpose or for a reason outside the driver. */
const BK650M2_DIFFERENCES = {
  "driver.version": "nutctl publishes its own version (\"nutctl <version>\") where NUT says 2.8.0",
  "driver.version.internal": "nutctl's version where NUT gives usbhid-ups' own (0.47)",
  "driver.version.data": "\"APC HID nutctl\": the subdriver title with nutctl in place of NUT's version (0.98)",
  "driver.version.usb": "NUT's libusb version; nutctl does not use libusb",
  "ups.load": "the upsc listing (5) and the explore dump (report 0x50 = 00) were taken at different times; the report bytes say 0",
  "ups.serial": "masked as xxxx in the reporter's upsc listing; device.serial and the USB descriptor of the same dump give 9B2019A14274",
}

async function bk650m2(extra: Partial<Parameters<typeof startHarness>[0]> = {}): Promise<Harness> {
  return startHarness({ ...BK650M2, ...extra })
}

test("UsbHidDriver publishes what NUT 2.8.0 published for the APC BK650M2-CH (nut-ddl dump)", async () => {
  const h = await bk650m2()
  const nut = devVariables(fixture("nut-ddl/APC__Back-UPS_BK650M2-CH__usbhid-ups__2.8.0__01.dev"))
  assert.deepEqual(compareVariables(nut, h.vars(), BK650M2_DIFFERENCES), [])
  assert.equal(h.state.value("ups.status"), "OL DISCHRG")
  assert.equal(h.state.value("ups.load"), "0")
  assert.equal(h.state.value("driver.version"), `nutctl ${VERSION}`)
  assert.equal(h.state.value("driver.version.data"), "APC HID nutctl")
  assert.equal(h.state.availability(), "ok")
  // the OL+DISCHRG firmware quirk (nut#1970) is reported, once
  assert.equal(h.logs.filter((l) => l.includes("OL and DISCHRG")).length, 1)
  await h.stop()
})

test("UsbHidDriver types the APC writable variables RW STRING:10 like usbhid-ups", async () => {
  const h = await bk650m2()
  const rw = h.state.variables().filter((v) => v.rw).map((v) => `${v.name} ${describeType(v)}`)
  // the same list and types as NUT 2.8.0's upsrw on a Back-UPS ES 850G2 (nut-ddl), same table
  assert.deepEqual(rw, [
    "battery.charge.low RW STRING:10",
    "battery.mfr.date RW STRING:10",
    "battery.runtime.low RW STRING:10",
    "input.sensitivity RW STRING:10",
    "input.transfer.high RW STRING:10",
    "input.transfer.low RW STRING:10",
    "ups.delay.shutdown RW STRING:10",
  ])
  await h.stop()
})

test("UsbHidDriver offers NUT 2.8.0's APC Back-UPS commands plus the working shutdown.return", async () => {
  const h = await bk650m2()
  assert.deepEqual(h.state.commands(), [
    "beeper.disable",
    "beeper.enable",
    "beeper.mute",
    "beeper.off",
    "beeper.on",
    "load.off",
    "load.off.delay",
    // not in NUT 2.8.0 (no load.on.delay to build it from); NUT PR #3566 added it for BX units
    "shutdown.reboot",
    "shutdown.return",
    "shutdown.stop",
    "test.battery.start.deep",
    "test.battery.start.quick",
    "test.battery.stop",
  ])
  await h.stop()
})

test("UsbHidDriver reads the BX1600MI report fragments (nut#1208, nut#2347) as OL", async () => {
  const feature = new Map(BK650M2.feature)
  for (const [id, bytes] of [
    [0x02, "02 03"],
    [0x03, "03 04"],
    [0x13, "13 01"],
    [0x14, "14 00"],
    [0x15, "15 ff ff"],
    [0x16, "16 0c 00"],
  ] as const) {
    feature.set(id, Uint8Array.from(bytes.split(" "), (b) => Number.parseInt(b, 16)))
  }
  const h = await startHarness({
    ...BK650M2,
    info: { ...BK650M2.info, product: "Back-UPS BX1600MI FW:294201G -302201G", serial: "9B2206A00000" },
    feature,
    params: { vendorid: "051d" },
  })
  assert.equal(h.state.value("ups.status"), "OL")
  assert.equal(h.state.value("ups.model"), "Back-UPS BX1600MI")
  assert.equal(h.state.value("ups.firmware"), "294201G -302201G")
  assert.equal(h.state.value("ups.timer.shutdown"), "-1")
  // the interrupt report arrives as 3 of 5 declared bytes (fragment of nut#2347): no complaint, no change
  h.device.push("16 0c 00")
  await h.settle()
  assert.equal(h.state.value("ups.status"), "OL")
  assert.deepEqual(h.logs.filter((l) => l.startsWith("warn")), [])
  await h.stop()
})

test("identifyApc() splits iProduct into model, firmware and USB firmware like apc_format_model()", () => {
  const bx = identifyApc({ vendorId: 0x051d, productId: 2, path: "x", product: "Back-UPS BX1600MI FW:294201G -302201G" })
  assert.deepEqual([bx.model, bx.firmware, bx.firmwareAux, bx.mfr], ["Back-UPS BX1600MI", "294201G -302201G", undefined, "APC"])
  // nut-ddl Back-UPS ES 850G2 (2.8.0): ups.firmware "938.a2 .I", ups.firmware.aux "a2 " (trailing blank kept)
  const es = identifyApc({ vendorId: 0x051d, productId: 2, path: "x", manufacturer: "American Power Conversion", product: "Back-UPS ES 850G2 FW:938.a2 .I USB FW:a2 " })
  assert.deepEqual([es.model, es.firmware, es.firmwareAux, es.mfr], ["Back-UPS ES 850G2", "938.a2 .I", "a2 ", "American Power Conversion"])
  assert.equal(identifyApc({ vendorId: 0x051d, productId: 2, path: "x", product: "BK650M2-CH" }).model, "BK650M2-CH")
})

test("isBxFamily() knows the BX/BVK/BK-CH models that flap LB/RB (nut#2347)", () => {
  for (const model of ["Back-UPS BX1600MI", "Back-UPS BX950MI-GR", "BK650M2-CH", "Back-UPS BVK750M2 ", "BX2200MI"]) assert.ok(isBxFamily(model), model)
  for (const model of ["Back-UPS ES 850G2", "Back-UPS RS 1500", "Smart-UPS 1500", "Back-UPS BX1400U"]) assert.ok(!isBxFamily(model), model)
})

// CyberPower on the CST135UC2 descriptor (0764:0601) and the CP850PFCLCD / CP900EPFCLCD interrupt
// samples (0764:0501), decoded with that descriptor as fixtures/hid/README.md says.
import assert from "node:assert/strict"
import { test } from "node:test"
import { compareVariables, devVariables } from "../../../../test/support/dev-vars.ts"
import { hex, toHex } from "../../../../test/support/fake-hid.ts"
import { fixture } from "../../../../test/support/fixture.ts"
import { descriptorOf, startHarness, type Harness } from "../../../../test/support/usbhid-harness.ts"

const CST135UC2 = descriptorOf("hid/cyberpower-cst135uc2.rdesc.hex")

/** GET answers for a 120 V 1500 VA unit in the CST135UC2 layout (no fixture has CyberPower GET bytes). */
const FEATURE = new Map(
  [
    "01 02", "02 03", "03 04", "04 05", "0d 01", "1b 06",
    "07 64 01 01 14 0a 64", // design 100, granularity 1/1, warning 20 %, low 10 %, full 100
    "08 64 be 05 2c 01", // sample A.idle.full.1: 100 %, 1470 s, limit 300 s
    "09 f0 00", "0a f0 00", // battery 24.0 V nominal / now (exponent 6: 0.1 V)
    "0b 11", "0c 02", // on line + fully charged; beeper enabled
    "0e 78", "0f 74 00", // input 120 V nominal, 116 V
    "10 64 00 8c 00", // transfer low 100 V / high 140 V
    "12 78 00", "13 19", "14 01", // output 120 V, load 25 %, test "Done and passed"
    "15 ff ff", "16 ff ff", "17 00", // no shutdown / startup pending (−1 min = −60 s)
    "18 84 03 dc 05", "19 e1 00", "1d 2c 01", "1a 01",
  ].map((h) => [hex(h)[0] ?? 0, hex(h)] as const),
)
const STRINGS = { 1: "CPS", 2: "CP1500PFCLCD", 3: "000000000000", 4: "PbAcid", 5: "CPS", 6: "CR01505BG2" }

async function cps(productId = 0x0601, feature: ReadonlyMap<number, Uint8Array> = FEATURE): Promise<Harness> {
  return startHarness({
    info: { vendorId: 0x0764, productId, manufacturer: "CPS", product: "CP1500PFCLCD", serial: "000000000000", path: "/dev/hidraw1" },
    descriptor: CST135UC2,
    feature,
    strings: STRINGS,
  })
}

test("UsbHidDriver publishes a CyberPower in NUT's formats (nut-ddl CP1500PFCLCD, 2.7.4)", async () => {
  const h = await cps(0x0501)
  const nut = devVariables(fixture("nut-ddl/Cyber_Power_Systems__CP1500PFCLCD__usbhid-ups__2.7.4__01.dev"))
  const differences = {
    "battery.runtime": "values of this synthetic unit (1470 s), not of the dumped one",
    "input.transfer.high": "CST135UC2 range is 135..144 V: 140 here, 139 on the dumped unit",
    "input.transfer.low": "CST135UC2 range is 97..103 V: 100 here, 88 on the dumped unit",
    "output.voltage": "120.0 here; the dumped 2.7.4 shows 140.0, the nut#439 range bug its descriptor fix cures",
    "ups.delay.shutdown": "60 s: CyberPower counts minutes, NUT's later CPS default (2.7.4 said 20, which the UPS rounds down to 0)",
    "ups.delay.start": "120 s, NUT's later CPS default for the same reason (2.7.4 said 30)",
    "driver.parameter.synchronous": "NUT driver-socket option; nutctl says auto",
    "driver.parameter.pollfreq": "12 s, NUT's later CPS default: the controllers fall asleep without frequent polls (nut#2121); 2.7.4 said 30",
    "driver.version": "nutctl's version", "driver.version.data": "CyberPower HID nutctl", "driver.version.internal": "nutctl's version",
    // variables this table has and NUT 2.7.4's did not (later cps-hid.c versions publish them)
    "ups.firmware": "CPSFirmwareVersion string", "input.sensitivity": "CPSInputSensitivity", "ups.power.nominal": "ConfigApparentPower",
    "ups.realpower": "ActivePower", "ups.power": "ApparentPower", "ups.timer.reboot": "absent: no DelayBeforeReboot",
  }
  assert.deepEqual(compareVariables(nut, h.vars(), differences), [])
  assert.equal(h.state.value("ups.timer.shutdown"), "-60")
  assert.equal(h.state.value("input.sensitivity"), "normal")
  assert.deepEqual(h.state.commands(), [
    "beeper.disable", "beeper.enable", "beeper.mute", "beeper.off", "beeper.on",
    "load.off", "load.off.delay", "load.on", "load.on.delay",
    "shutdown.return", "shutdown.stayoff", "shutdown.stop",
    "test.battery.start.deep", "test.battery.start.quick", "test.battery.stop",
  ])
  await h.stop()
})

test("UsbHidDriver follows the CP850PFCLCD interrupt samples: outage, discharge, mute", async () => {
  const h = await cps(0x0501)
  const steps: Array<[string, Record<string, string>]> = [
    ["08 64 54 06 2c 01", { "battery.charge": "100", "battery.runtime": "1620", "battery.runtime.low": "300" }],
    ["0b 11", { "ups.status": "OL" }], // ACPresent + FullyCharged: no CHRG at full charge
    ["0b 04", { "ups.status": "OB DISCHRG" }], // Discharging only: the outage
    ["08 64 fa 05 2c 01", { "battery.runtime": "1530" }],
    ["08 2b 98 01 2c 01", { "battery.charge": "43", "battery.runtime": "408" }],
    ["0b 11", { "ups.status": "OL" }],
    ["0c 01", { "ups.beeper.status": "disabled" }],
    ["08 64 f6 09 2c 01", { "battery.charge": "100", "battery.runtime": "2550" }], // CP900EPFCLCD sample B.1
  ]
  for (const [report, expected] of steps) {
    h.device.push(report)
    await h.settle() // no clock movement: interrupt reports are published at once
    for (const [name, value] of Object.entries(expected)) assert.equal(h.state.value(name), value, `${report}: ${name}`)
  }
  await h.stop()
})

test("CyberPower delays are written in whole minutes, never rounded down to an immediate cut", async () => {
  const h = await cps()
  const cases: Array<[string, string | undefined, string]> = [
    ["load.off.delay", undefined, "15 01 00"], // ups.delay.shutdown 60 s = 1 min
    ["load.off.delay", "120", "15 02 00"],
    // NUT writes 20 s as 0 minutes = now (hid-reference §a.5); we round up to 1 minute
    ["load.off.delay", "20", "15 01 00"],
    ["load.off", undefined, "15 00 00"],
    ["shutdown.stop", undefined, "15 ff ff"],
    ["load.on.delay", undefined, "16 02 00"],
    ["test.battery.start.quick", undefined, "14 01"],
    ["beeper.disable", undefined, "0c 01"],
  ]
  for (const [command, param, bytes] of cases) {
    const before = h.device.writes.length
    assert.equal(await h.driver.instcmd(command, param), "SUCCESS", command)
    assert.deepEqual(h.device.writes.slice(before).map(toHex), [bytes], `${command} ${param ?? ""}`)
  }
  await h.stop()
})

test("shutdown.return and shutdown.stayoff write the start delay, wait 125 ms, then the shutdown delay", async () => {
  const h = await cps()
  for (const [command, writes] of [
    ["shutdown.return", ["16 02 00", "15 01 00"]],
    ["shutdown.stayoff", ["16 ff ff", "15 01 00"]],
  ] as const) {
    const before = h.device.writes.length
    const result = h.driver.instcmd(command)
    await h.settle()
    assert.deepEqual(h.device.writes.slice(before).map(toHex), [writes[0]], `${command} before the pause`)
    await h.advance(125)
    assert.equal(await result, "SUCCESS")
    assert.deepEqual(h.device.writes.slice(before).map(toHex), writes, command)
  }
  await h.stop()
})

test("setvar patches only its field of a shared report (transfer points in 0x10)", async () => {
  const h = await cps()
  const before = h.device.writes.length
  assert.equal(await h.driver.setvar("input.transfer.low", "97"), "SUCCESS")
  assert.equal(await h.driver.setvar("input.sensitivity", "high"), "SUCCESS")
  assert.equal(await h.driver.setvar("battery.charge.low", "20"), "SUCCESS")
  assert.deepEqual(h.device.writes.slice(before).map(toHex), ["10 61 00 8c 00", "1a 02", "07 64 01 01 14 14 64"])
  assert.equal(h.state.value("input.transfer.high"), "140")
  assert.equal(await h.driver.setvar("input.sensitivity", "medium"), "INVALID-ARGUMENT") // CyberPower says "normal"
  await h.stop()
})

test("cps battery voltage 1.5× too high on 0764:0501 is scaled by 2/3, like cps-hid.c", async () => {
  const feature = new Map(FEATURE)
  feature.set(0x0a, hex("0a 68 01")) // 36.0 V on a 24 V battery
  const h = await cps(0x0501, feature)
  assert.equal(h.state.value("battery.voltage"), "24.0")
  await h.stop()
  const other = await cps(0x0601, feature)
  assert.equal(other.state.value("battery.voltage"), "36.0")
  await other.stop()
})

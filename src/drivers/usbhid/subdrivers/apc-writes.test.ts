// SET VAR / INSTCMD on the APC BK650M2-CH (BX1600MI stand-in): the exact SET_REPORT bytes.
import assert from "node:assert/strict"
import { test } from "node:test"
import { toHex } from "../../../../test/support/fake-hid.ts"
import { descriptorOf, featureAnswers, startHarness, type Harness } from "../../../../test/support/usbhid-harness.ts"

async function bx(): Promise<Harness> {
  return startHarness({
    info: { vendorId: 0x051d, productId: 0x0002, manufacturer: "American Power Conversion", product: "Back-UPS BX1600MI FW:294201G -302201G", path: "/dev/hidraw0" },
    descriptor: descriptorOf("hid/apc-back-ups-bk650m2-ch.rdesc.hex"),
    feature: featureAnswers("hid/apc-back-ups-bk650m2-ch.reports.txt"),
  })
}

/** Runs `act` and returns the reports it wrote, as hex. */
async function written(h: Harness, act: () => Promise<string>): Promise<{ result: string; writes: string[] }> {
  const before = h.device.writes.length
  const result = await act()
  return { result, writes: h.device.writes.slice(before).map(toHex) }
}

test("instcmd shutdown.return writes APCDelayBeforeReboot = 1 (`40 01`), the BX write that works (nut#2683, PR #3566)", async () => {
  const h = await bx()
  assert.deepEqual(await written(h, () => h.driver.instcmd("shutdown.return")), { result: "SUCCESS", writes: ["40 01"] })
  // the full poll after the write reads the countdown back
  assert.equal(h.state.value("ups.timer.reboot"), "1")
  await h.stop()
})

test("killpower() cuts the BX with shutdown.return first, like upsdrvctl shutdown", async () => {
  const h = await bx()
  const before = h.device.writes.length
  assert.equal(await h.driver.killpower(), "shutdown.return")
  assert.deepEqual(h.device.writes.slice(before).map(toHex), ["40 01"])
  await h.stop()
})

test("instcmd writes the APC delay, test and beeper reports NUT's table prescribes", async () => {
  const h = await bx()
  const cases: Array<[string, string | undefined, string]> = [
    ["shutdown.reboot", undefined, "40 0a"], // acknowledged and ignored by BX firmware, as in NUT
    ["load.off.delay", undefined, "15 14 00"], // ups.delay.shutdown = 20
    ["load.off.delay", "60", "15 3c 00"],
    ["load.off", undefined, "15 00 00"],
    ["shutdown.stop", undefined, "15 ff ff"],
    ["test.battery.start.quick", undefined, "21 01"],
    ["test.battery.start.deep", undefined, "21 02"],
    ["test.battery.stop", undefined, "21 03"],
    ["beeper.enable", undefined, "18 02"],
    ["beeper.disable", undefined, "18 01"],
    ["beeper.mute", undefined, "18 03"],
    ["beeper.on", undefined, "18 02"],
    // usbhid-ups redirects the obsolete beeper.off to beeper.disable (1), not its table value 3
    ["beeper.off", undefined, "18 01"],
  ]
  for (const [command, param, bytes] of cases) {
    assert.deepEqual(await written(h, () => h.driver.instcmd(command, param)), { result: "SUCCESS", writes: [bytes] }, command)
  }
  await h.stop()
})

test("instcmd refuses what the BX has no report for, or parameters it cannot take", async () => {
  const h = await bx()
  assert.deepEqual(await written(h, () => h.driver.instcmd("load.on")), { result: "UNKNOWN", writes: [] })
  assert.deepEqual(await written(h, () => h.driver.instcmd("shutdown.stayoff")), { result: "UNKNOWN", writes: [] })
  assert.deepEqual(await written(h, () => h.driver.instcmd("test.panel.start")), { result: "UNKNOWN", writes: [] })
  assert.deepEqual(await written(h, () => h.driver.instcmd("beeper.enable", "3")), { result: "INVALID-ARGUMENT", writes: [] })
  assert.deepEqual(await written(h, () => h.driver.instcmd("load.off.delay", "soon")), { result: "INVALID-ARGUMENT", writes: [] })
  // 0x15 holds -1..32767 s
  assert.deepEqual(await written(h, () => h.driver.instcmd("load.off.delay", "40000")), { result: "INVALID-ARGUMENT", writes: [] })
  await h.stop()
})

test("setvar writes the APC writable variables into their reports", async () => {
  const h = await bx()
  const cases: Array<[string, string, string]> = [
    ["battery.charge.low", "20", "11 14"],
    ["battery.runtime.low", "120", "24 78 00"],
    ["input.sensitivity", "high", "35 02"],
    ["input.sensitivity", "low", "35 00"],
    ["input.transfer.low", "170", "32 aa 00"],
    ["input.transfer.high", "270", "33 0e 01"],
    // (2024 − 1980) × 512 + 3 × 32 + 15 = 22639 = 0x586f
    ["battery.mfr.date", "2024/03/15", "20 6f 58"],
  ]
  for (const [name, value, bytes] of cases) {
    assert.deepEqual(await written(h, () => h.driver.setvar(name, value)), { result: "SUCCESS", writes: [bytes] }, `${name}=${value}`)
    assert.equal(h.state.value(name), value, `${name} read back`)
  }
  await h.stop()
})

test("setvar refuses values NUT would have written as garbage (enum miss → -1, text → 0)", async () => {
  const h = await bx()
  for (const [name, value] of [
    ["input.sensitivity", "bogus"],
    ["battery.charge.low", "ten"],
    // the BK650M2 descriptor allows 160..196 V and 256..278 V
    ["input.transfer.low", "150"],
    ["input.transfer.high", "300"],
    ["battery.mfr.date", "yesterday"],
  ] as const) {
    assert.deepEqual(await written(h, () => h.driver.setvar(name, value)), { result: "INVALID-ARGUMENT", writes: [] }, `${name}=${value}`)
  }
  assert.deepEqual(await written(h, () => h.driver.setvar("ups.load", "5")), { result: "UNKNOWN", writes: [] })
  assert.deepEqual(await written(h, () => h.driver.setvar("no.such.var", "5")), { result: "UNKNOWN", writes: [] })
  await h.stop()
})

test("setvar ups.delay.shutdown stays in the driver and sets the next load.off.delay", async () => {
  const h = await bx()
  assert.deepEqual(await written(h, () => h.driver.setvar("ups.delay.shutdown", "60")), { result: "SUCCESS", writes: [] })
  assert.equal(h.state.value("ups.delay.shutdown"), "60")
  assert.deepEqual(await written(h, () => h.driver.instcmd("load.off.delay")), { result: "SUCCESS", writes: ["15 3c 00"] })
  assert.deepEqual(await written(h, () => h.driver.setvar("ups.delay.shutdown", "later")), { result: "INVALID-ARGUMENT", writes: [] })
  await h.stop()
})

test("a write sends the report with the length the device answered (2 bytes for 0x40, not NUT's 24)", async () => {
  const h = await bx()
  // report 0x40 was read as 2 bytes (`40 00`, 24 declared): sent back as 2 bytes, not NUT's 24
  h.device.setFeature("40 07")
  await h.advance(30_000) // full poll re-reads 0x40
  assert.deepEqual(await written(h, () => h.driver.instcmd("shutdown.return")), { result: "SUCCESS", writes: ["40 01"] })
  await h.stop()
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { queuedInputs, startTestUps } from "../../../test/sim/hid-ups.ts"
import { parseHexBytes } from "../fixture-format.ts"
import { HidTransportError } from "../transport.ts"
import { ManualClock } from "../../../test/support/manual-clock.ts"
import { SimError } from "./errors.ts"
import { openSimPort } from "./sim-port.ts"
import { HUNG_TIMEOUT_MS } from "./simulated-ups.ts"

const hex = (bytes: Uint8Array | undefined): string => Array.from(bytes ?? [], (b) => b.toString(16).padStart(2, "0")).join(" ")

test("SimulatedUps answers GET_REPORT with the recorded bytes, short answers included", async () => {
  const { open } = await startTestUps({ port: "sim:apc-back-ups-bk650m2-ch" })
  const t = await open()
  assert.equal(hex(await t.getFeatureReport(0x0c, 2)), "0c 64")
  // id 0x20 is declared 47 bytes long; the BK650M2 answers 3 (hid-reference §a.7.3)
  assert.equal(hex(await t.getFeatureReport(0x20, 47)), "20 21 2a")
  assert.equal(hex(await t.getFeatureReport(0x16, 5)), "16 0e 00")
  // wLength caps the answer; an id the descriptor lacks STALLs (empty answer)
  assert.equal(hex(await t.getFeatureReport(0xe3, 4)), "e3 00 00 00")
  assert.equal((await t.getFeatureReport(0x99, 8)).length, 0)
  assert.equal((await t.reportDescriptor()).length, 743)
})

test("SimulatedUps makes up zeros for ids a recording lacks, and model values for what it knows", async () => {
  const { open, ups } = await startTestUps({ port: "sim:cyberpower-cst135uc2" })
  const t = await open()
  assert.equal(ups.info.vendorId, 0x0764)
  assert.equal(ups.value("UPS.PowerSummary.RemainingCapacity"), 100)
  assert.equal(ups.value("UPS.PowerSummary.PresentStatus.ACPresent"), 1)
  assert.equal(ups.value("UPS.PowerSummary.RemainingCapacityLimit"), 10)
  assert.ok((await t.getFeatureReport(0x08, 6)).length > 1)
})

test("SimulatedUps turns a mains loss into interrupt reports of the changed Input reports", async () => {
  const { open, ups } = await startTestUps()
  const t = await open()
  assert.deepEqual(await queuedInputs(t), [])
  ups.run({ kind: "mains-lost" })
  // BX stand-in: PowerSummary.ACPresent (0x13) and PresentStatus (0x16: Discharging + BatteryPresent)
  assert.deepEqual(await queuedInputs(t), ["13 00", "16 0a 00"])
  assert.equal(ups.value("UPS.Input.Voltage"), 0)
  assert.equal(ups.value("UPS.PowerSummary.PresentStatus.ACPresent", "input"), 0)
})

test("SimulatedUps.readInput() waits on the clock and wakes when the charge drops a percent", async () => {
  const { open, ups, clock } = await startTestUps()
  const t = await open()
  ups.run({ kind: "mains-lost", rate: 6 }) // 1 % every 10 s
  await queuedInputs(t)
  const read = t.readInput(60_000)
  await clock.advance(9_999)
  assert.equal(ups.state.queued, 0)
  await clock.advance(1)
  assert.equal(hex(await read), "0c 63")
  // nothing within the timeout: undefined once the clock passes it
  ups.run({ kind: "drain", rate: 0 })
  const none = t.readInput(750)
  await clock.advance(750)
  assert.equal(await none, undefined)
})

test("SimulatedUps sets the LB bits as the charge reaches RemainingCapacityLimit, and clears them on mains", async () => {
  const { open, ups, clock } = await startTestUps()
  const t = await open()
  ups.run({ kind: "mains-lost", rate: 30 }) // 100 → 10 % in 3 min
  await clock.advance(179_000)
  assert.equal(ups.value("UPS.PowerSummary.BelowRemainingCapacityLimit"), 0)
  await queuedInputs(t)
  await clock.advance(1_000)
  assert.equal(ups.value("UPS.PowerSummary.RemainingCapacity"), 10)
  // 0x14 BelowRemainingCapacityLimit, 0x16 bit4 ShutdownImminent (0x1a = Discharging, BatteryPresent, ShutdownImminent)
  assert.deepEqual(await queuedInputs(t), ["0c 0a", "14 01", "16 1a 00"])
  ups.run({ kind: "mains-back" })
  assert.deepEqual(await queuedInputs(t), ["13 01", "16 0d 00", "14 00"])
  assert.equal(ups.value("UPS.PowerSummary.PresentStatus.Charging"), 1)
})

test("SimulatedUps runs a self-test written to UPS.Battery.Test (APC: 1 = quick)", async () => {
  const { open, ups, clock } = await startTestUps()
  const t = await open()
  assert.equal(await t.sendFeatureReport(parseHexBytes("21 01")), 2)
  assert.equal(ups.value("UPS.Battery.Test"), 5) // in progress
  assert.equal(ups.value("UPS.PowerSummary.PresentStatus.Discharging"), 1)
  await clock.advance(10_000)
  assert.equal(ups.value("UPS.Battery.Test"), 1) // done and passed
  assert.equal(ups.value("UPS.PowerSummary.PresentStatus.Discharging"), 0)
})

test("SimulatedUps ignores APCDelayBeforeReboot = 10 and powers down after 1 (nut#2683)", async () => {
  const { open, ups, clock } = await startTestUps()
  const t = await open()
  await t.sendFeatureReport(parseHexBytes("40 0a"))
  assert.equal(ups.value("UPS.APCGeneralCollection.APCDelayBeforeReboot"), 0)
  assert.ok(ups.events.some((e) => e.kind === "ignored-write"))
  await t.sendFeatureReport(parseHexBytes("40 01"))
  assert.deepEqual(ups.writes.map(hex), ["40 0a", "40 01"])
  assert.equal(ups.value("UPS.APCGeneralCollection.APCDelayBeforeReboot"), 120)
  await clock.advance(119_000)
  assert.equal(ups.state.outputOn, true)
  await clock.advance(1_000)
  assert.equal(ups.state.outputOn, false)
  await clock.advance(10_000) // on line the BX turns the output back on
  assert.equal(ups.state.outputOn, true)
})

test("SimulatedUps acts on DelayBeforeShutdown only on battery (APC), then switches itself off until mains returns", async () => {
  const { open, ups, clock } = await startTestUps()
  const t = await open()
  await t.sendFeatureReport(parseHexBytes("15 14 00"))
  assert.equal(ups.value("UPS.PowerSummary.DelayBeforeShutdown"), -1)
  ups.run({ kind: "mains-lost" })
  await t.sendFeatureReport(parseHexBytes("15 14 00"))
  await clock.advance(5_000)
  assert.equal(ups.value("UPS.PowerSummary.DelayBeforeShutdown"), 15)
  await clock.advance(15_000)
  assert.equal(ups.connected, false)
  await assert.rejects(t.getFeatureReport(0x0c, 2), (e: unknown) => e instanceof HidTransportError && e.code === "disconnected")
  ups.run({ kind: "mains-back" })
  assert.equal(ups.connected, true)
  // the old handle stays dead, as a hidraw fd does; a new open works
  await assert.rejects(t.getFeatureReport(0x0c, 2), (e: unknown) => e instanceof HidTransportError && e.code === "disconnected")
  const again = await open()
  assert.equal(hex(await again.getFeatureReport(0x13, 2)), "13 01")
})

test("SimulatedUps keeps twin settings in step (battery.runtime.low on 0x24 and 0x17)", async () => {
  const { open, ups } = await startTestUps()
  const t = await open()
  await t.sendFeatureReport(parseHexBytes("24 2c 01"))
  assert.equal(ups.value("UPS.Battery.RemainingTimeLimit"), 300)
  assert.equal(ups.value("UPS.PowerSummary.RemainingTimeLimit"), 300)
})

test("SimulatedUps stalls SET_REPORT of a report with nothing writable (measurements stay the device's)", async () => {
  const { open, ups } = await startTestUps()
  const t = await open()
  await assert.rejects(t.sendFeatureReport(parseHexBytes("0c 05")), (e: unknown) => e instanceof HidTransportError && e.code === "io")
  await assert.rejects(t.sendFeatureReport(parseHexBytes("99 01")), (e: unknown) => e instanceof HidTransportError && e.code === "io")
  assert.equal(ups.value("UPS.PowerSummary.RemainingCapacity"), 100)
})

test("SimulatedUps unplugged: not listed, open fails, pending reads end; replug lists it again", async () => {
  const { open, ups, opener, clock } = await startTestUps()
  const t = await open()
  const pending = t.readInput(10_000)
  ups.run({ kind: "unplug" })
  await assert.rejects(pending, (e: unknown) => e instanceof HidTransportError && e.code === "disconnected")
  assert.deepEqual(await opener.list(), [])
  await assert.rejects(opener.open(ups.info), (e: unknown) => e instanceof HidTransportError && e.code === "not-found")
  await clock.advance(60_000) // the battery is fine meanwhile
  ups.run({ kind: "replug" })
  assert.equal((await opener.list()).length, 1)
  assert.equal(hex(await (await open()).getFeatureReport(0x0c, 2)), "0c 64")
})

test("SimulatedUps hung: control transfers time out after 5 s of clock time, interrupts stop", async () => {
  const { open, ups, clock } = await startTestUps()
  const t = await open()
  ups.run({ kind: "hang" })
  const get = t.getFeatureReport(0x0c, 2)
  const rejected = assert.rejects(get, (e: unknown) => e instanceof HidTransportError && e.code === "timeout")
  await clock.advance(HUNG_TIMEOUT_MS)
  await rejected
  ups.run({ kind: "mains-lost" })
  const read = t.readInput(750)
  await clock.advance(750)
  assert.equal(await read, undefined)
  ups.run({ kind: "recover" })
  assert.deepEqual(await queuedInputs(t), ["13 00", "16 0a 00"])
})

test("SimulatedUps garbage: unknown-id, over-long and id-only interrupt reports, mangled GET answers", async () => {
  const { open, ups } = await startTestUps()
  const t = await open()
  ups.run({ kind: "garbage", count: 2 })
  const reports = await queuedInputs(t)
  assert.equal(reports.length, 3)
  assert.match(reports[0] ?? "", /^ee /)
  assert.equal((reports[1] ?? "").split(" ").length, 64)
  assert.match(reports[1] ?? "", /^0c 64 /)
  assert.equal(reports[2], "0c")
  assert.equal(hex(await t.getFeatureReport(0x0c, 2)), "ee 64")
  assert.equal(hex(await t.getFeatureReport(0x0c, 2)), "0c")
  assert.equal(hex(await t.getFeatureReport(0x0c, 2)), "0c 64")
})

test("SimulatedUps battery runs flat: output off, the UPS switches off; mains back restarts it", async () => {
  const { ups, clock } = await startTestUps()
  ups.run({ kind: "mains-lost", rate: 50 })
  await clock.advance(120_000)
  assert.deepEqual([ups.state.charge, ups.state.outputOn, ups.connected], [0, false, false])
  ups.run({ kind: "mains-back" })
  assert.deepEqual([ups.state.outputOn, ups.connected], [true, true])
  assert.equal(ups.value("UPS.PowerSummary.PresentStatus.Charging"), 1)
})

test("SimulatedUps runs the outage scenario: OL, OB, OB LB, OL again", async () => {
  const { open, ups, clock } = await startTestUps({ port: "sim:bx1600mi?scenario=outage" })
  const t = await open()
  const status = (): string => hex(ups.report(0x16))
  assert.equal(status(), "16 0c 00") // ACPresent + BatteryPresent
  await clock.advance(30_000)
  assert.equal(status(), "16 0a 00") // Discharging + BatteryPresent
  assert.deepEqual((await queuedInputs(t)).slice(0, 2), ["13 00", "16 0a 00"])
  await clock.advance(6 * 60_000)
  assert.equal(status(), "16 1a 00") // + ShutdownImminent
  assert.equal(ups.value("UPS.PowerSummary.BelowRemainingCapacityLimit"), 1)
  await clock.advance(15_000)
  assert.equal(status(), "16 0d 00") // Charging + ACPresent + BatteryPresent
  assert.ok(ups.connected)
})

test("SimulatedUps repeats the flap scenario: RB and LB bits for a second, over and over (nut#2565)", async () => {
  const { open, ups, clock } = await startTestUps({ port: "sim:bx1600mi?scenario=flap" })
  const t = await open()
  const seen: string[] = []
  for (let i = 0; i < 2; i++) {
    await clock.advance(i === 0 ? 10_000 : 40_000) // at 10 s; repeat at 44 s starts over: 54 s
    seen.push(...(await queuedInputs(t)))
    await clock.advance(4_000)
    seen.push(...(await queuedInputs(t)))
  }
  // 0x16 bit6 NeedReplacement (0x4c), then bit4 ShutdownImminent (0x1c), each back to OL (0x0c)
  assert.deepEqual(seen, ["16 4c 00", "16 0c 00", "16 1c 00", "16 0c 00", "16 4c 00", "16 0c 00", "16 1c 00", "16 0c 00"])
})

test("SimulatedUps runs a scenario self-test with the result it names, and sets fields by path", async () => {
  const { ups, clock } = await startTestUps()
  ups.run({ kind: "self-test", deep: true, result: "warning" })
  assert.equal(ups.value("UPS.Battery.Test"), 5)
  await clock.advance(120_000)
  assert.equal(ups.value("UPS.Battery.Test"), 2) // done and warning
  ups.run({ kind: "set", path: "UPS.PowerConverter.PercentLoad", value: 80 })
  assert.equal(ups.value("UPS.PowerConverter.PercentLoad"), 80)
})

test("createSimulatedUps() refuses a scenario that sets a path the descriptor lacks", async () => {
  await assert.rejects(
    openSimPort("sim:bx1600mi?scenario=/s.txt", { clock: new ManualClock(), readText: async () => "1s set UPS.Output.Voltage=230\n" }),
    (e: unknown) => e instanceof SimError && e.code === "SIM_BAD_SCENARIO" && /set UPS\.Output\.Voltage: the descriptor has no such field/.test(e.message),
  )
})

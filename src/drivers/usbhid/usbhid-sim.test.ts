// UsbHidDriver on the simulated BX1600MI (`sim:bx1600mi`, test/sim/hid-ups.ts): the OL → OB → OB LB
// → OL acceptance scenario, the shutdown.return write, and faults — end to end on one manual clock.
import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import { test } from "node:test"
import { openSimPort } from "../../hid/index.ts"
import { UpsState } from "../../ups/index.ts"
import { createDriver, type DriverSpec } from "../registry.ts"
import { eventually } from "../../../test/support/eventually.ts"
import { fixturePath } from "../../../test/support/fixture.ts"
import { ManualClock } from "../../../test/support/manual-clock.ts"
import { startTestUps } from "../../../test/sim/hid-ups.ts"
import { settle } from "../../../test/support/usbhid-harness.ts"
import { parseUsbHidOptions } from "./options.ts"
import { UsbHidDriver } from "./usbhid-driver.ts"

async function run(port = "sim:bx1600mi") {
  const sim = await startTestUps({ port })
  const logs: string[] = []
  const driver = new UsbHidDriver({
    opener: sim.opener,
    options: parseUsbHidOptions(port, { vendorid: "051d" }),
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    clock: sim.clock,
  })
  const state = new UpsState({ now: () => sim.clock.now(), maxAgeMs: 60_000 })
  const abort = new AbortController()
  const running = driver.start(state, abort.signal)
  await settle()
  return {
    sim,
    driver,
    state,
    logs,
    async advance(ms: number) {
      await sim.clock.advance(ms)
      await settle()
    },
    async stop() {
      abort.abort()
      await running
    },
  }
}

test("simulated BX1600MI: OL → OB (interrupt, no clock movement) → OB LB → OL", async () => {
  const t = await run()
  assert.equal(t.state.availability(), "ok")
  assert.equal(t.state.value("ups.status"), "OL")
  assert.equal(t.state.value("ups.model"), "Back-UPS BX1600MI")
  t.sim.ups.run({ kind: "mains-lost" })
  await settle()
  assert.match(t.state.value("ups.status") ?? "", /^OB DISCHRG/)
  t.sim.ups.run({ kind: "low-battery" })
  await settle()
  // the simulated BX raises ShutdownImminent with LB: NUT's "ALARM OB DISCHRG LB"
  assert.match(t.state.value("ups.status") ?? "", /^(ALARM )?OB DISCHRG LB/)
  t.sim.ups.run({ kind: "mains-back" })
  await t.advance(2000)
  assert.match(t.state.value("ups.status") ?? "", /^OL/)
  await t.stop()
})

test("simulated BX1600MI: shutdown.return writes APCDelayBeforeReboot = 1", async () => {
  const t = await run()
  assert.equal(await t.driver.instcmd("shutdown.return"), "SUCCESS")
  assert.deepEqual(t.sim.ups.events.filter((e) => e.kind === "write").map((e) => e.detail), ["40 01"])
  // the simulated firmware starts its fixed grace countdown, which the full poll after the write reads back
  assert.equal(t.state.value("ups.timer.reboot"), String(t.sim.ups.value("UPS.APCGeneralCollection.APCDelayBeforeReboot")))
  await t.stop()
})

test("simulated BX1600MI: unplug → stale, replug → recovers; garbage never becomes a flag", async () => {
  const t = await run()
  t.sim.ups.run({ kind: "unplug" })
  await t.advance(2000)
  assert.equal(t.state.availability(), "stale")
  assert.equal(t.state.value("ups.status"), "OL")
  t.sim.ups.run({ kind: "replug" })
  await t.advance(2000)
  assert.equal(t.state.availability(), "ok")
  t.sim.ups.run({ kind: "garbage", count: 3 })
  await t.advance(10_000)
  assert.equal(t.state.value("ups.status"), "OL")
  await t.stop()
})

test("simulated BX1600MI flapping RB and LB for a second (nut#2347): ups.status stays OL throughout", async () => {
  const t = await run("sim:bx1600mi?scenario=flap")
  const seen = new Set<string>()
  t.state.subscribe((c) => {
    if (c.kind === "var" && c.name === "ups.status" && c.value !== undefined) seen.add(c.value)
  })
  for (let i = 0; i < 200; i++) await t.advance(500) // 100 s: three flap cycles
  assert.deepEqual([...seen], [], "no status change was published")
  assert.equal(t.state.value("ups.status"), "OL")
  assert.equal(t.state.value("ups.alarm"), undefined)
  await t.stop()
})

test("createDriver() wires `driver = usbhid-ups`, `port = sim:<base>` to the simulator (how serve should)", async () => {
  const clock = new ManualClock(1_700_000_000_000)
  const spec: DriverSpec = { name: "rack", driver: "usbhid-ups", port: "sim:apc-back-ups-bk650m2-ch", params: { vendorid: "051d" }, baseDir: fixturePath("hid") }
  const driver = createDriver(spec, { info: () => undefined, warn: () => undefined }, {
    // sim: ports get the simulated UPS (async to build), every other port node-hid's opener
    hidOpener: (s) => openSimPort(s.port, { clock, baseDir: s.baseDir, readText: (p) => readFile(p, "utf8") }).then((sim) => sim.opener),
    clock,
  })
  const state = new UpsState({ now: () => clock.now(), maxAgeMs: 60_000 })
  const abort = new AbortController()
  const running = driver.start(state, abort.signal)
  // the simulator reads its fixture files first (real file I/O, not clock time)
  await eventually(() => state.availability() === "ok", "the driver to connect to the simulated UPS")
  assert.equal(state.value("ups.vendorid"), "051d")
  assert.equal(state.value("battery.voltage"), "13.5") // the fixture's `26 46 05`
  assert.equal(state.value("driver.parameter.port"), "sim:apc-back-ups-bk650m2-ch")
  abort.abort()
  await running
  // a port the simulator rejects makes start() fail like a driver that cannot start
  const bad = createDriver({ ...spec, port: "sim:" }, { info: () => undefined, warn: () => undefined }, {
    hidOpener: (s) => openSimPort(s.port, { clock, baseDir: s.baseDir }).then((sim) => sim.opener),
    clock,
  })
  await assert.rejects(bad.start(new UpsState(), new AbortController().signal), /sim/)
})

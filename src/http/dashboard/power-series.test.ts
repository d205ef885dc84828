import { test } from "node:test"
import assert from "node:assert/strict"
import { createStorage } from "unstorage"
import { UpsState } from "../../ups/index.ts"
import type { JsonValue } from "../../store/index.ts"
import { createLocalDirectory } from "../local-directory.ts"
import { createPowerSeries, type SeriesStorage } from "./power-series.ts"

const T0 = Date.parse("2026-08-01T10:59:00Z")

function memory(): SeriesStorage & { raw: ReturnType<typeof createStorage<JsonValue>> } {
  const raw = createStorage<JsonValue>()
  return { raw, get: (k) => raw.getItem(k), set: (k, v) => raw.setItem(k, v), remove: (k) => raw.removeItem(k), keys: () => raw.getKeys() }
}

function setup() {
  const state = new UpsState()
  state.setInfo("ups.status", "OL")
  state.setInfo("battery.charge", "100")
  state.setInfo("battery.runtime", "1800")
  state.setInfo("ups.load", "20")
  state.setInfo("input.voltage", "230.5")
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  const directory = createLocalDirectory({ ups: [{ name: "Rack", desc: undefined, state }] })
  const clock = { now: T0 }
  const storage = memory()
  const series = createPowerSeries({ storage, directory, now: () => clock.now })
  return { state, clock, storage, series }
}

test("PowerSeries.tick() samples every 30 s into hourly buckets", async () => {
  const { clock, storage, series } = setup()
  await series.tick()
  clock.now += 10_000
  await series.tick() // not due yet
  clock.now += 20_000
  await series.tick()
  clock.now += 30_000 // into the next hour
  await series.tick()
  assert.deepEqual((await storage.keys()).sort(), ["rack:2026-08-01T10", "rack:2026-08-01T11"])
  const points = await series.query("RACK", { since: T0 - 60_000 })
  assert.deepEqual(points.map((p) => p.at - T0), [0, 30_000, 60_000])
  assert.deepEqual(points[0], { at: T0, charge: 100, runtime: 1800, load: 20, inputVoltage: 230.5, outputVoltage: null, onBattery: false })
})

test("PowerSeries.observe() records a switch to battery at once and holds other changes to one per 5 s", async () => {
  const { state, clock, series } = setup()
  await series.tick()
  clock.now += 1000
  state.setInfo("ups.status", "OB DISCHRG")
  series.observe({ kind: "status", id: "1", at: clock.now, ups: "Rack", status: "OB DISCHRG", previous: "OL" })
  clock.now += 1000
  state.setInfo("battery.charge", "99")
  series.observe({ kind: "vars", id: "2", at: clock.now, ups: "Rack", values: { "battery.charge": "99" } })
  series.observe({ kind: "vars", id: "3", at: clock.now, ups: "Rack", values: { "ups.beeper.status": "enabled" } })
  clock.now += 4000
  await series.tick() // the held change, 5 s after the last point
  const points = await series.query("rack", { since: T0 })
  assert.deepEqual(points.map((p) => [p.at - T0, p.charge, p.onBattery]), [[0, 100, false], [1000, 100, true], [6000, 99, true]])
})

test("PowerSeries keeps a bucket written before a restart, thins long ranges and prunes old hours", async () => {
  const { state, clock, storage, series } = setup()
  for (let i = 0; i < 100; i++) {
    state.setInfo("ups.status", i >= 50 && i < 60 ? "OB" : "OL")
    await series.tick()
    clock.now += 30_000
  }
  const directory = createLocalDirectory({ ups: [{ name: "rack", desc: undefined, state }] })
  const again = createPowerSeries({ storage, directory, now: () => clock.now })
  await again.tick()
  const all = await again.query("rack", { since: T0, maxPoints: 1000 })
  assert.equal(all.length, 101)
  const thin = await again.query("rack", { since: T0, maxPoints: 20 })
  assert.ok(thin.length < 30, `thinned to ${thin.length}`)
  // both edges of the on-battery stretch survive thinning
  assert.ok(thin.some((p) => p.at === T0 + 50 * 30_000 && p.onBattery))
  assert.ok(thin.some((p) => p.at === T0 + 60 * 30_000 && !p.onBattery))

  clock.now += 8 * 24 * 3_600_000
  const late = createPowerSeries({ storage, directory, now: () => clock.now })
  assert.equal(await late.prune(), 2)
  assert.deepEqual(await storage.keys(), [])
})

test("PowerSeries skips a UPS whose data is not available", async () => {
  const { state, series, storage } = setup()
  state.markDisconnected()
  await series.tick()
  assert.deepEqual(await storage.keys(), [])
})

/**
 * A secondary's view: the poller reads a NUT server (here nutctl's own, on a free loopback port)
 * and reports the link; `?server=` scrapes another server once; writes go through a NUT session.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { createUserRecord } from "../config/index.ts"
import { NutServer, type ServedUps } from "../server/index.ts"
import { UpsState, type WriteResult } from "../ups/index.ts"
import { parsePromText } from "../../test/support/prom-text.ts"
import { createHttpApp } from "./app.ts"
import { createClientControl } from "./control.ts"
import { createLocalDirectory } from "./local-directory.ts"
import { createNutPoller } from "./nut-poller.ts"
import { fetchNutDirectory } from "./nut-read.ts"
import type { UpsChange } from "./types.ts"

const USERS = [createUserRecord({ name: "admin", password: "pw", actions: ["set"], instcmds: ["all"] })]

async function startServer() {
  const calls: string[] = []
  const state = new UpsState()
  state.setInfo("ups.status", "OL")
  state.setInfo("battery.charge", "100")
  state.setInfo("battery.runtime", "1200")
  state.setInfo("ups.delay.shutdown", "20")
  state.setFlags("ups.delay.shutdown", ["RW"])
  state.addCmd("beeper.disable")
  state.markConnected({
    setvar: async (n, v): Promise<WriteResult> => (calls.push(`SET ${n}=${v}`), "SUCCESS"),
    instcmd: async (n): Promise<WriteResult> => (calls.push(`CMD ${n}`), "SUCCESS"),
  })
  const ups: ServedUps[] = [{ name: "rack", desc: "Rack", state }]
  const server = new NutServer({ settings: { listen: [{ host: "127.0.0.1", port: 0 }], maxAge: 15, maxConn: 64, trackingDelay: 60 }, ups, users: USERS, log: { debug() {}, info() {}, warn() {}, error() {} } })
  const [bound] = await server.listen()
  assert.ok(bound)
  return { server, state, port: bound.port, calls }
}

test("createNutPoller() mirrors the primary, emits its changes and reports a lost link", async () => {
  const { server, state, port } = await startServer()
  const poller = createNutPoller({ host: "127.0.0.1", port })
  const changes: UpsChange[] = []
  poller.subscribe((c) => changes.push(c))
  try {
    assert.equal(poller.comm().state, "unknown")
    await poller.pollOnce()
    assert.equal(poller.comm().state, "ok")
    assert.equal(poller.server, `127.0.0.1:${port}`)
    assert.deepEqual(poller.list(), [{ name: "rack", desc: "Rack" }])
    const r = poller.read("RACK")
    assert.equal(r?.availability, "ok")
    assert.equal(r?.status, "OL")
    assert.equal(r?.variables.find((v) => v.name === "battery.charge")?.description, "Battery charge (percent of full)")
    assert.deepEqual(r?.variables.find((v) => v.name === "ups.delay.shutdown")?.type, { rw: true, kind: "NUMBER" })
    assert.deepEqual(r?.commands, [{ name: "beeper.disable", description: "Disable the UPS beeper" }])

    state.setInfo("ups.status", "OB DISCHRG")
    state.setInfo("battery.charge", "97")
    await poller.pollOnce()
    assert.deepEqual(
      changes.map((c) => c.kind),
      ["status", "vars"],
    )
    assert.deepEqual(changes[0], { kind: "status", at: changes[0]?.at, ups: "rack", status: "OB DISCHRG", previous: "OL" })

    const app = createHttpApp({ version: "test", directory: poller })
    let text = parsePromText(await (await app.request("/metrics")).text())
    assert.ok(text.samples.some((s) => s.name === "nutctl_nut_comm_ok" && s.value === 1 && s.labels["server"] === `127.0.0.1:${port}`))
    assert.ok(text.samples.some((s) => s.name === "network_ups_tools_battery_charge" && s.value === 97))

    await server.close()
    await poller.pollOnce()
    assert.equal(poller.comm().state, "lost")
    assert.equal(poller.read("rack")?.availability, "unreachable")
    assert.deepEqual(changes.at(-1), { kind: "availability", at: changes.at(-1)?.at, ups: "rack", availability: "unreachable", previous: "ok" })
    text = parsePromText(await (await app.request("/metrics")).text())
    assert.ok(text.samples.some((s) => s.name === "nutctl_nut_comm_ok" && s.value === 0))
    assert.ok(text.samples.some((s) => s.name === "nutctl_ups_available" && s.value === 0))
    assert.ok(!text.samples.some((s) => s.name === "network_ups_tools_battery_charge"), "no stale values once the link is lost")
    assert.equal((await app.request("/ups_metrics")).status, 500)
  } finally {
    poller.close()
    await server.close()
  }
})

test("/ups_metrics?server= reads another NUT server once, as nut_exporter does", async () => {
  const { server, port } = await startServer()
  try {
    const app = createHttpApp({ version: "test", directory: createLocalDirectory({ ups: [] }), fetchRemote: (t) => fetchNutDirectory(t) })
    const res = await app.request(`/ups_metrics?server=127.0.0.1&serverport=${port}&ups=rack`)
    assert.equal(res.status, 200)
    const text = parsePromText(await res.text())
    assert.ok(text.samples.some((s) => s.name === "network_ups_tools_battery_runtime" && s.value === 1200))
    assert.equal((await app.request(`/ups_metrics?server=127.0.0.1&serverport=${port}&ups=other`)).status, 500)
    const refused = createHttpApp({ version: "test", directory: createLocalDirectory({ ups: [] }) })
    const r = await refused.request(`/ups_metrics?server=127.0.0.1&serverport=${port}`)
    assert.equal(r.status, 500)
    assert.match(await r.text(), /server parameter is disabled/)
  } finally {
    await server.close()
  }
})

test("createClientControl() writes through the remote NUT server with the caller's credentials", async () => {
  const { server, port, calls } = await startServer()
  try {
    const control = createClientControl({ host: "127.0.0.1", port })
    const done = await control.setVar({ ups: "rack", name: "ups.delay.shutdown", value: "30", credentials: { user: "admin", password: "pw" } })
    assert.ok(done.ok && done.result === "SUCCESS" && typeof done.trackingId === "string", JSON.stringify(done))
    assert.deepEqual(await control.setVar({ ups: "rack", name: "ups.delay.shutdown", value: "30", credentials: { user: "admin", password: "bad" } }), { ok: false, error: "ACCESS-DENIED" })
    assert.deepEqual(await control.fsd({ ups: "rack", credentials: { user: "admin", password: "pw" } }), { ok: false, error: "ACCESS-DENIED" })
    assert.deepEqual(calls, ["SET ups.delay.shutdown=30"])
  } finally {
    await server.close()
  }
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { fixturePath } from "../../test/support/fixture.ts"
import { startDummyUps } from "../../test/support/dummy-state.ts"
import { createHttpApp } from "./app.ts"
import { createLocalDirectory } from "./local-directory.ts"
import type { MonitorView, ShutdownView } from "./types.ts"

const BK650 = fixturePath("nut-ddl/APC__Back-UPS_BK650M2-CH__usbhid-ups__2.8.0__01.dev")

const MONITOR: MonitorView = {
  snapshot: () => ({
    phase: "monitoring",
    powerValue: 1,
    minSupplies: 1,
    supplies: [{ system: "ups@localhost", role: "primary", powerValue: 1, comm: "ok", status: "OL DISCHRG", online: true, onBattery: false, lowBattery: false, fsd: false, critical: false, lastPollAt: 5 }],
  }),
}

test("/api/v1 reads: UPS list, one UPS, variables, commands, clients, monitor", async () => {
  const dummy = await startDummyUps(BK650)
  try {
    const directory = createLocalDirectory({ ups: [{ name: "ups", desc: "BK650", state: dummy.state }], clients: () => ["10.0.30.21"] })
    const app = createHttpApp({ version: "test", directory, monitor: MONITOR })
    const list = await (await app.request("/api/v1/ups")).json()
    assert.deepEqual(list, [{ name: "ups", description: "BK650", status: "OL DISCHRG", statusText: "online, discharging", availability: "ok", fsd: false, server: "local" }])

    const one = (await (await app.request("/api/v1/ups/UPS")).json()) as Record<string, unknown>
    assert.deepEqual(one["values"], { charge: 100, runtime: 3618, load: 5, inputVoltage: 232, outputVoltage: null, batteryVoltage: 13.5 })
    assert.deepEqual(one["commands"], ["load.off"])
    assert.deepEqual(one["clients"], ["10.0.30.21"])

    const vars = (await (await app.request("/api/v1/ups/ups/variables")).json()) as Array<{ name: string }>
    assert.equal(vars.length, dummy.state.variables().length)
    const mfr = await (await app.request("/api/v1/ups/ups/variables/ups.mfr")).json()
    assert.deepEqual(mfr, { name: "ups.mfr", value: "American Power Conversion", description: "UPS manufacturer", type: { rw: true, kind: "STRING", maxLength: 32 } })
    assert.equal((await app.request("/api/v1/ups/ups/variables/no.such")).status, 404)
    assert.deepEqual(await (await app.request("/api/v1/ups/ups/commands")).json(), [{ name: "load.off", description: "Turn off the load immediately" }])
    assert.deepEqual(await (await app.request("/api/v1/ups/ups/clients")).json(), [{ address: "10.0.30.21" }])
    const missing = await app.request("/api/v1/ups/nope")
    assert.equal(missing.status, 404)
    assert.deepEqual(await missing.json(), { error: { code: "UNKNOWN-UPS", message: "No UPS named nope" } })

    const monitor = (await (await app.request("/api/v1/monitor")).json()) as { supplies: unknown[]; phaseSince: unknown }
    assert.equal(monitor.phaseSince, null)
    assert.equal(monitor.supplies.length, 1)
  } finally {
    await dummy.stop()
  }
})

test("/api/v1/shutdown says not available without a view; with one, it and the metrics follow the view", async () => {
  const directory = createLocalDirectory({ ups: [] })
  const none = createHttpApp({ version: "test", directory })
  assert.deepEqual(await (await none.request("/api/v1/shutdown")).json(), { available: false, plan: null, budgetSeconds: null, marginSeconds: null, lastDrill: null })
  assert.equal((await none.request("/api/v1/monitor")).status, 404)
  const view: ShutdownView = { plan: () => ({ steps: 4, done: 0, needSeconds: 240, running: false }), budgetSeconds: () => 200, lastDrill: () => undefined }
  const app = createHttpApp({ version: "test", directory, shutdown: view })
  const body = (await (await app.request("/api/v1/shutdown")).json()) as { marginSeconds: number }
  assert.equal(body.marginSeconds, -40)
  assert.match(await (await app.request("/metrics")).text(), /^nutctl_shutdown_budget_margin_seconds -40$/m)
})

test("/api/v1/openapi.json describes every route from the schemas", async () => {
  const app = createHttpApp({ version: "1.2.3", directory: createLocalDirectory({ ups: [] }) })
  const doc = (await (await app.request("/api/v1/openapi.json")).json()) as {
    openapi: string
    info: { version: string }
    paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content: Record<string, { schema: { required?: string[] } }> }; security: unknown[]; responses: Record<string, unknown> }>>
  }
  assert.equal(doc.openapi, "3.1.0")
  assert.equal(doc.info.version, "1.2.3")
  const put = doc.paths["/api/v1/ups/{ups}/variables/{name}"]?.["put"]
  assert.ok(put, "SET VAR is documented")
  assert.deepEqual(put.parameters?.map((p) => `${p.in}:${p.name}`), ["path:ups", "path:name"])
  assert.deepEqual(put.requestBody?.content["application/json"]?.schema.required, ["value"])
  assert.deepEqual(put.security, [{ basic: [] }, { bearer: [] }])
  assert.deepEqual(Object.keys(put.responses).sort(), ["200", "202", "400", "401", "403", "404", "409", "501", "502", "503"])
  const events = doc.paths["/api/v1/events"]?.["get"]
  assert.deepEqual(events?.parameters?.map((p) => p.name), ["limit", "after", "ups", "kinds"])
  for (const path of ["/api/v1/ups", "/api/v1/ups/{ups}/fsd", "/api/v1/ups/{ups}/commands/{cmd}", "/api/v1/monitor", "/api/v1/events/stream", "/ups_metrics", "/metrics"]) {
    assert.ok(doc.paths[path], `${path} is documented`)
  }
  // drills run from the CLI (nutctl drill): the API offers no stand-in that only answers 501
  assert.equal(doc.paths["/api/v1/shutdown/drill"], undefined)
})

/**
 * The plan view of `nutctl serve` (_shutdown-view.ts): its values from a fed budget, progress
 * events, a UPS directory and the drill record; and startHttp() serving them on 127.0.0.1.
 */
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "node:test"
import { createConsola } from "consola"
import { memoryConfigFs, parseNutctlConfig } from "../config/index.ts"
import type { MonitorSnapshot, MonitorView, SupplyView, UpsDirectory, UpsReading } from "../http/index.ts"
import { NutServer, type ServedUps } from "../server/index.ts"
import { saveDrillRecord } from "../shutdown/index.ts"
import { createStore } from "../store/index.ts"
import { UpsState } from "../ups/index.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { eventually } from "../../test/support/eventually.ts"
import { clusterRole, createClusterMonitor } from "./_cluster-monitor.ts"
import { startHttp } from "./_http.ts"
import { budgetSeconds, createShutdownTracker } from "./_shutdown-view.ts"

const quiet = createConsola({ level: -999 })
const timeline = (n: number) => ({ entries: Array.from({ length: n }, (_, i) => ({ key: `x/${i}` })) })

function supply(system: string, powerValue: number): SupplyView {
  return { system, role: "primary", powerValue, comm: "ok", status: "OL", online: true, onBattery: false, lowBattery: false, fsd: false, critical: false }
}

function monitorOf(...supplies: SupplyView[]): MonitorView {
  const snap: MonitorSnapshot = { phase: "monitoring", powerValue: 1, minSupplies: 1, supplies }
  return { snapshot: () => snap }
}

function directoryOf(server: string, runtimes: Record<string, string | undefined>): UpsDirectory {
  const read = (name: string): UpsReading | undefined => {
    if (!(name in runtimes)) return undefined
    const value = runtimes[name]
    return {
      name,
      desc: undefined,
      availability: value === undefined ? "not-connected" : "ok",
      status: "OL",
      fsd: false,
      variables: value === undefined ? [] : [{ name: "battery.runtime", value, description: "" }],
      commands: [],
      clients: [],
      updatedAt: 1,
    }
  }
  return { server, list: () => Object.keys(runtimes).map((name) => ({ name, desc: undefined })), read, subscribe: () => () => {} }
}

test("plan(): nothing without a plan; steps and need from the layout; done and running from the runner's progress", () => {
  const { feed, view } = createShutdownTracker({ host: "nas" })
  const plan = () => view({ directory: directoryOf("local", {}), monitor: monitorOf() }).plan()
  assert.equal(plan(), undefined, "no monitor was built")
  feed.role(0)
  feed.budget({ needMs: 60_000, timeline: timeline(1) })
  assert.equal(plan(), undefined, "a role without executors has no plan")
  feed.role(2)
  assert.equal(plan(), undefined, "not laid out yet")
  feed.budget({ needMs: 180_000, timeline: timeline(3) })
  assert.deepEqual(plan(), { steps: 3, done: 0, needSeconds: 180, running: false })

  const steps = [1, 2, 3, 4].map((i) => ({ key: `x/${i}`, description: "", estimateMs: 1000 }))
  feed.progress({ kind: "start", at: 1, host: "nas", runId: "r1", dryRun: false, resumed: false, steps, estimateMs: 4000 })
  feed.progress({ kind: "step-start", at: 2, key: "x/1", description: "" })
  feed.progress({ kind: "step-end", at: 3, key: "x/1", state: "done", elapsedMs: 1 })
  feed.progress({ kind: "step-end", at: 4, key: "x/2", state: "failed", elapsedMs: 1, error: "boom" })
  feed.progress({ kind: "step-end", at: 5, key: "x/3", state: "aborted", elapsedMs: 1 })
  // while it runs, the run's own plan counts (a guest appeared since the layout)
  assert.deepEqual(plan(), { steps: 4, done: 2, needSeconds: 180, running: true })
  feed.progress({ kind: "end", at: 6, state: "failed", failures: ["boom"], elapsedMs: 5 })
  assert.deepEqual(plan(), { steps: 3, done: 2, needSeconds: 180, running: false })

  // a new monitor (SIGHUP) starts over; a run before any layout needs its estimate with the margin
  feed.role(1)
  feed.progress({ kind: "start", at: 7, host: "nas", runId: "r2", dryRun: false, resumed: true, steps: steps.slice(0, 2), estimateMs: 40_000 })
  feed.progress({ kind: "step-end", at: 8, key: "x/1", state: "skipped", elapsedMs: 0 })
  assert.deepEqual(plan(), { steps: 2, done: 1, needSeconds: 80, running: true })
})

test("budgetSeconds(): battery.runtime of the supplies that power the host, the least; undefined when unknown", () => {
  const local = directoryOf("local", { rack: "1500", small: "600", gone: undefined, odd: "n/a" })
  assert.equal(budgetSeconds(local, monitorOf(supply("rack@localhost", 1))), 1500)
  assert.equal(budgetSeconds(local, monitorOf(supply("rack@localhost", 1), supply("small@localhost:3493", 1))), 600)
  assert.equal(budgetSeconds(local, monitorOf(supply("rack@localhost", 1), supply("small@localhost", 0))), 1500, "a watched-only supply does not feed the host")
  assert.equal(budgetSeconds(local, monitorOf(supply("gone@localhost", 1))), undefined, "driver not connected")
  assert.equal(budgetSeconds(local, monitorOf(supply("odd@localhost", 1))), undefined, "not a number")
  assert.equal(budgetSeconds(local, monitorOf(supply("other@localhost", 1))), undefined, "not in the directory")
  assert.equal(budgetSeconds(local, { snapshot: () => undefined }), undefined, "no monitor")
  // a secondary's directory polls the primary: only supplies on that server count
  const polled = directoryOf("10.0.30.10:3493", { rack: "900" })
  assert.equal(budgetSeconds(polled, monitorOf(supply("rack@10.0.30.10", 1))), 900)
  assert.equal(budgetSeconds(polled, monitorOf(supply("rack@10.0.30.10:3493", 1))), 900)
  assert.equal(budgetSeconds(polled, monitorOf(supply("rack@10.0.30.11", 1))), undefined)
})

test("lastDrill(): the record nutctl drill saved for this host (or its short name), read again once a minute", async () => {
  const store = createStore()
  try {
    let now = 1_000_000
    const tracker = createShutdownTracker({ host: "nas.lan", store, now: () => now })
    const lastDrill = () => tracker.view({ directory: directoryOf("local", {}), monitor: monitorOf() }).lastDrill()
    await tracker.refreshDrill()
    assert.equal(lastDrill(), undefined)
    await saveDrillRecord(store, { version: 1, host: "nas", at: 900_000, ok: true, elapsedMs: 2500 })
    assert.equal(lastDrill(), undefined, "read at most once a minute")
    now += 60_000
    lastDrill()
    await tracker.refreshDrill()
    assert.deepEqual(lastDrill(), { at: 900_000, ok: true, seconds: 2.5 })
    await saveDrillRecord(store, { version: 1, host: "nas.lan", at: 950_000, ok: false, elapsedMs: 1000 })
    await tracker.refreshDrill()
    assert.deepEqual(lastDrill(), { at: 950_000, ok: false, seconds: 1 }, "the full name wins")
    // a hand-edited file is no drill
    await store.budgets.set("drill@nas.lan", { version: 1, at: "yesterday" })
    await tracker.refreshDrill()
    assert.deepEqual(lastDrill(), { at: 900_000, ok: true, seconds: 2.5 })
  } finally {
    await store.dispose()
  }
})

test("createClusterMonitor() feeds the view: the plan is laid out (dry) to be shown, even without runtimeBelow", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-plan-view-"))
  const halt = new AbortController()
  try {
    const yaml = [
      "roles:",
      // nothing listens on port 9: the loop polls in vain, the layout does not need the UPS
      '  - { hosts: "pve1", role: secondary, monitor: ["rack@127.0.0.1:9"], shutdown: [marker] }',
      "executors:",
      `  marker: { type: command, command: "echo x >> ${join(dir, "marker")}" }`,
    ].join("\n")
    const loaded = parseNutctlConfig(yaml, { file: join(dir, "nutctl.yaml") })
    const tracker = createShutdownTracker({ host: "pve1" })
    const monitor = await createClusterMonitor({ cluster: clusterRole(loaded, "pve1"), log: quiet, dryRun: true, wall: false, env: () => undefined, fs: memoryConfigFs({}), clock: new ManualClock(1_000_000), shutdownFeed: tracker.feed })
    assert.ok(monitor?.beside)
    const beside = monitor.beside(halt.signal)
    const plan = () => tracker.view({ directory: directoryOf("local", {}), monitor: monitorOf() }).plan()
    // one command step, nothing learned: its 120 s timeout × 1.25 + 30 s
    assert.deepEqual(await eventually(async () => plan(), "the laid-out plan"), { steps: 1, done: 0, needSeconds: 180, running: false })
    halt.abort()
    await beside
    await monitor.dispose?.()
  } finally {
    halt.abort()
    rmSync(dir, { recursive: true, force: true })
  }
})

test("startHttp() with the view: /api/v1/shutdown and the nutctl_shutdown_* / nutctl_drill_last_* metrics", async () => {
  const state = new UpsState()
  state.setInfo("ups.status", "OL")
  state.setInfo("battery.runtime", "1500")
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  const ups: ServedUps[] = [{ name: "rack", desc: undefined, state }]
  const server = new NutServer({ settings: { listen: [{ host: "127.0.0.1", port: 0 }], maxAge: 15, maxConn: 16, trackingDelay: 60 }, ups, users: [], log: { debug() {}, info() {}, warn() {}, error() {} } })
  const addresses = await server.listen()
  const store = createStore()
  await saveDrillRecord(store, { version: 1, host: "nas", at: 1_700_000_000_000, ok: true, elapsedMs: 4000 })
  const tracker = createShutdownTracker({ host: "nas", store })
  await tracker.refreshDrill()
  tracker.feed.role(1)
  tracker.feed.budget({ needMs: 240_000, timeline: timeline(4) })
  const upsd = { server, ups, addresses, reload: async () => ({ changed: [], restart: [], upsListChanged: false }), stop: async () => undefined }
  const http = await startHttp({ listen: { host: "127.0.0.1", port: 0 }, upsd, users: [], shutdown: (h) => tracker.view(h), log: quiet })
  http.attachMonitor(monitorOf(supply("rack@localhost", 1)))
  const url = `http://127.0.0.1:${http.address.port}`
  try {
    const metrics = await (await fetch(`${url}/metrics`)).text()
    assert.match(metrics, /^nutctl_shutdown_plan_steps 4$/m)
    assert.match(metrics, /^nutctl_shutdown_plan_steps_done 0$/m)
    assert.match(metrics, /^nutctl_shutdown_plan_running 0$/m)
    assert.match(metrics, /^nutctl_shutdown_plan_need_seconds 240$/m)
    assert.match(metrics, /^nutctl_shutdown_budget_seconds 1500$/m)
    assert.match(metrics, /^nutctl_shutdown_budget_margin_seconds 1260$/m)
    assert.match(metrics, /^nutctl_drill_last_success 1$/m)
    assert.match(metrics, /^nutctl_drill_last_duration_seconds 4$/m)
    assert.deepEqual(await (await fetch(`${url}/api/v1/shutdown`)).json(), {
      available: true,
      plan: { steps: 4, done: 0, needSeconds: 240, running: false },
      budgetSeconds: 1500,
      marginSeconds: 1260,
      lastDrill: { at: 1_700_000_000_000, ok: true, seconds: 4 },
    })
    // the battery wore out: the margin turns negative (contrib/prometheus/alerts.yml ShutdownBudgetShort)
    state.setInfo("battery.runtime", "200")
    assert.match(await (await fetch(`${url}/metrics`)).text(), /^nutctl_shutdown_budget_margin_seconds -40$/m)
  } finally {
    await http.stop()
    await server.close()
    await store.dispose()
  }
})

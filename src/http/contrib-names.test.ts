/**
 * contrib/grafana/nutctl.json and contrib/prometheus/alerts.yml may only use metric names nutctl
 * exports: `network_ups_tools_<var>` for a NUT variable (or device_info / ups_status), and the
 * `nutctl_*` names of a fully wired app (primary and secondary).
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { parseYAML } from "confbox"
import { VAR_DESCRIPTIONS } from "../ups/cmdvartab.generated.ts"
import { UpsState } from "../ups/index.ts"
import { parsePromText } from "../../test/support/prom-text.ts"
import { labelValuesMetric, promqlMetricNames } from "../../test/support/promql-names.ts"
import { createHttpApp } from "./app.ts"
import { createLocalDirectory, readLocal } from "./local-directory.ts"
import type { MonitorView, ServerView, ShutdownView, UpsDirectory } from "./types.ts"

const root = new URL("../../", import.meta.url)

async function exportedNames(): Promise<Set<string>> {
  const state = new UpsState()
  for (const [k, v] of Object.entries({ "battery.charge": "50", "ups.status": "OL", "device.model": "X" })) state.setInfo(k, v)
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  const ups = [{ name: "rack", desc: undefined, state }]
  const server: ServerView = { connections: () => 1, numLogins: () => 1, requests: () => new Map([["GET", 3]]) }
  const monitor: MonitorView = {
    snapshot: () => ({ phase: "monitoring", powerValue: 1, minSupplies: 1, supplies: [{ system: "rack@localhost", role: "primary", powerValue: 1, comm: "ok", status: "OL", online: true, onBattery: false, lowBattery: false, fsd: false, critical: false }] }),
  }
  const shutdown: ShutdownView = { plan: () => ({ steps: 3, done: 0, needSeconds: 200, running: false }), budgetSeconds: () => 600, lastDrill: () => ({ at: 1, ok: true, seconds: 180 }) }
  const primary = createHttpApp({ version: "t", directory: createLocalDirectory({ ups }), server, monitor, shutdown, driverStats: () => ({ polls: 1, errors: 0, lastPollSeconds: 0.01 }) })
  const remote: UpsDirectory = {
    server: "10.0.30.10:3493",
    list: () => [{ name: "rack", desc: undefined }],
    read: () => readLocal(ups[0] as (typeof ups)[0], []),
    subscribe: () => () => undefined,
    comm: () => ({ state: "ok", errors: 0, lastOkAt: 1, lastPollMs: 3 }),
  }
  const secondary = createHttpApp({ version: "t", directory: remote, monitor, shutdown })
  const names = new Set<string>()
  for (const app of [primary, secondary]) {
    await app.request("/api/v1/ups") // so nutctl_http_requests_total has a sample
    for (const path of ["/metrics", "/ups_metrics"]) for (const s of parsePromText(await (await app.request(path)).text()).samples) names.add(s.name)
  }
  return names
}

/** A network_ups_tools_* name nutctl exports for some UPS: one per NUT variable. */
function isNutVariableMetric(name: string): boolean {
  if (name === "network_ups_tools_device_info" || name === "network_ups_tools_ups_status") return true
  return Object.keys(VAR_DESCRIPTIONS).some((v) => `network_ups_tools_${v.replaceAll(".", "_").replaceAll("-", "_")}` === name)
}

function check(used: ReadonlySet<string>, exported: ReadonlySet<string>, where: string): void {
  assert.ok(used.size > 0, `${where}: no metric names found`)
  for (const name of used) {
    const ok = name.startsWith("network_ups_tools_") ? isNutVariableMetric(name) : exported.has(name)
    assert.ok(ok, `${where} uses ${name}, which nutctl does not export`)
  }
}

test("contrib/grafana/nutctl.json uses only metric names nutctl exports", async () => {
  const dash = JSON.parse(readFileSync(new URL("contrib/grafana/nutctl.json", root), "utf8")) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>
    templating: { list: Array<{ query?: unknown }> }
    annotations: { list: Array<{ expr?: string }> }
  }
  const used = new Set<string>()
  for (const p of dash.panels) for (const t of p.targets ?? []) for (const n of promqlMetricNames(t.expr)) used.add(n)
  for (const a of dash.annotations.list) if (a.expr) for (const n of promqlMetricNames(a.expr)) used.add(n)
  for (const v of dash.templating.list) {
    const q = typeof v.query === "object" && v.query !== null ? (v.query as { query?: string }).query : undefined
    const metric = q ? labelValuesMetric(q) : undefined
    if (metric) used.add(metric)
  }
  for (const expected of ["network_ups_tools_ups_status", "network_ups_tools_battery_charge", "network_ups_tools_battery_runtime", "network_ups_tools_ups_load", "network_ups_tools_input_voltage"]) {
    assert.ok(used.has(expected), `the dashboard shows ${expected}`)
  }
  check(used, await exportedNames(), "contrib/grafana/nutctl.json")
})

test("contrib/prometheus/alerts.yml uses only metric names nutctl exports", async () => {
  const rules = parseYAML<{ groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }>(readFileSync(new URL("contrib/prometheus/alerts.yml", root), "utf8"))
  const used = new Set<string>()
  const alerts = new Set<string>()
  for (const g of rules.groups) {
    for (const r of g.rules) {
      alerts.add(r.alert)
      for (const n of promqlMetricNames(r.expr)) used.add(n)
    }
  }
  // the list: on battery, low battery, runtime short, replace battery, comm lost, budget
  for (const a of ["UPSOnBattery", "UPSLowBattery", "UPSRuntimeShort", "UPSReplaceBattery", "UPSPrimaryUnreachable", "UPSMonitorCommLost", "ShutdownBudgetShort"]) assert.ok(alerts.has(a), `alerts.yml has ${a}`)
  check(used, await exportedNames(), "contrib/prometheus/alerts.yml")
})

test("promqlMetricNames() skips functions, labels, ranges, grouping and keywords", () => {
  assert.deepEqual(promqlMetricNames('changes(a_b{flag="OB", ups=~"$ups"}[2m]) > 0 and on(instance, ups) c == 1'), ["a_b", "c"])
  assert.deepEqual(promqlMetricNames("sum by (ups) (x) / ignoring(foo) y offset 5m"), ["x", "y"])
})

/**
 * nutctl's own metrics on `/metrics` (`nutctl_*`): UPS availability as the server sees it, the
 * NUT server's connections and requests, the link of a secondary to its primary, the monitor per
 * supply, and the shutdown plan, its runtime budget and the last drill (when a `ShutdownView` is given:
 * `nutctl serve` with a cluster role).
 */
import type { MetricFamily, MetricSample } from "./metric-family.ts"
import type { DriverStats, MonitorView, ServerView, ShutdownView, SupplyView, UpsDirectory } from "./types.ts"

/** What the own metrics read; every source but the directory is optional. */
export interface OwnMetricsSources {
  readonly version: string
  readonly directory: UpsDirectory
  readonly server?: ServerView | undefined
  readonly monitor?: MonitorView | undefined
  readonly shutdown?: ShutdownView | undefined
  readonly driverStats?: ((ups: string) => DriverStats | undefined) | undefined
  /** HTTP requests handled, by method, route and status code. */
  readonly httpRequests?: ReadonlyMap<string, { method: string; route: string; code: string; count: number }> | undefined
}

const MONITOR_PHASES = ["monitoring", "syncing", "finalDelay", "shutdown"] as const

/** Build the `nutctl_*` families (unsorted: the caller sorts everything it renders). */
export function ownFamilies(src: OwnMetricsSources, now: number): MetricFamily[] {
  const out: MetricFamily[] = []
  const add = (name: string, help: string, samples: MetricSample[], type: "gauge" | "counter" = "gauge"): void => {
    out.push({ name, help, type, samples })
  }
  add("nutctl_build_info", "nutctl version (always 1)", [{ labels: { version: src.version }, value: 1 }])

  const available: MetricSample[] = []
  const age: MetricSample[] = []
  const fsd: MetricSample[] = []
  const polls: MetricSample[] = []
  const errors: MetricSample[] = []
  const pollSeconds: MetricSample[] = []
  for (const { name } of src.directory.list()) {
    const r = src.directory.read(name)
    if (!r) continue
    const labels = { ups: r.name }
    available.push({ labels, value: r.availability === "ok" ? 1 : 0 })
    fsd.push({ labels, value: r.fsd ? 1 : 0 })
    if (r.updatedAt > 0) age.push({ labels, value: Math.max(0, (now - r.updatedAt) / 1000) })
    const stats = src.driverStats?.(r.name)
    if (stats) {
      polls.push({ labels, value: stats.polls })
      errors.push({ labels, value: stats.errors })
      if (stats.lastPollSeconds !== undefined) pollSeconds.push({ labels, value: stats.lastPollSeconds })
    }
  }
  add("nutctl_ups_available", "1 when the UPS data can be served (driver connected and data fresh; on a secondary: primary reachable), else 0", available)
  add("nutctl_ups_fsd", "1 while the FSD (forced shutdown) latch is set", fsd)
  add("nutctl_ups_data_age_seconds", "Seconds since the UPS data last changed or was confirmed", age)
  add("nutctl_driver_polls_total", "Driver poll rounds since start", polls, "counter")
  add("nutctl_driver_poll_errors_total", "Driver poll rounds that failed since start", errors, "counter")
  add("nutctl_driver_poll_duration_seconds", "Duration of the driver's last poll round", pollSeconds)

  if (src.server) {
    add("nutctl_nut_connections", "Open NUT protocol client connections", [{ labels: {}, value: src.server.connections() }])
    add(
      "nutctl_nut_logins",
      "Clients logged in to the UPS (NUMLOGINS)",
      src.directory.list().map((u) => ({ labels: { ups: u.name }, value: src.server?.numLogins(u.name) ?? 0 })),
    )
    add(
      "nutctl_nut_requests_total",
      "NUT protocol requests handled since start, by command",
      [...src.server.requests()].map(([command, value]) => ({ labels: { command }, value })),
      "counter",
    )
  }

  const comm = src.directory.comm?.()
  if (comm) {
    const labels = { server: src.directory.server }
    add("nutctl_nut_comm_ok", "1 while the NUT server this node polls answers, else 0", [{ labels, value: comm.state === "ok" ? 1 : 0 }])
    add("nutctl_nut_comm_errors_total", "Failed polls of the NUT server since start", [{ labels, value: comm.errors }], "counter")
    if (comm.lastOkAt !== undefined) add("nutctl_nut_last_poll_success_timestamp_seconds", "When the NUT server last answered a poll (Unix time)", [{ labels, value: comm.lastOkAt / 1000 }])
    if (comm.lastPollMs !== undefined) add("nutctl_nut_poll_duration_seconds", "Duration of the last poll of the NUT server", [{ labels, value: comm.lastPollMs / 1000 }])
  }

  if (src.monitor) out.push(...monitorFamilies(src.monitor))
  if (src.shutdown) out.push(...shutdownFamilies(src.shutdown))

  if (src.httpRequests) {
    add(
      "nutctl_http_requests_total",
      "HTTP requests answered since start, by route and status code",
      [...src.httpRequests.values()].map((r) => ({ labels: { method: r.method, route: r.route, code: r.code }, value: r.count })),
      "counter",
    )
  }
  return out
}

function monitorFamilies(view: MonitorView): MetricFamily[] {
  const m = view.snapshot()
  if (!m) return []
  const perSupply = (name: string, help: string, pick: (s: SupplyView) => number): MetricFamily => ({
    name,
    help,
    type: "gauge",
    samples: m.supplies.map((s) => ({ labels: { system: s.system }, value: pick(s) })),
  })
  return [
    { name: "nutctl_monitor_phase", help: "The monitor's phase: monitoring, syncing (FSD set, waiting for secondaries), finalDelay, shutdown", type: "gauge", samples: MONITOR_PHASES.map((phase) => ({ labels: { phase }, value: m.phase === phase ? 1 : 0 })) },
    { name: "nutctl_monitor_power_value", help: "Sum of the power values of non-critical supplies (upsmon's recalc)", type: "gauge", samples: [{ labels: {}, value: m.powerValue }] },
    { name: "nutctl_monitor_min_supplies", help: "MINSUPPLIES: below this power value the host shuts down", type: "gauge", samples: [{ labels: {}, value: m.minSupplies }] },
    perSupply("nutctl_monitor_supply_comm_ok", "1 while the monitor reaches the supply's UPS data, else 0", (s) => (s.comm === "ok" ? 1 : 0)),
    perSupply("nutctl_monitor_supply_online", "1 while the supply reports OL", (s) => (s.online ? 1 : 0)),
    perSupply("nutctl_monitor_supply_on_battery", "1 while the supply reports OB", (s) => (s.onBattery ? 1 : 0)),
    perSupply("nutctl_monitor_supply_low_battery", "1 while the supply reports LB (or DEADTIME made it so)", (s) => (s.lowBattery ? 1 : 0)),
    perSupply("nutctl_monitor_supply_fsd", "1 while the supply reports FSD", (s) => (s.fsd ? 1 : 0)),
    perSupply("nutctl_monitor_supply_critical", "1 when the monitor counts the supply as critical", (s) => (s.critical ? 1 : 0)),
    perSupply("nutctl_monitor_supply_power_value", "Power supplies of this host the supply feeds (POWERVALUE)", (s) => s.powerValue),
  ]
}

/** The plan, the budget and the last drill: each family only when the view knows its value. */
function shutdownFamilies(view: ShutdownView): MetricFamily[] {
  const out: MetricFamily[] = []
  const one = (name: string, help: string, value: number): void => {
    out.push({ name, help, type: "gauge", samples: [{ labels: {}, value }] })
  }
  const plan = view.plan()
  const budget = view.budgetSeconds()
  if (plan) {
    one("nutctl_shutdown_plan_steps", "Steps of the current shutdown plan", plan.steps)
    one("nutctl_shutdown_plan_steps_done", "Steps of the shutdown plan carried out so far", plan.done)
    one("nutctl_shutdown_plan_running", "1 while the shutdown plan runs", plan.running ? 1 : 0)
    one("nutctl_shutdown_plan_need_seconds", "Time the shutdown plan needs, seconds (learned from runs and drills)", plan.needSeconds)
  }
  if (budget !== undefined) {
    one("nutctl_shutdown_budget_seconds", "Runtime budget for the shutdown: battery runtime of the supply that feeds this host, seconds", budget)
    if (plan) one("nutctl_shutdown_budget_margin_seconds", "Budget minus the plan's need, seconds (negative: the battery no longer covers the plan)", budget - plan.needSeconds)
  }
  const drill = view.lastDrill()
  if (drill) {
    one("nutctl_drill_last_success", "1 when the last drill passed", drill.ok ? 1 : 0)
    one("nutctl_drill_last_timestamp_seconds", "When the last drill ran (Unix time)", drill.at / 1000)
    one("nutctl_drill_last_duration_seconds", "How long the last drill's plan took, seconds", drill.seconds)
  }
  return out
}

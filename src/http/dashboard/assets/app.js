// nutctl dashboard: reads /api/v1 once, then stays live on the SSE stream (EventSource resumes
// with Last-Event-ID by itself). Every text from the server goes in through textContent, never
// as HTML: UPS names and monitor messages come from config files and devices.
import { lineChart, setGauge } from "./chart.js"

// ups.status words, filled in by the server from src/ups/status.ts (one list for CLI and page)
const STATUS_WORDS = /*STATUS_WORDS*/ {}
const VALUE_OF = { "battery.charge": "charge", "battery.runtime": "runtime", "ups.load": "load", "input.voltage": "inputVoltage", "output.voltage": "outputVoltage", "battery.voltage": "batteryVoltage" }
const PHASES = { monitoring: "Monitoring", syncing: "Waiting for the secondaries to log out", finalDelay: "Final delay before shutdown", shutdown: "Shutting down" }
const AVAILABILITY = { ok: "data available", "not-connected": "driver not connected", stale: "data stale", unreachable: "NUT server unreachable" }
const RANGES = { "1h": 3600_000, "6h": 6 * 3600_000, "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000 }

const state = { list: [], ups: null, detail: null, events: [], series: [], intervalMs: 30_000, range: "6h", since: 0, until: 0, seriesAt: 0 }
const $ = (id) => document.getElementById(id)

// ----- status words -----

const tokens = (status) => (status ?? "").split(/\s+/).filter((t) => t !== "")
const words = (status) => tokens(status).map((t) => STATUS_WORDS[t] ?? t).join(", ") || "unknown"
const onBattery = (status) => tokens(status).includes("OB")
function levelOf(status, availability) {
  const t = tokens(status)
  if (availability !== "ok" || t.some((x) => ["LB", "FSD", "OVER", "OFF"].includes(x))) return "crit"
  if (t.some((x) => ["OB", "RB", "BYPASS", "CAL", "ALARM"].includes(x))) return "warn"
  return t.includes("OL") ? "ok" : "unknown"
}
function headline(status, availability) {
  if (availability && availability !== "ok") return `No data: ${AVAILABILITY[availability] ?? availability}`
  const w = words(status)
  return w.charAt(0).toUpperCase() + w.slice(1)
}

// ----- formatting -----

const fmtPct = (v) => `${Math.round(v)} %`
const fmtVolt = (v) => `${Math.round(v)} V`
function fmtDuration(s) {
  if (s < 60) return `${Math.round(s)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 >= 1 && m < 10 ? `${m} min ${Math.round(s % 60)} s` : `${m} min`
  if (m < 48 * 60) return `${Math.floor(m / 60)} h ${m % 60} min`
  return `${Math.round(m / 1440)} days`
}
function fmtTime(t) {
  const d = new Date(t)
  const today = new Date().toDateString() === d.toDateString()
  return today ? d.toLocaleTimeString() : `${d.toLocaleDateString([], { month: "short", day: "numeric" })} ${d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`
}
function ago(t) {
  const s = Math.max(0, Math.round((Date.now() - t) / 1000))
  return s < 2 ? "just now" : `${fmtDuration(s)} ago`
}
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v
    else node.setAttribute(k, v)
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)))
  return node
}

// ----- data -----

async function api(path) {
  const res = await fetch(`api/v1/${path}`, { headers: { accept: "application/json" } })
  if (res.status === 404) return undefined
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`)
  return res.json()
}
function notice(text) {
  $("notice").hidden = text === ""
  $("notice").textContent = text
}
async function guarded(what, run) {
  try {
    await run()
    return true
  } catch (e) {
    notice(`Cannot read ${what}: ${e.message}`)
    return false
  }
}

async function loadUps() {
  state.list = (await api("ups")) ?? []
  const wanted = new URLSearchParams(location.hash.slice(1)).get("ups")
  const chosen = state.list.find((u) => u.name === wanted) ?? state.list[0]
  state.ups = chosen ? chosen.name : null
  const pick = $("ups-pick")
  pick.replaceChildren(...state.list.map((u) => h("option", { value: u.name }, u.description ? `${u.name} – ${u.description}` : u.name)))
  pick.value = state.ups ?? ""
  $("pick-wrap").hidden = state.list.length < 2
}
async function loadDetail() {
  if (!state.ups) return
  state.detail = (await api(`ups/${encodeURIComponent(state.ups)}`)) ?? null
  renderStatus()
  renderGauges()
}
async function loadHistory() {
  if (!state.ups) return
  const r = await api(`ups/${encodeURIComponent(state.ups)}/history?since=${state.range}&points=400`)
  state.series = r?.points ?? []
  state.intervalMs = r?.intervalMs || 30_000
  state.since = r?.since ?? Date.now() - RANGES[state.range]
  $("history-note").textContent = r && !r.available ? "This node keeps no history." : ""
  renderCharts()
}
async function loadEvents() {
  state.events = ((await api("events?limit=1000")) ?? []).filter((e) => e.kind !== "vars")
  renderOutage()
}
async function loadCluster() {
  const [monitor, plan] = await Promise.all([api("monitor"), api("shutdown")])
  renderCluster(monitor)
  renderPlan(plan)
}

// ----- rendering -----

function renderStatus() {
  const d = state.detail
  if (!d) {
    $("ups-name").textContent = state.list.length === 0 ? "No UPS" : state.ups
    $("status-words").textContent = "–"
    return
  }
  $("ups-name").textContent = d.name
  $("ups-desc").textContent = d.description ?? ""
  $("status-words").textContent = headline(d.status, d.availability)
  $("status-raw").textContent = d.status === "" ? "" : d.status
  $("updated").textContent = d.updatedAt ? `· updated ${ago(d.updatedAt)}` : ""
  const section = $("status")
  section.dataset.level = levelOf(d.status, d.availability)
  section.dataset.status = d.status
  document.title = `${d.name}: ${headline(d.status, d.availability)} – nutctl`
}

function renderGauges() {
  const v = state.detail?.values ?? {}
  const ob = onBattery(state.detail?.status)
  setGauge($("g-charge"), {
    fraction: v.charge == null ? null : v.charge / 100,
    text: v.charge == null ? "–" : fmtPct(v.charge),
    now: v.charge ?? null,
    level: v.charge == null ? "ok" : v.charge < 20 ? "crit" : v.charge < 50 && ob ? "warn" : "ok",
  })
  const runtimes = state.series.map((p) => p.runtime).filter((x) => typeof x === "number")
  const max = Math.max(v.runtime ?? 0, ...runtimes, 60)
  const need = state.plan?.plan?.needSeconds
  setGauge($("g-runtime"), {
    fraction: v.runtime == null ? null : v.runtime / max,
    text: v.runtime == null ? "–" : fmtDuration(v.runtime),
    valueText: v.runtime == null ? "unknown" : `${fmtDuration(v.runtime)} of up to ${fmtDuration(max)}`,
    now: v.runtime ?? null,
    max,
    level: v.runtime == null ? "ok" : need !== undefined && v.runtime < need ? "crit" : ob ? "warn" : "ok",
  })
  const load = $("g-load")
  load.querySelector(".bar-fill").style.width = `${Math.min(100, v.load ?? 0)}%`
  load.dataset.level = v.load >= 90 ? "crit" : v.load >= 75 ? "warn" : "ok"
  if (v.load == null) load.removeAttribute("aria-valuenow")
  else load.setAttribute("aria-valuenow", String(v.load))
  $("load-text").textContent = v.load == null ? "–" : fmtPct(v.load)
  $("v-in").textContent = v.inputVoltage == null ? "–" : fmtVolt(v.inputVoltage)
  $("v-out").textContent = v.outputVoltage == null ? "–" : fmtVolt(v.outputVoltage)
  $("v-batt").textContent = v.batteryVoltage == null ? "–" : `${v.batteryVoltage.toFixed(1)} V`
}

function renderPlan(plan) {
  state.plan = plan
  const body = $("plan-body")
  if (!plan || !plan.available || !plan.plan) {
    body.replaceChildren(h("p", { class: "muted" }, "No plan: this node has no shutdown plan configured."))
    if (plan?.lastDrill) body.append(drillLine(plan.lastDrill))
    return
  }
  const p = plan.plan
  const budget = plan.budgetSeconds
  const scale = Math.max(p.needSeconds, budget ?? 0, 1)
  const bar = (cls, label, seconds) => {
    const fill = h("div", { class: "bar-fill" })
    fill.style.width = `${Math.min(100, (seconds / scale) * 100)}%`
    return h("div", { class: cls }, h("p", { class: "bar-label" }, h("span", {}, label), h("span", {}, fmtDuration(seconds))), h("div", { class: "bar", role: "meter", "aria-label": label, "aria-valuemin": "0", "aria-valuemax": String(Math.round(scale)), "aria-valuenow": String(Math.round(seconds)) }, fill))
  }
  const margin = plan.marginSeconds
  body.replaceChildren(
    h("div", { class: "budget" }, bar("need", "Plan needs", p.needSeconds), ...(budget == null ? [] : [bar("have", "Runtime budget", budget)])),
    h("p", {}, margin == null ? "Budget unknown (no runtime reading)." : margin >= 0 ? h("span", { class: "good" }, `Covered, ${fmtDuration(margin)} to spare`) : h("span", { class: "bad" }, `Short by ${fmtDuration(-margin)}`)),
    h("p", {}, `${p.done} of ${p.steps} steps done${p.running ? " · running now" : ""}`),
  )
  if (plan.lastDrill) body.append(drillLine(plan.lastDrill))
}
function drillLine(d) {
  return h("p", {}, "Last drill: ", h("span", { class: d.ok ? "good" : "bad" }, d.ok ? "passed" : "failed"), ` ${ago(d.at)}, took ${fmtDuration(d.seconds)}`)
}

function renderCluster(monitor) {
  const body = $("cluster-body")
  const parts = []
  if (!monitor) {
    parts.push(h("p", { class: "muted" }, "No monitor runs on this node."))
  } else {
    parts.push(h("dl", { class: "kv" }, h("dt", {}, "This host"), h("dd", {}, PHASES[monitor.phase] ?? monitor.phase), h("dt", {}, "Power value"), h("dd", {}, `${monitor.powerValue} (needs ${monitor.minSupplies})`)))
    const rows = monitor.supplies.map((s) => {
      const level = s.comm !== "ok" || s.critical ? "crit" : s.onBattery ? "warn" : "ok"
      const ready = s.comm === "lost" ? "communication lost" : s.critical ? "critical" : s.comm === "ok" ? "ready" : "connecting"
      return h("tr", {}, h("td", {}, s.system), h("td", {}, s.role), h("td", {}, h("span", { class: `pill ${level}` }, ready)), h("td", {}, s.status == null ? "–" : words(s.status)))
    })
    parts.push(h("div", { class: "table-wrap" }, h("table", {}, h("caption", { class: "sr-only" }, "Supplies this host monitors"), h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Supply"), h("th", { scope: "col" }, "Role"), h("th", { scope: "col" }, "Connection"), h("th", { scope: "col" }, "Status"))), h("tbody", {}, ...rows))))
  }
  const clients = state.detail?.clients ?? []
  const server = state.detail?.server
  parts.push(h("p", {}, server && server !== "local" ? `Reading ${state.ups} from ${server}.` : `Logged in to ${state.ups ?? "the UPS"}: ${clients.length === 0 ? "no clients" : ""}`))
  if (clients.length > 0) parts.push(h("ul", {}, ...clients.map((c) => h("li", {}, c))))
  body.replaceChildren(...parts)
}

function renderCharts() {
  const until = Date.now()
  // a history shorter than the range fills the chart (at least 10 minutes wide)
  const first = state.series[0]?.at ?? until
  const since = Math.max(state.since || until - RANGES[state.range], Math.min(first, until - 600_000))
  const common = { points: state.series, since, until, intervalMs: state.intervalMs }
  $("charts").replaceChildren(
    lineChart({ ...common, key: "charge", label: "Charge", unit: "%", min: 0, max: 100, format: fmtPct }),
    lineChart({ ...common, key: "runtime", label: "Runtime", unit: "s", min: 0, format: fmtDuration }),
    lineChart({ ...common, key: "load", label: "Load", unit: "%", min: 0, max: 100, format: fmtPct }),
    lineChart({ ...common, key: "inputVoltage", label: "Input voltage", unit: "V", format: fmtVolt }),
  )
}

// ----- outage log -----

const isStart = (e) => (e.kind === "status" && onBattery(e.status) && !onBattery(e.previous)) || (e.kind === "notify" && e.type === "ONBATT")
const isEnd = (e) => (e.kind === "status" && !onBattery(e.status) && onBattery(e.previous)) || (e.kind === "notify" && e.type === "ONLINE")
function concerns(e, ups) {
  if (!ups) return true
  const want = ups.toLowerCase()
  if ("ups" in e) return e.ups.toLowerCase() === want
  const system = e.system?.toLowerCase()
  return system === undefined || system === want || system.startsWith(`${want}@`)
}
function describe(e) {
  switch (e.kind) {
    case "status": return `${e.ups}: ${words(e.status)} (was ${words(e.previous)})`
    case "availability": return `${e.ups}: ${AVAILABILITY[e.availability] ?? e.availability}`
    case "fsd": return `${e.ups}: forced shutdown ${e.fsd ? "set" : "cleared"}`
    default: return e.message ?? e.kind
  }
}
function logItem(e) {
  const level = e.level === "error" || e.type === "LOWBATT" || e.type === "FSD" || (e.kind === "status" && levelOf(e.status, "ok") === "crit") ? "crit" : e.level === "warning" || isStart(e) ? "warn" : ""
  return h("li", {}, h("time", { datetime: new Date(e.at).toISOString() }, fmtTime(e.at)), h("span", { class: level }, describe(e)))
}
function renderOutage() {
  const mine = state.events.filter((e) => concerns(e, state.ups))
  let start = -1
  for (let i = mine.length - 1; i >= 0; i--) if (isStart(mine[i])) { start = i; break }
  $("recent-log").replaceChildren(...mine.slice(-15).reverse().map(logItem))
  if (start < 0) {
    $("outage-summary").textContent = "No outage recorded."
    $("outage-log").replaceChildren()
    return
  }
  const t0 = mine[start].at
  const end = mine.slice(start + 1).find(isEnd)
  const shown = mine.filter((e) => e.at >= t0 - 60_000 && (!end || e.at <= end.at + 300_000))
  $("outage-summary").textContent = end ? `On battery ${fmtTime(t0)} for ${fmtDuration((end.at - t0) / 1000)}.` : `On battery since ${fmtTime(t0)} (${ago(t0)}).`
  $("outage-log").replaceChildren(...shown.map(logItem))
}

// ----- live -----

let redraw = 0
const timers = new Map()
/** Reload the monitor and plan, or the UPS detail, shortly after events (one reload per burst). */
function soon(what, ms) {
  clearTimeout(timers.get(what))
  timers.set(what, setTimeout(() => void guarded(what === "cluster" ? "the monitor" : "the UPS", what === "cluster" ? loadCluster : loadDetail), ms))
}
function onVars(e) {
  if (!state.detail || e.ups.toLowerCase() !== state.ups?.toLowerCase()) return
  const values = { ...state.detail.values }
  for (const [name, raw] of Object.entries(e.values)) {
    const key = VALUE_OF[name.toLowerCase()]
    if (key) values[key] = raw === null || raw.trim() === "" || !Number.isFinite(Number(raw)) ? null : Number(raw)
  }
  state.detail = { ...state.detail, values, updatedAt: e.at }
  renderGauges()
  addPoint(e.at)
}
function onUpsEvent(e) {
  const u = state.list.find((x) => x.name.toLowerCase() === e.ups.toLowerCase())
  if (u && e.kind === "status") u.status = e.status
  if (!state.detail || e.ups.toLowerCase() !== state.ups?.toLowerCase()) return
  if (e.kind === "status") state.detail = { ...state.detail, status: e.status }
  if (e.kind === "availability") state.detail = { ...state.detail, availability: e.availability }
  if (e.kind === "fsd") state.detail = { ...state.detail, fsd: e.fsd }
  renderStatus()
  renderGauges()
  addPoint(e.at, true)
  soon("detail", 300)
}
function addPoint(at, now) {
  const v = state.detail.values
  if (!now && at - state.seriesAt < 5000) return
  state.seriesAt = at
  state.series.push({ at, charge: v.charge, runtime: v.runtime, load: v.load, inputVoltage: v.inputVoltage, outputVoltage: v.outputVoltage, onBattery: onBattery(state.detail.status) })
  cancelAnimationFrame(redraw)
  redraw = requestAnimationFrame(renderCharts)
}
function connect() {
  const live = $("live")
  const source = new EventSource("api/v1/events/stream")
  source.addEventListener("open", () => {
    live.dataset.state = "live"
    live.textContent = "live"
  })
  source.addEventListener("error", () => {
    live.dataset.state = "down"
    live.textContent = "reconnecting…"
  })
  source.addEventListener("vars", (m) => onVars(JSON.parse(m.data)))
  for (const kind of ["status", "availability", "fsd", "notify", "decision"]) {
    source.addEventListener(kind, (m) => {
      const e = JSON.parse(m.data)
      if (!state.events.some((x) => x.id === e.id)) state.events.push(e)
      if ("ups" in e) onUpsEvent(e)
      renderOutage()
      soon("cluster", 300)
    })
  }
}

async function start() {
  $("ups-pick").addEventListener("change", (ev) => {
    location.hash = `ups=${encodeURIComponent(ev.target.value)}`
  })
  window.addEventListener("hashchange", () => void guarded("the UPS", async () => {
    await loadUps()
    await Promise.all([loadDetail(), loadHistory()])
    renderOutage()
  }))
  for (const b of document.querySelectorAll(".range button")) {
    b.addEventListener("click", () => {
      state.range = b.dataset.range
      for (const x of document.querySelectorAll(".range button")) x.setAttribute("aria-pressed", String(x === b))
      void guarded("the history", loadHistory)
    })
  }
  await guarded("the UPS list", loadUps)
  await Promise.all([guarded("the UPS", loadDetail), guarded("the history", loadHistory), guarded("the events", loadEvents)])
  await guarded("the monitor", loadCluster)
  connect()
  // clients, the monitor and the plan have no events of their own: read them now and then
  setInterval(async () => {
    const ok = await Promise.all([guarded("the UPS", loadDetail), guarded("the monitor", loadCluster)])
    if (ok.every(Boolean)) notice("")
  }, 10_000)
  setInterval(() => {
    renderStatus()
    renderCharts()
  }, 30_000)
  document.body.dataset.ready = "true"
}

void start()

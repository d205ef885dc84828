// Inline SVG for the dashboard: semicircle gauges and line charts with on-battery shading. No
// chart library: a chart is one <svg> of a few hundred points, redrawn whole when data changes.
const NS = "http://www.w3.org/2000/svg"
// small enough that 12 px labels stay readable on a phone, where the chart is ~350 px wide
const W = 400
const H = 130
const PAD = { left: 48, right: 6, top: 8, bottom: 20 }

/** Set a gauge (semicircle arc, value text, meter attributes). `fraction` is 0…1 or null. */
export function setGauge(el, { fraction, text, valueText, now, max, level }) {
  const pct = fraction === null ? 0 : Math.max(0, Math.min(1, fraction)) * 100
  const fill = el.querySelector(".fill")
  fill.setAttribute("stroke-dasharray", `${pct} 100`)
  // a zero-length dash still draws its round cap: hide it
  fill.setAttribute("stroke-opacity", pct > 0 ? "1" : "0")
  el.querySelector(".value").textContent = text
  el.dataset.level = level ?? "ok"
  if (now === null) el.removeAttribute("aria-valuenow")
  else el.setAttribute("aria-valuenow", String(now))
  if (max !== undefined) el.setAttribute("aria-valuemax", String(max))
  el.setAttribute("aria-valuetext", valueText ?? text)
}

/**
 * A line chart of one value of the power history.
 * @param {{ key: string, label: string, unit: string, points: any[], since: number, until: number,
 *   intervalMs: number, min?: number, max?: number, format: (v: number) => string }} o
 */
export function lineChart(o) {
  const figure = document.createElement("figure")
  figure.className = `chart ${o.key}`
  const caption = document.createElement("figcaption")
  const values = o.points.map((p) => p[o.key]).filter((v) => typeof v === "number")
  const lastValue = values.length > 0 ? values[values.length - 1] : null
  const name = document.createElement("span")
  name.textContent = o.label
  const now = document.createElement("span")
  now.textContent = lastValue === null ? "–" : o.format(lastValue)
  caption.append(name, now)

  let lo = o.min ?? (values.length > 0 ? Math.min(...values) : 0)
  let hi = o.max ?? (values.length > 0 ? Math.max(...values) : 1)
  if (o.min === undefined && o.max === undefined) {
    const pad = Math.max((hi - lo) * 0.1, 1)
    lo = Math.max(0, Math.floor(lo - pad))
    hi = Math.ceil(hi + pad)
  } else if (o.max === undefined) {
    hi = Math.max(hi * 1.1, lo + 1)
  }
  const span = Math.max(1, o.until - o.since)
  const x = (t) => PAD.left + ((t - o.since) / span) * (W - PAD.left - PAD.right)
  const y = (v) => PAD.top + (1 - (v - lo) / Math.max(1e-9, hi - lo)) * (H - PAD.top - PAD.bottom)

  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img" })
  const summary = values.length === 0
    ? `${o.label}: no data in this range`
    : `${o.label}: now ${o.format(lastValue)}, lowest ${o.format(Math.min(...values))}, highest ${o.format(Math.max(...values))}`
  svg.setAttribute("aria-label", summary)
  const title = el("title", {})
  title.textContent = summary
  svg.append(title)

  // shaded spans while on battery: from a point on battery to the next point
  const gap = Math.max(o.intervalMs, 1000) * 2.5
  for (let i = 0; i < o.points.length; i++) {
    const p = o.points[i]
    if (!p.onBattery) continue
    const next = o.points[i + 1]
    const end = next && next.at - p.at <= gap ? next.at : Math.min(o.until, p.at + o.intervalMs)
    svg.append(el("rect", { class: "ob", x: x(p.at), y: PAD.top, width: Math.max(1, x(end) - x(p.at)), height: H - PAD.top - PAD.bottom }))
  }
  for (const v of [lo, (lo + hi) / 2, hi]) {
    svg.append(el("line", { class: "grid", x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }))
    const t = el("text", { class: "axis", x: PAD.left - 4, y: y(v) + 4, "text-anchor": "end" })
    t.textContent = o.format(v)
    svg.append(t)
  }
  for (const [t, anchor] of [[o.since, "start"], [o.until, "end"]]) {
    const label = el("text", { class: "axis", x: x(t), y: H - 4, "text-anchor": anchor })
    label.textContent = clock(t, span)
    svg.append(label)
  }

  // one path; a gap (no sample for a while, or no value) lifts the pen
  let d = ""
  let prev = null
  for (const p of o.points) {
    const v = p[o.key]
    if (typeof v !== "number") {
      prev = null
      continue
    }
    const move = prev === null || p.at - prev.at > gap
    d += `${move ? "M" : "L"}${x(p.at).toFixed(1)} ${y(v).toFixed(1)}`
    prev = p
  }
  if (d !== "") svg.append(el("path", { class: "line", d }))
  figure.append(caption, svg)
  return figure
}

function el(name, attrs) {
  const node = document.createElementNS(NS, name)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v))
  return node
}

function clock(t, span) {
  const d = new Date(t)
  return span > 36 * 3600_000 ? d.toLocaleDateString([], { month: "short", day: "numeric" }) : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
}

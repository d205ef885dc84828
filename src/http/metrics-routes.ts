/**
 * `/ups_metrics` (nut_exporter's UPS path: one UPS, no labels, its query parameters and failure
 * answers) and `/metrics` (the same series for every UPS with an `ups` label, plus nutctl's own
 * and the process metrics), so both an existing nut_exporter scrape config and a bare
 * `targets: ["host:9199"]` job work.
 */
import { Hono } from "hono"
import { exporterFamilies, mergeFamilies, type ExporterOptions } from "./exporter.ts"
import { PROMETHEUS_CONTENT_TYPE, renderFamilies, type MetricFamily } from "./metric-family.ts"
import type { NutTarget } from "./nut-read.ts"
import { ownFamilies, type OwnMetricsSources } from "./own-metrics.ts"
import type { UpsDirectory } from "./types.ts"

export interface MetricsRoutesOptions {
  readonly directory: UpsDirectory
  readonly exporter: ExporterOptions
  /**
   * Read another NUT server for `?server=` (nut_exporter connects wherever it is told). Without
   * it, `server` may only name this node's own data source.
   */
  readonly fetchRemote?: ((target: NutTarget) => Promise<UpsDirectory>) | undefined
  /**
   * Does `?server=host&serverport=port` name this process's own NUT server (then the local data
   * is read in memory)? @default a loopback name with port 3493
   */
  readonly isLocalServer?: ((host: string, port: number) => boolean) | undefined
  /** Sources of the `nutctl_*` metrics on `/metrics`. */
  readonly own: () => OwnMetricsSources
  /** The process metrics text (prom-client's default metrics) appended to `/metrics`. */
  readonly processMetrics?: (() => Promise<string>) | undefined
  readonly now: () => number
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1"])

/** The two metrics routes, as a sub-app mounted at `/`. */
export function metricsRoutes(options: MetricsRoutesOptions): Hono {
  const app = new Hono()
  // promhttp.InstrumentMetricHandler's counters, kept per handler as nut_exporter keeps one
  // handler per server/ups pair
  const handlers = new Map<string, { codes: Map<string, number>; inFlight: number }>()

  async function instrumented(key: string, produce: () => Promise<{ status: 200 | 500; body: string; families?: MetricFamily[] }>): Promise<Response> {
    let h = handlers.get(key)
    if (!h) handlers.set(key, (h = { codes: new Map([["200", 0], ["500", 0], ["503", 0]]), inFlight: 0 }))
    h.inFlight++
    try {
      const out = await produce()
      let body = out.body
      if (out.status === 200) body = await renderFamilies([...(out.families ?? []), ...promhttpFamilies(h)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) + body
      h.codes.set(String(out.status), (h.codes.get(String(out.status)) ?? 0) + 1)
      return new Response(body, { status: out.status, headers: { "content-type": out.status === 200 ? PROMETHEUS_CONTENT_TYPE : "text/plain; charset=utf-8" } })
    } finally {
      h.inFlight--
    }
  }

  async function pickDirectory(q: URLSearchParams): Promise<UpsDirectory | string> {
    const server = q.get("server") ?? ""
    if (server === "") return options.directory
    const portText = q.get("serverport") ?? ""
    // nut_exporter 3.2.5 only takes serverport when it fails to parse (a bug); a number is used here
    const port = /^\d+$/.test(portText) && Number(portText) > 0 && Number(portText) < 65536 ? Number(portText) : 3493
    const own = options.directory.server
    const host = server.replace(/^\[(.*)\]$/, "$1")
    const isLocal = options.isLocalServer ?? ((h: string, p: number) => LOOPBACK.has(h.toLowerCase()) && p === 3493)
    if ((own === "local" && isLocal(host, port)) || own === `${host}:${port}` || own === `[${host}]:${port}`) return options.directory
    if (!options.fetchRemote) return `Cannot read NUT server ${server}:${port}: the server parameter is disabled in nutctl's http.metrics settings`
    const username = q.get("username") ?? ""
    const password = q.get("password") ?? ""
    const ups = q.get("ups") ?? ""
    try {
      return await options.fetchRemote({
        host,
        port,
        ...(username !== "" && password !== "" ? { credentials: { user: username, password } } : {}),
        ...(ups === "" ? {} : { ups }),
      })
    } catch (e) {
      return `Failure gathering UPS variables: ${(e as Error).message}`
    }
  }

  app.get("/ups_metrics", async (c) => {
    const q = new URL(c.req.url).searchParams
    const opts = exporterOptions(options.exporter, q)
    const dir = await pickDirectory(q)
    const ups = q.get("ups") ?? ""
    const key = `${typeof dir === "string" ? "" : dir.server}/${ups}`
    return instrumented(key, async () => {
      if (typeof dir === "string") return promError(dir)
      const list = dir.list()
      let name = ups
      if (name !== "") {
        const found = list.find((u) => u.name.toLowerCase() === name.toLowerCase())
        // nut_exporter validates the name when it builds the collector and answers a bare 500
        if (!found) return { status: 500, body: "500 - InternalServer Error" }
        name = found.name
      } else if (list.length !== 1) {
        return promError(list.length === 0 ? "No UPS devices were found from NUT" : "Multiple UPS devices were found from NUT. Please add a ups=<name> query string")
      } else name = list[0]?.name ?? ""
      const r = dir.read(name)
      if (!r || r.availability !== "ok") return promError(`Failure instantiating the UPS: ${r ? describeAvailability(r.availability) : "UNKNOWN-UPS"}`)
      return { status: 200, body: "", families: exporterFamilies(r.variables, opts) }
    })
  })

  app.get("/metrics", async (c) => {
    const q = new URL(c.req.url).searchParams
    const opts = exporterOptions(options.exporter, q)
    const dir = await pickDirectory(q)
    const ups = (q.get("ups") ?? "").toLowerCase()
    return instrumented("/metrics", async () => {
      if (typeof dir === "string") return promError(dir)
      const perUps: MetricFamily[][] = []
      for (const u of dir.list()) {
        if (ups !== "" && u.name.toLowerCase() !== ups) continue
        const r = dir.read(u.name)
        // an unavailable UPS has no series here; nutctl_ups_available says why
        if (r && r.availability === "ok") perUps.push(exporterFamilies(r.variables, opts, { ups: r.name }))
      }
      const own = options.own()
      const families = mergeFamilies([...perUps, ownFamilies(dir === options.directory ? own : { ...own, directory: dir }, options.now())])
      const process = options.processMetrics ? await options.processMetrics() : ""
      return { status: 200, body: process, families }
    })
  })

  return app
}

/** The exporter options of one scrape: `?variables=` and `?statuses=` replace the configured lists. */
export function exporterOptions(base: ExporterOptions, q: URLSearchParams): ExporterOptions {
  const variables = q.get("variables") ?? ""
  const statuses = q.get("statuses") ?? ""
  return {
    ...base,
    ...(variables === "" ? {} : { variables: variables.split(",") }),
    ...(statuses === "" ? {} : { statuses: statuses.split(",") }),
  }
}

/** promhttp's answer when gathering fails (HandlerOpts.ErrorHandling = HTTPErrorOnError). */
function promError(detail: string): { status: 500; body: string } {
  return { status: 500, body: `An error has occurred while serving metrics:\n\n${detail}\n` }
}

function describeAvailability(a: string): string {
  return a === "not-connected" ? "DRIVER-NOT-CONNECTED" : a === "stale" ? "DATA-STALE" : "NUT server unreachable"
}

function promhttpFamilies(h: { codes: ReadonlyMap<string, number>; inFlight: number }): MetricFamily[] {
  return [
    { name: "promhttp_metric_handler_requests_in_flight", help: "Current number of scrapes being served.", type: "gauge", samples: [{ labels: {}, value: h.inFlight }] },
    { name: "promhttp_metric_handler_requests_total", help: "Total number of scrapes by HTTP status code.", type: "counter", samples: [...h.codes].sort().map(([code, value]) => ({ labels: { code }, value })) },
  ]
}

/**
 * The HTTP app on :9199: a plain hono app (web-standard Request → Response, no port), so tests
 * call `app.request()` and any runtime can serve it; cli/_http.ts serves it with @hono/node-server.
 */
import { Hono } from "hono"
import { routePath } from "hono/route"
import { apiRoutes } from "./api-routes.ts"
import { failure, mountApi, type ApiAccess } from "./api-router.ts"
import { authenticate, type HttpToken } from "./auth.ts"
import type { EventSource } from "./events.ts"
import { DEFAULT_EXPORTER_OPTIONS, type ExporterOptions } from "./exporter.ts"
import { metricsRoutes } from "./metrics-routes.ts"
import type { NutTarget } from "./nut-read.ts"
import { openApiDocument, type ExtraPath } from "./openapi.ts"
import { EVENT_STREAM_PATH, mountEventStream } from "./sse.ts"
import { mountDashboard } from "./dashboard/dashboard-routes.ts"
import { historyRoutes } from "./dashboard/history-routes.ts"
import type { PowerSeries } from "./dashboard/power-series.ts"
import type { DriverStats, HttpUser, MonitorView, ServerView, ShutdownView, UpsControl, UpsDirectory } from "./types.ts"

export interface HttpAppOptions {
  /** nutctl's version (build_info, OpenAPI). */
  readonly version: string
  /** Where UPS data comes from (local UpsStates, or a polled NUT server). */
  readonly directory: UpsDirectory
  /** Event history and live events (the in-memory hub, or the event history over the store). */
  readonly events?: EventSource | undefined
  /** The sampled power history behind `/api/v1/ups/:ups/history` (absent: `available: false`). */
  readonly series?: PowerSeries | undefined
  /** Writes (SET VAR, INSTCMD, FSD); without it they answer 501. */
  readonly control?: UpsControl | undefined
  /** NUT users for HTTP Basic (the NUT server's users). */
  readonly users?: readonly HttpUser[] | undefined
  /** Bearer tokens, each acting as one of `users`. */
  readonly tokens?: readonly HttpToken[] | undefined
  /** Reads (API, event stream, metrics) without credentials. @default true */
  readonly readsPublic?: boolean | undefined
  /** @default DEFAULT_EXPORTER_OPTIONS (nut_exporter's, every variable exported) */
  readonly exporter?: ExporterOptions | undefined
  /** Honour `?server=` on the metrics paths by reading that NUT server; without it, refuse. */
  readonly fetchRemote?: ((target: NutTarget) => Promise<UpsDirectory>) | undefined
  /** Does `?server=` name this process's own NUT server? @default loopback with port 3493 */
  readonly isLocalServer?: ((host: string, port: number) => boolean) | undefined
  readonly server?: ServerView | undefined
  readonly monitor?: MonitorView | undefined
  /** The shutdown plan, its runtime budget and the last drill (`nutctl serve` with a cluster role). */
  readonly shutdown?: ShutdownView | undefined
  readonly driverStats?: ((ups: string) => DriverStats | undefined) | undefined
  /** Process metrics text appended to `/metrics` (see processMetricsText). */
  readonly processMetrics?: (() => Promise<string>) | undefined
  /** @default Date.now */
  readonly now?: (() => number) | undefined
  /** SSE keep-alive comment interval; 0 = none. @default 15000 */
  readonly keepAliveMs?: number | undefined
  /** Where unexpected handler failures are reported (their text never reaches the client). */
  readonly log?: { error(message: string, cause?: unknown): void } | undefined
  /** Add routes before the dashboard's (`/`, `/dashboard/*`), which they may replace. */
  readonly mount?: ((app: Hono) => void) | undefined
}

const EXTRA_PATHS: readonly ExtraPath[] = [
  { method: "get", path: EVENT_STREAM_PATH, summary: "Live events (Server-Sent Events)", tag: "events", contentType: "text/event-stream", description: "`hello` with every UPS's summary, then one SSE message per event (`event:` is the kind, `id:` resumes with Last-Event-ID). Query: `ups`, `kinds`, `after`." },
  { method: "get", path: "/ups_metrics", summary: "nut_exporter-compatible metrics of one UPS", tag: "metrics", contentType: "text/plain; version=0.0.4", description: "DRuggeri/nut_exporter's output. Query: `ups` (needed with several UPSes), `server`, `serverport`, `username`, `password`, `variables`, `statuses`." },
  { method: "get", path: "/metrics", summary: "Every UPS's metrics (with an `ups` label), nutctl's own and process metrics", tag: "metrics", contentType: "text/plain; version=0.0.4", description: "Same UPS series as /ups_metrics plus `ups=\"<name>\"`; `nutctl_*` metrics; process metrics." },
]

/** Build the app. */
export function createHttpApp(options: HttpAppOptions): Hono {
  const app = new Hono()
  const now = options.now ?? Date.now
  const access: ApiAccess = { users: options.users ?? [], tokens: options.tokens ?? [], readsPublic: options.readsPublic ?? true }
  const requests = new Map<string, { method: string; route: string; code: string; count: number }>()

  app.use("*", async (c, next) => {
    await next()
    const route = c.res.status === 404 && routePath(c, -1) === "*" ? "unmatched" : routePath(c, -1)
    const key = `${c.req.method} ${route} ${c.res.status}`
    const entry = requests.get(key)
    if (entry) entry.count++
    else requests.set(key, { method: c.req.method, route, code: String(c.res.status), count: 1 })
  })

  if (!access.readsPublic) {
    // private reads cover the metrics too (Prometheus: `basic_auth` or `authorization` in the job)
    for (const path of ["/metrics", "/ups_metrics"]) {
      app.use(path, async (c, next) => {
        if (authenticate(c.req.header("authorization"), access.users, access.tokens).kind !== "user") {
          return failure(c, { status: 401, code: "UNAUTHORIZED", message: "This needs a NUT user (HTTP Basic) or a bearer token" })
        }
        await next()
      })
    }
  }

  app.route(
    "/",
    metricsRoutes({
      directory: options.directory,
      exporter: options.exporter ?? DEFAULT_EXPORTER_OPTIONS,
      fetchRemote: options.fetchRemote,
      isLocalServer: options.isLocalServer,
      processMetrics: options.processMetrics,
      now,
      own: () => ({
        version: options.version,
        directory: options.directory,
        server: options.server,
        monitor: options.monitor,
        shutdown: options.shutdown,
        driverStats: options.driverStats,
        httpRequests: requests,
      }),
    }),
  )

  const routes = [
    ...apiRoutes({ directory: options.directory, events: options.events, control: options.control, monitor: options.monitor, shutdown: options.shutdown }),
    ...historyRoutes({ directory: options.directory, series: options.series, now }),
  ]
  app.get("/api/v1/openapi.json", (c) => c.json(openApiDocument(routes, EXTRA_PATHS, { version: options.version, readsPublic: access.readsPublic })))
  mountApi(app, routes, access)
  if (options.events) mountEventStream(app, { events: options.events, directory: options.directory, access, ...(options.keepAliveMs === undefined ? {} : { keepAliveMs: options.keepAliveMs }) })

  options.mount?.(app)
  mountDashboard(app, { access })
  app.notFound((c) => c.json({ error: { code: "NOT_FOUND", message: `No route ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404))
  app.onError((err, c) => {
    options.log?.error(`HTTP ${c.req.method} ${new URL(c.req.url).pathname} failed`, err)
    return c.json({ error: { code: "INTERNAL", message: "Internal error" } }, 500)
  })
  return app
}

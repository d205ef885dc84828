/**
 * Starting the HTTP server (metrics, API, events) from `serve`: the one place that joins the hono
 * app to node:http (@hono/node-server) and adapts the live NutServer and monitor loop to the
 * read-only views src/http/ takes.
 */
import { serve, type ServerType } from "@hono/node-server"
import type { ConsolaInstance } from "consola"
import type { AddressInfo } from "node:net"
import { nodeConfigFs, parseListenAddress, resolveSecret, secretSource } from "../config/index.ts"
import {
  DEFAULT_HTTP_PORT,
  createClientControl,
  createEventHub,
  createHttpApp,
  createLocalDirectory,
  createNutPoller,
  createSessionControl,
  exporterOptionsFrom,
  fetchNutDirectory,
  httpConfigSchema,
  processMetricsText,
  type EventHistory,
  type EventHub,
  type HttpConfig,
  type HttpToken,
  type MonitorView,
  type ServerView,
  type ShutdownView,
  type UpsControl,
  type UpsDirectory,
} from "../http/index.ts"
import type { HostState } from "../monitor/index.ts"
import type { ListenAddress, UserRecord } from "../server/index.ts"
import { formatAddress } from "../server/index.ts"
import { VERSION } from "../version.ts"
import { startHistory, type HistoryRetention, type HistoryStoreOptions } from "./_history.ts"
import { componentLog } from "./_log.ts"
import type { RunningUpsd } from "./_upsd.ts"

/** Where `serve` listens for HTTP when nothing says otherwise: loopback, nut_exporter's port. */
export const DEFAULT_HTTP_LISTEN: ListenAddress = { host: "127.0.0.1", port: DEFAULT_HTTP_PORT }

/**
 * The HTTP listen address from `--http ADDR` / `--no-http` (citty gives `false` for the latter)
 * and the config's `http.listen`; undefined = no HTTP server. Throws on an address it cannot read.
 */
export function httpListen(flag: string | boolean | undefined, configured: string | false | undefined): ListenAddress | undefined {
  if (flag === false) return undefined
  const text = typeof flag === "string" ? flag : configured
  if (text === false) return undefined
  if (text === undefined || text === "") return DEFAULT_HTTP_LISTEN
  const addr = parseListenAddress(text, DEFAULT_HTTP_PORT)
  if (!addr) throw new Error(`Cannot read HTTP address "${text}" (expected HOST:PORT or [IPv6]:PORT)`)
  return addr
}

/** Validate the config's `http:` section (defaults when absent). */
export function parseHttpConfig(section: unknown, file = "config"): HttpConfig {
  const r = httpConfigSchema.safeParse(section ?? {})
  if (r.success) return r.data
  const issue = r.error.issues[0]
  throw new Error(`${file}: http.${issue?.path.join(".") ?? ""} expects ${issue?.message ?? "a valid value"}`)
}

/** Where a secondary reads its primary's UPS data. */
export interface RemoteSource {
  readonly host: string
  readonly port: number
  readonly ups?: readonly string[]
  /** Login for reading (rarely needed). */
  readonly credentials?: { readonly user: string; readonly password: string }
}

export interface StartHttpOptions {
  readonly listen: ListenAddress
  /** The primary: this process's drivers and NUT server. */
  readonly upsd?: RunningUpsd
  /** A secondary: the NUT server it polls (ignored when `upsd` is given). */
  readonly remote?: RemoteSource
  /** NUT users, for HTTP Basic and bearer tokens. */
  readonly users: readonly UserRecord[]
  /** The validated `http:` section. @default every default */
  readonly config?: HttpConfig
  /** Config file name, for messages about secrets. */
  readonly configFile?: string
  readonly monitor?: MonitorView
  /**
   * The shutdown plan, its runtime budget and the last drill (`/api/v1/shutdown`,
   * `nutctl_shutdown_*`, `nutctl_drill_last_*`): a view, or one built from what HTTP reads (its UPS
   * directory for battery.runtime, the monitor view for the supplies; see _shutdown-view.ts).
   * Absent: those report "not available".
   */
  readonly shutdown?: ShutdownView | ((http: { readonly directory: UpsDirectory; readonly monitor: MonitorView }) => ShutdownView)
  /** Where the event and power history is kept, e.g. `{ dir: DEFAULT_DATA_DIR }` (_paths.ts); absent: memory only. */
  readonly history?: HistoryStoreOptions
  readonly retention?: HistoryRetention
  readonly log: ConsolaInstance
}

/** A running HTTP server. */
export interface RunningHttp {
  readonly address: ListenAddress
  /** Publish monitor records here: `onRecord: (r) => http.events.monitorRecord(r)`. */
  readonly events: EventHub
  /** The kept history (`note()` records plan steps and drills: see progressNotes in _history.ts). */
  readonly history: EventHistory
  /** Show this monitor from now on (it starts after the HTTP server, which takes its records). */
  attachMonitor(view: MonitorView | undefined): void
  /** The served UPS list changed (ups.conf reloaded): follow the new one. */
  refreshUps(): void
  stop(): Promise<void>
}

/** Build the app from what runs in this process and serve it. */
export async function startHttp(options: StartHttpOptions): Promise<RunningHttp> {
  const config = options.config ?? parseHttpConfig(undefined)
  const log = options.log.withTag("http")
  const abort = new AbortController()
  const tokens = await resolveTokens(config, options)
  const events = createEventHub()
  let monitorView = options.monitor

  let directory: UpsDirectory
  let refreshUps = (): void => {}
  let server: ServerView | undefined
  let control: UpsControl | undefined
  let isLocalServer: ((host: string, port: number) => boolean) | undefined
  let poller: ReturnType<typeof createNutPoller> | undefined
  if (options.upsd) {
    const nut = options.upsd.server
    const requests = new Map<string, number>()
    const previous = nut.context.onRequest
    nut.context.onRequest = (command) => {
      previous?.(command)
      requests.set(command, (requests.get(command) ?? 0) + 1)
    }
    const local = createLocalDirectory({
      ups: options.upsd.ups,
      clients: (name) => {
        const ups = nut.context.findUps(name)
        return ups ? nut.context.clients(ups).map((c) => c.address) : []
      },
    })
    directory = local
    refreshUps = () => local.refresh()
    server = {
      connections: () => nut.connectionCount,
      numLogins: (name) => {
        const ups = nut.context.findUps(name)
        return ups ? nut.context.numLogins(ups) : 0
      },
      requests: () => requests,
    }
    control = createSessionControl({ session: () => nut.createSession() })
    const ports = new Set(options.upsd.addresses.map((a) => a.port))
    isLocalServer = (host, port) => ["localhost", "127.0.0.1", "::1"].includes(host.toLowerCase()) && ports.has(port)
  } else if (options.remote) {
    const r = options.remote
    poller = createNutPoller({ host: r.host, port: r.port, ...(r.ups ? { ups: r.ups } : {}), ...(r.credentials ? { credentials: r.credentials } : {}) })
    directory = poller
    control = createClientControl({ host: r.host, port: r.port })
  } else {
    directory = createLocalDirectory({ ups: [] })
  }
  events.attach(directory)
  const history = await startHistory({ hub: events, directory, ...(options.history ? { store: options.history } : {}), ...(options.retention ? { retention: options.retention } : {}), log: componentLog(log) })

  const monitor: MonitorView = { snapshot: () => monitorView?.snapshot() }
  const shutdown = typeof options.shutdown === "function" ? options.shutdown({ directory, monitor }) : options.shutdown
  const app = createHttpApp({
    version: VERSION,
    directory,
    events: history.events,
    series: history.series,
    control,
    users: options.users,
    tokens,
    readsPublic: config.auth.reads === "public",
    exporter: exporterOptionsFrom(config.metrics),
    fetchRemote: config.metrics.serverParam ? (target) => fetchNutDirectory(target) : undefined,
    isLocalServer,
    server,
    monitor,
    shutdown,
    processMetrics: processMetricsText(),
    log: componentLog(log),
  })

  const http = await listen(app.fetch, options.listen).catch(async (e: unknown) => {
    await history.stop()
    throw e
  })
  if (poller) {
    const sleep = (ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms)
        signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true })
      })
    void poller.run(abort.signal, sleep)
  }
  const bound = http.address() as AddressInfo
  const address = { host: options.listen.host, port: bound.port }
  log.info(`HTTP on http://${formatAddress(address)} (/metrics, /ups_metrics, /api/v1)`)
  return {
    address,
    events,
    history: history.events,
    attachMonitor(view) {
      monitorView = view
    },
    refreshUps: () => refreshUps(),
    async stop() {
      abort.abort()
      await new Promise<void>((resolve) => {
        http.close(() => resolve())
        // event streams never end by themselves
        http.closeAllConnections?.()
      })
      await history.stop()
    },
  }
}

/** Adapt the monitor loop (its `state`) to the view the HTTP layer reads. */
export function monitorViewOf(loop: { readonly state: HostState }, config: { readonly minSupplies: number }): MonitorView {
  return {
    snapshot() {
      const s = loop.state
      const phase = s.phase
      const since = phase.kind === "monitoring" ? undefined : phase.kind === "shutdown" ? phase.at : phase.since
      return {
        phase: phase.kind,
        ...(since === undefined ? {} : { phaseSince: since }),
        powerValue: s.power?.value ?? s.supplies.reduce((sum, x) => sum + x.supply.powerValue, 0),
        minSupplies: s.power?.minSupplies ?? config.minSupplies,
        supplies: s.supplies.map((x, i) => ({
          system: x.supply.system,
          role: x.supply.role,
          powerValue: x.supply.powerValue,
          comm: x.comm,
          status: x.lastStatus,
          online: x.flags.ol,
          onBattery: x.flags.ob,
          lowBattery: x.flags.lb,
          fsd: x.flags.fsd,
          critical: s.power?.verdicts[i]?.critical ?? false,
          ...(x.lastPollAt === undefined ? {} : { lastPollAt: x.lastPollAt }),
        })),
      }
    },
  }
}

async function resolveTokens(config: HttpConfig, options: StartHttpOptions): Promise<HttpToken[]> {
  const out: HttpToken[] = []
  for (const [i, t] of config.auth.tokens.entries()) {
    if (!options.users.some((u) => u.name === t.user && u.password !== undefined)) {
      options.log.warn(`http.auth.tokens[${i}]: user ${t.user} does not exist or has no password: the token is ignored`)
      continue
    }
    const token = await resolveSecret(t.token, { env: (n) => process.env[n], fs: nodeConfigFs }, { file: options.configFile ?? "config", key: `http.auth.tokens[${i}].token` })
    // an empty token would let `Authorization: Bearer` with nothing after it in
    if (token.trim() === "") {
      options.log.warn(`http.auth.tokens[${i}].token: ${secretSource(t.token)} is empty: the token is ignored`)
      continue
    }
    out.push({ token, user: t.user })
  }
  return out
}

function listen(fetch: (request: Request) => Response | Promise<Response>, addr: ListenAddress): Promise<ServerType & { closeAllConnections?: () => void }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: addr.host, port: addr.port }, () => {
      server.off("error", reject)
      resolve(server)
    })
    server.once("error", (err: Error) => reject(new Error(`Cannot listen for HTTP on ${formatAddress(addr)}: ${err.message}`)))
  })
}

import { defineCommand } from "citty"
import { hostname } from "node:os"
import { ConfigError, parseListenAddress } from "../config/index.ts"
import { formatAddress, type ListenAddress } from "../server/index.ts"
import { createStore, type NutctlStore } from "../store/index.ts"
import { DEFAULT_DATA_DIR } from "./_paths.ts"
import { httpListen, monitorViewOf, parseHttpConfig, startHttp, type RunningHttp } from "./_http.ts"
import { createLog } from "./_log.ts"
import { startMonitorHost, type MonitorHost } from "./_monitor-host.ts"
import type { RunningMonitor } from "./_monitor-reload.ts"
import { clusterSpec, readUpsmonSpec } from "./_monitor-specs.ts"
import { resolveServeSetup } from "./_serve-setup.ts"
import { createShutdownTracker, type ShutdownFeed, type ShutdownTracker } from "./_shutdown-view.ts"
import { withProgressNotes } from "./_history.ts"
import { catchSighup, onSighup, untilStopSignal } from "./_signals.ts"
import { DEMO_UPS_NAME, startUpsd } from "./_upsd.ts"

export default defineCommand({
  meta: {
    name: "serve",
    description: "Run the drop-in upsd: drivers + NUT server on TCP 3493 (from NUT's own files, or the embedded demo UPS)",
  },
  args: {
    "nut-config": { type: "string", description: "Read NUT's own files from DIR (ups.conf, upsd.conf, upsd.users), e.g. /etc/nut", valueHint: "DIR" },
    config: { type: "string", description: "nutctl cluster config (default: $NUTCTL_CONFIG or /etc/nutctl/nutctl.yaml); this host's role comes from its hostname", valueHint: "FILE" },
    hostname: { type: "string", description: "Resolve the role as if this host were called NAME", valueHint: "NAME" },
    demo: { type: "boolean", description: "Serve the embedded simulated APC Back-UPS BX1600MI through usbhid-ups (no hardware needed)" },
    scenario: { type: "string", description: "With --demo: play a power scenario on the simulated UPS (outage, blip, lowbatt, selftest, unplug, hung, garbage, flap)", valueHint: "NAME" },
    listen: { type: "string", description: "Listen here instead of the configured addresses (comma-separated HOST:PORT, [::1]:PORT)", valueHint: "ADDR" },
    "data-dir": { type: "string", description: "Where event history, power samples, the shutdown journal and learned durations are kept (default /var/lib/nutctl; with --demo: in memory)", valueHint: "DIR" },
    http: { type: "string", description: "Serve /metrics, /ups_metrics, the JSON API and events on ADDR (default 127.0.0.1:9199); --no-http: none", valueHint: "ADDR" },
    "dry-run": { type: "boolean", description: "Monitor (upsmon.conf or the cluster role): decide and log, but set no FSD, run no NOTIFYCMD or shutdown" },
    wall: { type: "boolean", default: true, description: "Monitor: send WALL notifications with wall(1); --no-wall only logs them" },
    verbose: { type: "boolean", alias: "v", description: "Log debug details" },
  },
  async run({ args }) {
    // a SIGHUP during start-up must not end the process: it is kept for when reloads can run
    catchSighup()
    const log = createLog({ verbose: args.verbose === true })
    let listen: ListenAddress[] | undefined
    if (args.listen) {
      listen = []
      for (const part of args.listen.split(",")) {
        const addr = parseListenAddress(part.trim(), 3493)
        if (!addr) {
          log.error(`--listen: cannot parse "${part}" (expected HOST:PORT or [IPv6]:PORT)`)
          process.exitCode = 2
          return
        }
        listen.push(addr)
      }
    }
    // read again, the same way, on SIGHUP
    const readSetup = () =>
      resolveServeSetup(
        { demo: args.demo === true, scenario: args.scenario, nutConfig: args["nut-config"], config: args.config, hostname: args.hostname, listen },
        { env: (n) => process.env[n], hostname: hostname() },
      )
    /** SIGHUP's read: the new setup, or undefined (logged) when it cannot be used. */
    const rereadSetup = async (): Promise<Awaited<ReturnType<typeof readSetup>> | undefined> => {
      const again = await readSetup()
      for (const w of again.warnings) log.warn(w)
      if (again.errors.length === 0) return again
      for (const e of again.errors) log.error(e)
      log.error("Reload failed: still running the previous configuration")
      return undefined
    }
    const resolved = await readSetup()
    for (const w of resolved.warnings) log.warn(w)
    for (const e of resolved.errors) log.error(e)
    for (const i of resolved.info) log.info(i)
    // the demo keeps its state in memory unless asked: it must not need /var/lib on a fresh machine
    const dataDir = args["data-dir"] ?? (args.demo ? undefined : DEFAULT_DATA_DIR)
    const monitorOptions = { log, dryRun: args["dry-run"] === true, wall: args.wall !== false, env: (n: string) => process.env[n], ...(dataDir === undefined ? {} : { dataDir }) }
    if (!resolved.setup) {
      // a secondary of the cluster config serves no UPS: its monitor is all that runs
      const cluster = resolved.cluster
      if (resolved.exitCode === 0 && cluster?.role !== undefined) {
        // HTTP on a secondary shows its view of the primary's UPS (polled over NUT) and its monitor
        let http: RunningHttp | undefined
        // the config schema has parsed each monitor entry into ups, host and port already
        const primary = cluster.role.entry.monitor[0]
        const plan = planTracker(cluster.host, dataDir)
        try {
          const httpConfig = parseHttpConfig(cluster.loaded.config.http, cluster.loaded.file)
          const at = httpListen(args.http as string | boolean | undefined, httpConfig.listen)
          // no NUT users here (their passwords stay on the primary): the secondary's HTTP is read-only
          const users: [] = []
          if (at && primary) http = await startHttp({ listen: at, remote: { host: primary.host, port: primary.port, ups: [primary.ups] }, users, config: httpConfig, configFile: cluster.loaded.file, shutdown: (h) => plan.tracker.view(h), ...(dataDir ? { history: { dir: dataDir } } : {}), log })
        } catch (e) {
          log.error(`${(e as Error).message}: monitoring without HTTP`)
        }
        const onRecord = recordsTo(http)
        // SIGHUP re-reads the cluster config: this host's role may monitor other UPSes now
        let latest = cluster
        const host = await startMonitorHost({
          read: () => clusterSpec({ ...monitorOptions, cluster: latest, ...onRecord, ...(http ? { shutdownFeed: notingProgress(plan.tracker.feed, http) } : {}) }),
          log,
          onSwap: (m) => http?.attachMonitor(viewOf(m)),
        })
        if (host?.reloader.current === undefined) {
          if (host === undefined) process.exitCode = 1
          await http?.stop()
          await plan.dispose()
          return
        }
        const reload = async (): Promise<void> => {
          const again = await rereadSetup()
          if (again?.cluster === undefined) return
          if (again.setup) log.warn("This host's role serves UPSes now: restart nutctl to serve them")
          latest = again.cluster
          await host.reload()
        }
        const stopReloads = onSighup(reload, log)
        await Promise.race([untilStopSignal(log), host.reloader.ended])
        stopReloads()
        await host.reloader.stop()
        await http?.stop()
        await plan.dispose()
        return
      }
      process.exitCode = resolved.exitCode
      return
    }
    const setup = resolved.setup

    let upsd: Awaited<ReturnType<typeof startUpsd>>
    try {
      upsd = await startUpsd(setup, log, { statePath: process.env["NUT_STATEPATH"] || undefined })
    } catch (e) {
      log.error((e as Error).message)
      process.exitCode = 1
      return
    }
    const where = upsd.addresses.map(formatAddress).join(", ")
    log.success(`nutctl serving ${upsd.ups.map((u) => u.name).join(", ") || "no UPS"} on ${where}`)
    if (args.demo) {
      const first = upsd.addresses[0]
      const target = first ? `${DEMO_UPS_NAME}@${first.host.includes(":") ? `[${first.host}]` : first.host}${first.port === 3493 ? "" : `:${first.port}`}` : DEMO_UPS_NAME
      console.log(`Try:  upsc ${target}    or    nutctl status ${target}    (from a checkout: npm run nutctl -- status ${target})`)
    }
    // HTTP (metrics, API, events): a port clash must not take the UPS server down with it
    let http: RunningHttp | undefined
    // HTTP reads its users at each request: a reload replaces this list's contents
    const httpUsers = [...setup.users]
    // the plan view (/api/v1/shutdown, nutctl_shutdown_*): when this host has a cluster role at start
    const plan = resolved.cluster?.role !== undefined ? planTracker(resolved.cluster.host, dataDir) : undefined
    try {
      const httpConfig = parseHttpConfig(resolved.cluster?.loaded.config.http, resolved.cluster?.loaded.file)
      const at = httpListen(args.http as string | boolean | undefined, httpConfig.listen)
      if (at) http = await startHttp({ listen: at, upsd, users: httpUsers, config: httpConfig, ...(resolved.cluster ? { configFile: resolved.cluster.loaded.file } : {}), ...(plan ? { shutdown: (h: Parameters<ShutdownTracker["view"]>[0]) => plan.tracker.view(h) } : {}), ...(dataDir ? { history: { dir: dataDir } } : {}), log })
    } catch (e) {
      log.error(`${(e as Error).message}: serving NUT without HTTP`)
    }
    // monitor records feed HTTP's events and history; its state feeds /api/v1/monitor and /metrics
    const onRecord = recordsTo(http)
    // upsmon.conf beside the server's files: run the monitor in this process too (like upsd +
    // upsmon); or the monitor of this host's role in the cluster config. SIGHUP re-reads either.
    const nutDir = args["nut-config"]
    let cluster = resolved.cluster
    const monitorHere = { ...monitorOptions, local: upsd, ...onRecord }
    let monitorHost: MonitorHost | undefined
    if (nutDir !== undefined || cluster !== undefined) {
      monitorHost = await startMonitorHost({
        read: async () => {
          if (nutDir === undefined) return cluster && (await clusterSpec({ ...monitorHere, cluster, ...(http && plan ? { shutdownFeed: notingProgress(plan.tracker.feed, http) } : {}) }))
          const read = await readUpsmonSpec(nutDir, false, monitorHere)
          for (const w of read?.warnings ?? []) log.warn(w.message)
          return read?.spec
        },
        log,
        onSwap: (m) => http?.attachMonitor(viewOf(m)),
      })
      if (monitorHost === undefined) {
        await http?.stop()
        await plan?.dispose()
        await upsd.stop()
        process.exitCode = 1
        return
      }
    }
    // SIGHUP (systemctl reload): re-read the same files, as upsd -c reload does
    const reload = async (): Promise<void> => {
      const again = await rereadSetup()
      if (again === undefined) return
      if (!again.setup) {
        for (const i of again.info) log.info(i)
        log.error("Reload failed: the new configuration serves no UPS here; still running the previous configuration")
        return
      }
      try {
        const { changed, restart, upsListChanged } = await upsd.reload(again.setup)
        httpUsers.splice(0, httpUsers.length, ...again.setup.users)
        if (upsListChanged) http?.refreshUps()
        log.info(`Reloaded: ${changed.join(", ")}`)
        if (restart.length > 0) log.warn(`Needs a restart to apply: ${restart.join(", ")}`)
      } catch (e) {
        log.error(`Reload failed (${(e as Error).message}): still running the previous configuration`)
        return
      }
      cluster = again.cluster
      await monitorHost?.reload()
    }
    const stopReloads = onSighup(reload, log)
    // the server goes on after the monitor handed over the shutdown, as upsd does: until it is stopped
    await untilStopSignal(log)
    stopReloads()
    await monitorHost?.reloader.stop()
    await http?.stop()
    await plan?.dispose()
    await upsd.stop()
  },
})

/** The plan view of this host (_shutdown-view.ts), reading `nutctl drill`'s record from the data directory. */
function planTracker(host: string, dataDir: string | undefined): { readonly tracker: ShutdownTracker; dispose(): Promise<void> } {
  const store: NutctlStore | undefined = dataDir === undefined ? undefined : createStore({ dir: dataDir })
  return { tracker: createShutdownTracker({ host, ...(store === undefined ? {} : { store }) }), dispose: async () => store?.dispose() }
}

/** The plan's progress also goes into the event history (start, each step, the end). */
function notingProgress(feed: ShutdownFeed, http: RunningHttp): ShutdownFeed {
  return withProgressNotes(feed, (n) => void http.history.note(n))
}

/** The monitor's records feed HTTP's events and history. */
function recordsTo(http: RunningHttp | undefined): { onRecord?: (r: Parameters<RunningHttp["events"]["monitorRecord"]>[0]) => void } {
  return http ? { onRecord: (r) => http.events.monitorRecord(r) } : {}
}

/** The HTTP view of a running monitor. */
function viewOf(monitor: RunningMonitor | undefined): ReturnType<typeof monitorViewOf> | undefined {
  return monitor && monitorViewOf(monitor.loop, { minSupplies: monitor.minSupplies })
}

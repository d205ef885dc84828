import { defineCommand } from "citty"
import { hostname } from "node:os"
import { ConfigError, loadNutctlConfig, nodeConfigFs } from "../config/index.ts"
import { clusterRole, createClusterMonitor } from "./_cluster-monitor.ts"
import { DEFAULT_DATA_DIR } from "./_history.ts"
import { createLog } from "./_log.ts"
import { createNutMonitor, readUpsmonConf, runNutMonitor, type NutMonitor } from "./_monitor.ts"
import { DEFAULT_CLUSTER_CONFIG } from "./_serve-setup.ts"

export default defineCommand({
  meta: {
    name: "monitor",
    description: "Run only the monitor, like upsmon: watch the UPSes of upsmon.conf (or of this host's cluster role) and shut this host down when they say so",
  },
  args: {
    "nut-config": { type: "string", description: "Read upsmon.conf (and upssched.conf when NOTIFYCMD is upssched) from DIR, e.g. /etc/nut", valueHint: "DIR" },
    config: { type: "string", description: "nutctl cluster config (default without --nut-config: $NUTCTL_CONFIG or /etc/nutctl/nutctl.yaml); the role comes from the hostname", valueHint: "FILE" },
    hostname: { type: "string", description: "With the cluster config: resolve the role as if this host were called NAME", valueHint: "NAME" },
    "data-dir": { type: "string", description: "With the cluster config: where the shutdown journal and learned durations are kept (default /var/lib/nutctl)", valueHint: "DIR" },
    "dry-run": { type: "boolean", description: "Decide and log, but set no FSD, run no NOTIFYCMD or shutdown, write no POWERDOWNFLAG" },
    wall: { type: "boolean", default: true, description: "Send WALL notifications with wall(1); --no-wall only logs them" },
    verbose: { type: "boolean", alias: "v", description: "Log debug details" },
  },
  async run({ args }) {
    const log = createLog({ verbose: args.verbose === true })
    const dir = args["nut-config"]
    if (dir && args.config) {
      log.error("Use either --nut-config DIR (upsmon.conf) or --config FILE (the cluster config), not both")
      process.exitCode = 2
      return
    }
    const dryRun = args["dry-run"] === true
    const wall = args.wall !== false
    let monitor: NutMonitor | undefined
    try {
      if (dir) {
        const upsmon = (await readUpsmonConf(dir, true)) as NonNullable<Awaited<ReturnType<typeof readUpsmonConf>>>
        for (const w of upsmon.warnings) log.warn(w.message)
        monitor = await createNutMonitor({ dir, upsmon: upsmon.conf, log, dryRun, wall })
      } else {
        const file = args.config ?? (process.env["NUTCTL_CONFIG"] || DEFAULT_CLUSTER_CONFIG)
        const loaded = await loadNutctlConfig(file, { fs: nodeConfigFs })
        for (const w of loaded.warnings) log.warn(w.message)
        const cluster = clusterRole(loaded, args.hostname ?? hostname())
        monitor = await createClusterMonitor({ cluster, log, dryRun, wall, env: (n) => process.env[n], dataDir: args["data-dir"] ?? DEFAULT_DATA_DIR })
        if (monitor === undefined) {
          const { role, host } = cluster
          log.error(`${file}: ${role === undefined ? `host ${host} is in no role` : `roles[${role.index}] (${role.entry.role}) monitors no UPS`}: nothing to monitor`)
          process.exitCode = 2
          return
        }
      }
    } catch (e) {
      if (e instanceof ConfigError) for (const issue of e.issues) log.error(issue.message)
      else log.error((e as Error).message)
      if (e instanceof ConfigError && !dir && args.config === undefined && e.issues.some((i) => i.code === "CONFIG_NOT_FOUND")) {
        log.info("Or run from NUT's files: nutctl monitor --nut-config /etc/nut")
      }
      process.exitCode = 1
      return
    }
    const loop = monitor.loop
    const abort = new AbortController()
    const stop = (signal: string): void => {
      log.info(`${signal}: stopping the monitor`)
      abort.abort()
    }
    process.once("SIGINT", () => stop("SIGINT"))
    process.once("SIGTERM", () => stop("SIGTERM"))
    // upsmon -c fsd signals SIGUSR1: run the forced shutdown now
    process.on("SIGUSR1", () => loop.forceShutdown("SIGUSR1"))
    // a reload (SIGHUP) must not end the monitor: its settings apply at the next start
    const onHup = (): void => log.warn("SIGHUP: the monitor keeps its settings until the next restart")
    process.on("SIGHUP", onHup)
    log.success(`nutctl monitoring ${loop.state.supplies.map((s) => s.supply.system).join(", ")}${dryRun ? " (dry run)" : ""}`)
    process.exitCode = await runNutMonitor(monitor, log, abort.signal)
    process.removeAllListeners("SIGUSR1")
    process.off("SIGHUP", onHup)
  },
})

import { defineCommand } from "citty"
import { hostname } from "node:os"
import { ConfigError, loadNutctlConfig, nodeConfigFs } from "../config/index.ts"
import { clusterRole } from "./_cluster-monitor.ts"
import { DEFAULT_DATA_DIR } from "./_paths.ts"
import { createLog } from "./_log.ts"
import { startMonitorHost } from "./_monitor-host.ts"
import type { MonitorSpec } from "./_monitor-reload.ts"
import { clusterSpec, readUpsmonSpec } from "./_monitor-specs.ts"
import { DEFAULT_CLUSTER_CONFIG } from "./_paths.ts"
import { catchSighup, onSighup, untilStopSignal } from "./_signals.ts"

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
    // a SIGHUP during start-up must not end the process: it is kept for when reloads can run
    catchSighup()
    const log = createLog({ verbose: args.verbose === true })
    const dir = args["nut-config"]
    if (dir && args.config) {
      log.error("Use either --nut-config DIR (upsmon.conf) or --config FILE (the cluster config), not both")
      process.exitCode = 2
      return
    }
    const dryRun = args["dry-run"] === true
    const wall = args.wall !== false
    const file = dir ? undefined : (args.config ?? (process.env["NUTCTL_CONFIG"] || DEFAULT_CLUSTER_CONFIG))
    const host = args.hostname ?? hostname()
    /** No --config, and the default cluster config is not there: point at NUT's files. */
    let defaultMissing = false
    /** Read the settings (at start and on SIGHUP). */
    const read = async (): Promise<MonitorSpec> => {
      if (dir) {
        const upsmon = (await readUpsmonSpec(dir, true, { log, dryRun, wall })) as NonNullable<Awaited<ReturnType<typeof readUpsmonSpec>>>
        for (const w of upsmon.warnings) log.warn(w.message)
        return upsmon.spec
      }
      const loaded = await loadNutctlConfig(file as string, { fs: nodeConfigFs }).catch((e: unknown) => {
        defaultMissing = e instanceof ConfigError && args.config === undefined && e.issues.some((i) => i.code === "CONFIG_NOT_FOUND")
        throw e
      })
      for (const w of loaded.warnings) log.warn(w.message)
      return await clusterSpec({ cluster: clusterRole(loaded, host), log, dryRun, wall, env: (n) => process.env[n], dataDir: args["data-dir"] ?? DEFAULT_DATA_DIR })
    }
    const running = await startMonitorHost({ read, log })
    if (running === undefined) {
      if (defaultMissing) log.info("Or run from NUT's files: nutctl monitor --nut-config /etc/nut")
      process.exitCode = 1
      return
    }
    if (running.reloader.current === undefined) {
      log.error(`${file ?? "upsmon.conf"}: nothing to monitor`)
      process.exitCode = 2
      return
    }
    // upsmon -c fsd signals SIGUSR1: run the forced shutdown now
    process.on("SIGUSR1", () => running.reloader.current?.loop.forceShutdown("SIGUSR1"))
    // upsmon -c reload signals SIGHUP: re-read the settings
    const stopReloads = onSighup(async () => void (await running.reload()), log)
    await Promise.race([untilStopSignal(log), running.reloader.ended])
    stopReloads()
    process.removeAllListeners("SIGUSR1")
    await running.reloader.stop()
  },
})

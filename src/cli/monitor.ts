import { defineCommand } from "citty"
import { ConfigError } from "../config/index.ts"
import { createLog } from "./_log.ts"
import { createNutMonitor, readUpsmonConf, runNutMonitor } from "./_monitor.ts"

export default defineCommand({
  meta: {
    name: "monitor",
    description: "Run only the monitor, like upsmon: watch the UPSes of upsmon.conf and shut this host down when they say so",
  },
  args: {
    "nut-config": { type: "string", description: "Read upsmon.conf (and upssched.conf when NOTIFYCMD is upssched) from DIR, e.g. /etc/nut", valueHint: "DIR" },
    "dry-run": { type: "boolean", description: "Decide and log, but set no FSD, run no NOTIFYCMD or SHUTDOWNCMD, write no POWERDOWNFLAG" },
    wall: { type: "boolean", default: true, description: "Send WALL notifications with wall(1); --no-wall only logs them" },
    verbose: { type: "boolean", alias: "v", description: "Log debug details" },
  },
  async run({ args }) {
    const log = createLog({ verbose: args.verbose === true })
    const dir = args["nut-config"]
    if (!dir) {
      log.error("Nothing to monitor: use --nut-config DIR (the directory of upsmon.conf, e.g. /etc/nut)")
      process.exitCode = 2
      return
    }
    let monitor: Awaited<ReturnType<typeof createNutMonitor>>
    try {
      const upsmon = (await readUpsmonConf(dir, true)) as NonNullable<Awaited<ReturnType<typeof readUpsmonConf>>>
      for (const w of upsmon.warnings) log.warn(w.message)
      monitor = await createNutMonitor({ dir, upsmon: upsmon.conf, log, dryRun: args["dry-run"] === true, wall: args.wall !== false })
    } catch (e) {
      if (e instanceof ConfigError) for (const issue of e.issues) log.error(issue.message)
      else log.error((e as Error).message)
      process.exitCode = 1
      return
    }
    const abort = new AbortController()
    const stop = (signal: string): void => {
      log.info(`${signal}: stopping the monitor`)
      abort.abort()
    }
    process.once("SIGINT", () => stop("SIGINT"))
    process.once("SIGTERM", () => stop("SIGTERM"))
    // upsmon -c fsd signals SIGUSR1: run the forced shutdown now
    process.on("SIGUSR1", () => monitor.loop.forceShutdown("SIGUSR1"))
    log.success(`nutctl monitoring ${monitor.loop.state.supplies.map((s) => s.supply.system).join(", ")}${args["dry-run"] ? " (dry run)" : ""}`)
    process.exitCode = await runNutMonitor(monitor, log, abort.signal)
    process.removeAllListeners("SIGUSR1")
  },
})

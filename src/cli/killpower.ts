import { spawn } from "node:child_process"
import { defineCommand } from "citty"
import { hostname } from "node:os"
import { problemMessages } from "../config/index.ts"
import { nodeFlagFile, runKillpower, systemClock } from "../monitor/index.ts"
import { planKillpower } from "./_killpower.ts"
import { createLog } from "./_log.ts"
import { monitorLogger } from "./_monitor.ts"
import { DEFAULT_CLUSTER_CONFIG } from "./_paths.ts"
import { hidCapabilities } from "./_upsd.ts"

/** What Debian's nutshutdown runs after POWEROFF_WAIT: a reboot that does not wait for anything. */
const REBOOT_COMMAND = ["systemctl", "reboot", "--force", "--force"] as const

export default defineCommand({
  meta: {
    name: "killpower",
    description:
      "Late shutdown hook (like `upsmon -K && upsdrvctl shutdown`): if POWERDOWNFLAG is set, tell the UPS to cut the power and restore it when mains returns",
  },
  args: {
    "nut-config": { type: "string", description: "Read upsmon.conf (POWERDOWNFLAG), ups.conf, upsd.conf, upsd.users and nut.conf (POWEROFF_WAIT) from DIR", valueHint: "DIR" },
    config: { type: "string", description: "nutctl cluster config (default without --nut-config: $NUTCTL_CONFIG or /etc/nutctl/nutctl.yaml)", valueHint: "FILE" },
    hostname: { type: "string", description: "With the cluster config: resolve the role as if this host were called NAME", valueHint: "NAME" },
    "dry-run": { type: "boolean", description: "Check the flag and say which command would go to which UPS; send nothing, open no device, wait and reboot nothing" },
    verbose: { type: "boolean", alias: "v", description: "Log debug details" },
  },
  async run({ args }) {
    const log = createLog({ verbose: args.verbose === true })
    if (args["nut-config"] && args.config) {
      log.error("Use either --nut-config DIR or --config FILE, not both")
      process.exitCode = 2
      return
    }
    const dryRun = args["dry-run"] === true
    const dlog = log.withTag("driver")
    let plan: Awaited<ReturnType<typeof planKillpower>>
    try {
      plan = await planKillpower(
        { nutConfig: args["nut-config"], config: args.config ?? (process.env["NUTCTL_CONFIG"] || DEFAULT_CLUSTER_CONFIG), hostname: args.hostname ?? hostname() },
        {
          env: (n) => process.env[n],
          flagFile: nodeFlagFile,
          clock: systemClock,
          driverLog: { info: (m) => dlog.info(m), warn: (m) => dlog.warn(m) },
          capabilities: hidCapabilities(),
          statePath: process.env["NUT_STATEPATH"] || undefined,
        },
      )
    } catch (e) {
      for (const m of problemMessages(e)) log.error(m)
      process.exitCode = 1
      return
    }
    for (const n of plan.notes) log.info(n)
    const outcome = await runKillpower({
      flag: plan.flag,
      targets: plan.targets,
      clock: systemClock,
      log: monitorLogger(log),
      dryRun,
      ...(plan.powerOffWaitMs === undefined ? {} : { powerOffWaitMs: plan.powerOffWaitMs }),
      reboot: () => runReboot(),
    })
    // 0 also when there is nothing to do: the hook runs on every reboot, and that is no error
    process.exitCode = outcome.kind === "failed" ? 1 : 0
  },
})

function runReboot(): Promise<void> {
  return new Promise((resolve) => {
    const [cmd, ...rest] = REBOOT_COMMAND
    const child = spawn(cmd, rest, { stdio: "inherit" })
    child.on("error", () => resolve())
    child.on("exit", () => resolve())
  })
}

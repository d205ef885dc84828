/**
 * `nutctl drill`: rehearse a power failure without powering anything off.
 *
 *   nutctl drill                          every host's plan as a dry run against the real APIs,
 *                                         the timeline and whether it fits the battery
 *   nutctl drill --hosts truenas,pve1     which hosts to rehearse (role patterns with wildcards name none)
 *   nutctl drill --simulate               the whole cluster against simulators, time compressed
 */
import { existsSync } from "node:fs"
import { hostname } from "node:os"
import { defineCommand } from "citty"
import { nodeConfigFs } from "../config/index.ts"
import { systemClock } from "../monitor/index.ts"
import { createStore } from "../store/index.ts"
import { runDrill } from "./_drill.ts"
import { runSimulatedDrill } from "./_drill-simulate.ts"
import { createLog } from "./_log.ts"
import { DEFAULT_CLUSTER_CONFIG, DEFAULT_DATA_DIR } from "./_paths.ts"

export default defineCommand({
  meta: { name: "drill", description: "Rehearse a power failure: every host's shutdown plan as a dry run, the timeline, and whether it fits the battery" },
  args: {
    config: { type: "string", description: `nutctl config file (default: $NUTCTL_CONFIG or ${DEFAULT_CLUSTER_CONFIG})`, valueHint: "FILE" },
    hosts: { type: "string", description: "Hosts to rehearse, comma-separated (default: the roles' literal host names and this machine)", valueHint: "H,…" },
    // --data-dir as in serve and check; --state-dir is its older name
    "data-dir": { type: "string", alias: ["state-dir"], description: `Learned durations are read from and written to DIR, nutctl serve's data directory (default: ${DEFAULT_DATA_DIR} when it exists)`, valueHint: "DIR" },
    simulate: { type: "boolean", description: "Run a whole simulated cluster (UPS, TrueNAS primary, three secondaries) in one process, time compressed" },
    speed: { type: "string", description: "With --simulate: time compression factor (default 40)", valueHint: "N" },
    verbose: { type: "boolean", alias: "v", description: "Log debug details" },
  },
  async run({ args }) {
    const log = createLog({ verbose: args.verbose === true })
    if (args.simulate) {
      const speed = args.speed === undefined ? 40 : Number(args.speed)
      if (!(speed >= 1 && speed <= 200)) {
        log.error(`--speed must be a number from 1 to 200, not ${args.speed}`)
        process.exitCode = 2
        return
      }
      // the simulated server and drivers log through consola; only problems matter here
      if (args.verbose !== true) log.level = 1
      const result = await runSimulatedDrill({ speed, log, out: (line) => console.log(line) })
      process.exitCode = result.ok ? 0 : 1
      return
    }
    const dir = args["data-dir"] ?? (existsSync(DEFAULT_DATA_DIR) ? DEFAULT_DATA_DIR : undefined)
    const store = createStore(dir === undefined ? {} : { dir })
    try {
      process.exitCode = await runDrill(
        { config: args.config ?? (process.env["NUTCTL_CONFIG"] || DEFAULT_CLUSTER_CONFIG), ...(args.hosts ? { hosts: args.hosts.split(",").map((h) => h.trim()).filter((h) => h !== "") } : {}) },
        { fs: nodeConfigFs, env: (n) => process.env[n], localHostname: hostname(), clock: systemClock, store, out: (l) => console.log(l), err: (l) => console.error(l) },
      )
    } finally {
      await store.dispose()
    }
  },
})

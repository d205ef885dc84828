#!/usr/bin/env node
import { defineCommand, runMain, showUsage } from "citty"
import { checkArgv } from "./cli/_argv-check.ts"
import { VERSION } from "./version.ts"

// citty root: wires subcommands only; each command lives in src/cli/<name>.ts and is loaded lazily.
const main = defineCommand({
  meta: { name: "nutctl", version: VERSION, description: "Network UPS Tools, one binary: upsd-compatible server, monitor and cluster shutdown" },
  subCommands: {
    serve: () => import("./cli/serve.ts").then((m) => m.default),
    monitor: () => import("./cli/monitor.ts").then((m) => m.default),
    killpower: () => import("./cli/killpower.ts").then((m) => m.default),
    status: () => import("./cli/status.ts").then((m) => m.default),
    get: () => import("./cli/get.ts").then((m) => m.default),
    list: () => import("./cli/list.ts").then((m) => m.default),
    set: () => import("./cli/set.ts").then((m) => m.default),
    cmd: () => import("./cli/cmd.ts").then((m) => m.default),
    fsd: () => import("./cli/fsd.ts").then((m) => m.default),
    config: () => import("./cli/config.ts").then((m) => m.default),
    driver: () => import("./cli/driver.ts").then((m) => m.default),
    drill: () => import("./cli/drill.ts").then((m) => m.default),
    events: () => import("./cli/events.ts").then((m) => m.default),
    install: () => import("./cli/install.ts").then((m) => m.default),
    uninstall: () => import("./cli/install.ts").then((m) => m.uninstall),
    check: () => import("./cli/check.ts").then((m) => m.default),
    hook: () => import("./cli/hook.ts").then((m) => m.default),
  },
})

// an unknown command, flag or surplus argument is a usage error (exit 2), never silently ignored
const checked = await checkArgv(main, process.argv.slice(2))
if (checked.problem !== undefined) {
  await showUsage(checked.command, checked.parent)
  console.error(checked.problem)
  process.exit(2)
}
await runMain(main)

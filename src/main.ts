#!/usr/bin/env node
import { defineCommand, runMain } from "citty"
import { VERSION } from "./version.ts"

// citty root: wires subcommands only; each command lives in src/cli/<name>.ts and is loaded lazily.
const main = defineCommand({
  meta: { name: "nutctl", version: VERSION, description: "Network UPS Tools, one binary: upsd-compatible server, monitor and cluster shutdown" },
  subCommands: {
    serve: () => import("./cli/serve.ts").then((m) => m.default),
  },
})

await runMain(main)

/**
 * `npm run bench`: starts the real upsd 2.8.0 (+ dummy-ups) and nutctl side by side on 127.0.0.1,
 * serving the same APC Back-UPS BVK750M2 dump as UPS `ups`, drives the same loads against each and
 * prints a markdown table with both figures and the ratio nutctl/upsd (also written to
 * bench/results/latest.md and latest.json).
 *
 *   npm run bench                                   # the shipped binary: builds dist/nutctl, then runs it
 *   npm run bench -- --source                       # nutctl from source: node --import tsx src/main.ts
 *   npm run bench -- --nutctl-cmd dist/nutctl       # any command (`serve --nut-config DIR` appended)
 *   npm run bench -- --nutctl-cmd "npx tsx src/main.ts serve --nut-config {dir}"
 *   npm run bench -- --only upsd --quick            # develop the loads against upsd alone
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { fixturePath } from "../test/support/fixture.ts"
import type { Window } from "./loads.ts"
import { machineFacts, privateKb, rssKb } from "./proc.ts"
import { formatMarkdown, utcStamp, type BenchReport, type RoundResults, type TargetResults } from "./report.ts"
import { CHURN_WORKERS, GET_CONNS, IDLE_CLIENTS, runRound, warmUp } from "./suite.ts"
import { REPO_ROOT, startNutctl, startUpsd, type Target } from "./targets.ts"

const BINARY = "dist/nutctl"
const DEV_FILE = fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev")

const { values: args } = parseArgs({
  options: {
    "nutctl-cmd": { type: "string" },
    source: { type: "boolean", default: false },
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    rounds: { type: "string", default: "5" },
    out: { type: "string", default: join(REPO_ROOT, "bench", "results") },
    help: { type: "boolean", short: "h", default: false },
  },
})
if (args.help) {
  console.log("usage: npm run bench -- [--source | --nutctl-cmd CMD] [--only upsd|nutctl] [--rounds N] [--quick] [--out DIR]")
  console.log("default: the binary dist/nutctl (npm run bench builds it first); --source: node --import tsx src/main.ts")
  process.exit(0)
}
if (args.only !== undefined && args.only !== "upsd" && args.only !== "nutctl") {
  console.error(`--only must be upsd or nutctl, not ${args.only}`)
  process.exit(2)
}

// --quick: for developing the loads; the figures in BENCHMARKS.md come from the defaults
const WINDOW: Window = args.quick ? { warmupMs: 200, durationMs: 500 } : { warmupMs: 300, durationMs: 1500 }
const ROUNDS = args.quick ? 1 : Number(args.rounds)
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error(`--rounds must be a positive integer, not ${args.rounds}`)
  process.exit(2)
}

const targets: Target[] = []
let cleaning: Promise<void> | undefined
let interrupted = false

/** Stop every server this run started (idempotent). */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const t of [...targets].reverse()) {
      try {
        await t.stop()
      } catch (err) {
        console.error(`Cannot stop ${t.name}: ${(err as Error).message}`)
        t.killNow()
      }
      targets.splice(targets.indexOf(t), 1)
    }
  })()
  return cleaning
}

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(sig, () => {
    interrupted = true
    console.error(`\n${sig}: stopping the servers`)
    void cleanup().finally(() => process.exit(130))
  })
}
// last resort when something exits the process without cleanup(): kill synchronously
process.on("exit", () => {
  for (const t of targets) t.killNow()
})

try {
  await main()
} catch (err) {
  // after Ctrl-C the loads fail on the stopped servers: that is not worth a message
  if (!interrupted) console.error((err as Error).message)
  process.exitCode = 1
} finally {
  await cleanup()
}

async function main(): Promise<void> {
  if (args.only !== "nutctl") {
    log("starting upsd 2.8.0 + dummy-ups …")
    targets.push(await startUpsd(DEV_FILE))
  }
  if (args.only !== "upsd") {
    // the binary is what ships (and what the targets are about); --source measures Node + tsx
    const command = args["nutctl-cmd"] ?? (args.source ? undefined : BINARY)
    if (command === BINARY && !existsSync(join(REPO_ROOT, BINARY))) throw new Error(`${BINARY} is missing: run npm run build first (npm run bench does), or pass --source`)
    log(`starting nutctl (${command ?? "node --import tsx src/main.ts"}) …`)
    targets.push(await startNutctl({ devFile: DEV_FILE, command }))
  }
  for (const t of targets) log(`${t.name}: port ${t.port}, measuring pid ${t.pid}`)
  await sleep(1000)
  const rssIdle = new Map(targets.map((t) => [t.name, rssKb(t.pid)]))
  const privateIdle = new Map(targets.map((t) => [t.name, privateKb(t.pid)]))
  for (const t of targets) await warmUp(t)

  const rounds = new Map<string, RoundResults[]>(targets.map((t) => [t.name, []]))
  for (let i = 1; i <= ROUNDS; i++) {
    const results = await runRound(targets, WINDOW, (m) => log(`round ${i}/${ROUNDS}: ${m}`), i)
    for (const [name, r] of results) rounds.get(name)!.push(r)
  }

  const measured: { upsd?: TargetResults; nutctl?: TargetResults } = {}
  for (const t of targets) {
    measured[t.name] = {
      name: t.name,
      command: t.command,
      pid: t.pid,
      rssIdleKb: rssIdle.get(t.name)!,
      privateIdleKb: privateIdle.get(t.name)!,
      privateAfterKb: privateKb(t.pid),
      rounds: rounds.get(t.name)!,
    }
  }
  const report: BenchReport = {
    date: utcStamp(),
    machine: machineFacts(),
    settings: { getConns: GET_CONNS, churnWorkers: CHURN_WORKERS, idleClients: IDLE_CLIENTS, rounds: ROUNDS, ...WINDOW },
    ...measured,
  }

  const markdown = formatMarkdown(report)
  mkdirSync(args.out, { recursive: true })
  writeFileSync(join(args.out, "latest.md"), markdown)
  writeFileSync(join(args.out, "latest.json"), JSON.stringify(report, null, 2) + "\n")
  console.log("\n" + markdown)
  log(`written: ${join(args.out, "latest.md")} and latest.json`)
}

function log(message: string): void {
  console.error(`[bench] ${message}`)
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

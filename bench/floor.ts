/**
 * `npm run bench:floor`: the GET VAR loads of `npm run bench` against five servers in one run —
 * upsd 2.8.0, nutctl (the binary), and the least a server can do per request: in C
 * (bench/reference/line-server.c) once with poll() and once with epoll(), and on Bun
 * (line-server.bun.ts, the runtime of the binary). The floor servers do no parsing and keep no
 * state: one read and one write per request. They show which part of the latency at 8 and 64
 * connections comes from the server's work and which from how often its event loop sleeps, and what
 * the runtime alone costs.
 *
 *   npm run bench:floor                       # builds dist/nutctl, 5 rounds
 *   npm run bench:floor -- --rounds 9 --binary dist/nutctl
 *
 * Needs a C compiler (`cc`). Writes bench/results/floor-latest.md and floor-latest.json.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { fixturePath } from "../test/support/fixture.ts"
import { startFloorServers, stopServers, type NamedServer } from "./line-server.ts"
import { GET_STATUS, requestLoad, type LoadResult, type Window } from "./loads.ts"
import { machineFacts } from "./proc.ts"
import { utcStamp } from "./report.ts"
import { median } from "./stats.ts"
import { GET_CONNS } from "./suite.ts"
import { REPO_ROOT, startNutctl, startUpsd } from "./targets.ts"

const DEV_FILE = fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev")

const { values: args } = parseArgs({
  options: {
    binary: { type: "string", default: "dist/nutctl" },
    rounds: { type: "string", default: "5" },
    quick: { type: "boolean", default: false },
    out: { type: "string", default: join(REPO_ROOT, "bench", "results") },
    help: { type: "boolean", short: "h", default: false },
  },
})
if (args.help) {
  console.log("usage: npm run bench:floor -- [--binary FILE] [--rounds N] [--quick] [--out DIR]")
  process.exit(0)
}
const ROUNDS = args.quick ? 1 : Number(args.rounds)
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error(`--rounds must be a positive integer, not ${args.rounds}`)
  process.exit(2)
}
const WINDOW: Window = args.quick ? { warmupMs: 200, durationMs: 500 } : { warmupMs: 300, durationMs: 1500 }

const servers: NamedServer[] = []
process.on("exit", () => servers.forEach((s) => s.killNow()))
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => void stopServers(servers).finally(() => process.exit(130)))
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO_ROOT, args.binary))) throw new Error(`${args.binary} is missing: run npm run build first (npm run bench:floor does)`)
  const work = mkdtempSync(join(tmpdir(), "nutctl-floor-"))
  try {
    log("starting upsd 2.8.0 + dummy-ups, nutctl, and the C floor servers …")
    const upsd = await startUpsd(DEV_FILE)
    servers.push({ ...upsd, name: "upsd" })
    const nutctl = await startNutctl({ devFile: DEV_FILE, command: args.binary })
    servers.push({ ...nutctl, name: "nutctl" })
    servers.push(...(await startFloorServers(work)))

    for (const s of servers) await requestLoad(s, { warmupMs: 0, durationMs: 1000, conns: 8, line: GET_STATUS, kind: "line", expect: "VAR " })
    const results = new Map<string, Map<number, LoadResult[]>>(servers.map((s) => [s.name, new Map(GET_CONNS.map((c) => [c, []]))]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const conns of GET_CONNS) {
        // rotate the order each round so no server always runs right after the same one
        const order = servers.map((_, i) => servers[(i + round) % servers.length]!)
        for (const s of order) {
          log(`round ${round + 1}/${ROUNDS}: ${s.name}, GET VAR on ${conns} connection(s)`)
          results.get(s.name)!.get(conns)!.push(await requestLoad(s, { ...WINDOW, conns, line: GET_STATUS, kind: "line", expect: "VAR " }))
        }
      }
    }
    const markdown = report(results)
    mkdirSync(args.out, { recursive: true })
    writeFileSync(join(args.out, "floor-latest.md"), markdown)
    const json = { date: utcStamp(), machine: machineFacts(), rounds: ROUNDS, window: WINDOW, results: Object.fromEntries([...results].map(([n, byConns]) => [n, Object.fromEntries(byConns)])) }
    writeFileSync(join(args.out, "floor-latest.json"), JSON.stringify(json, null, 2) + "\n")
    console.log("\n" + markdown)
    log(`written: ${join(args.out, "floor-latest.md")} and floor-latest.json`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

// --- The report ---

interface Metric {
  readonly name: string
  readonly pick: (r: LoadResult) => number
  readonly format: (v: number) => string
}

const METRICS: readonly Metric[] = [
  { name: "req/s", pick: (r) => r.opsPerSec, format: (v) => Math.round(v).toLocaleString("en-US") },
  { name: "p50 µs", pick: (r) => r.latency.p50 * 1000, format: (v) => v.toFixed(1) },
  { name: "p99 µs", pick: (r) => r.latency.p99 * 1000, format: (v) => v.toFixed(1) },
  { name: "server CPU µs/GET", pick: (r) => r.cpuUsPerOp, format: (v) => v.toFixed(2) },
  { name: "client CPU µs/GET", pick: (r) => r.clientCpuUsPerOp, format: (v) => v.toFixed(2) },
  { name: "server sleeps /1000 GET", pick: (r) => r.serverSleepsPerKop, format: (v) => v.toFixed(1) },
]

function report(results: Map<string, Map<number, LoadResult[]>>): string {
  const names = [...results.keys()]
  const m = machineFacts()
  const out: string[] = []
  out.push(`# GET VAR floor: upsd 2.8.0, nutctl and minimal servers in C and on Bun — ${utcStamp()}`)
  out.push("")
  out.push(`Machine: ${m.cores} × ${m.cpu}, ${m.memoryMb} MiB, Linux ${m.kernel}, Node ${m.node}. Median of ${ROUNDS} round(s),`)
  out.push(`${WINDOW.warmupMs} ms warm-up + ${WINDOW.durationMs} ms each, server order rotated per round. nutctl: \`${args.binary}\`.`)
  out.push("")
  out.push(`| conns | metric | ${names.join(" | ")} | ${names.slice(1).map((n) => `${n}/upsd`).join(" | ")} |`)
  out.push(`|---|---|${names.map(() => "---:").join("|")}|${names.slice(1).map(() => "---:").join("|")}|`)
  for (const conns of GET_CONNS) {
    METRICS.forEach((metric, i) => {
      const values = names.map((n) => median(results.get(n)!.get(conns)!.map(metric.pick)))
      const ratios = values.slice(1).map((v) => (values[0]! > 0 ? `${(v / values[0]!).toFixed(2)}×` : "—"))
      out.push(`| ${i === 0 ? conns : ""} | ${metric.name} | ${values.map((v) => (Number.isFinite(v) ? metric.format(v) : "—")).join(" | ")} | ${ratios.join(" | ")} |`)
    })
    // the p99 ratio round by round: how far apart two rounds of the same pair can land
    const spread = names.slice(1).map((n) => ratioRange(results.get(n)!.get(conns)!, results.get(names[0]!)!.get(conns)!))
    out.push(`|  | p99 vs upsd, per round (min–max) | ${names.map(() => "").join(" | ")} | ${spread.join(" | ")} |`)
  }
  out.push("")
  out.push("Server and client CPU from /proc (scheduler time, all threads) and process.cpuUsage() in the window ÷ requests.")
  out.push("Sleeps = voluntary context switches of the server's main thread ÷ requests × 1000.")
  return out.join("\n") + "\n"
}

function ratioRange(rounds: readonly LoadResult[], upsdRounds: readonly LoadResult[]): string {
  const ratios = rounds.map((r, i) => r.latency.p99 / upsdRounds[i]!.latency.p99).filter(Number.isFinite)
  if (ratios.length === 0) return "—"
  return `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`
}

function log(message: string): void {
  console.error(`[bench:floor] ${message}`)
}

// last: everything above (METRICS included) is initialised by now
try {
  await main()
} catch (err) {
  console.error((err as Error).message)
  process.exitCode = 1
} finally {
  await stopServers(servers)
}

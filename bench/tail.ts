/**
 * `npm run bench:tail`: is nutctl's GET VAR latency (p50, p99) and CPU per GET lower than upsd's,
 * higher, or not distinguishable on this machine? `npm run bench` gives the median of 5 rounds of
 * 1.5 s windows, and its p99 ratio moves between ~0.5× and ~1.4× from one round to the next: the
 * machine drifts more between two windows than the servers differ. This runs many short windows
 * instead, in pairs (upsd then nutctl, nutctl then upsd, …), pools the latencies per server and
 * bootstraps the pairs for a 90 % interval of each ratio (bench/paired.ts).
 *
 *   npm run bench:tail                              # builds dist/nutctl; 40 pairs × 400 ms per load
 *   npm run bench:tail -- --pairs 80 --floor        # also the floor servers: C poll/epoll, Bun (needs cc)
 *   npm run bench:tail -- --conns 8 --pairs 60      # one load only
 *   npm run bench:tail -- --also /tmp/nutctl-other  # a second build beside dist/nutctl
 *   npm run bench:tail -- --binary dist/nutctl --quick
 *
 * Writes bench/results/tail-latest.md and tail-latest.json.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { fixturePath } from "../test/support/fixture.ts"
import { startFloorServers, stopServers, type NamedServer } from "./line-server.ts"
import { GET_STATUS, requestLoad, type LoadResult } from "./loads.ts"
import { LogHistogram, summarizePairs, verdict, type PairedRatio, type PairedSummary, type SlicePair, type SliceSide } from "./paired.ts"
import { machineFacts } from "./proc.ts"
import { utcStamp } from "./report.ts"
import { GET_CONNS } from "./suite.ts"
import { REPO_ROOT, startNutctl, startUpsd } from "./targets.ts"

const DEV_FILE = fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev")

const { values: args } = parseArgs({
  options: {
    binary: { type: "string", default: "dist/nutctl" },
    pairs: { type: "string", default: "40" },
    "slice-ms": { type: "string", default: "400" },
    conns: { type: "string", default: GET_CONNS.join(",") },
    floor: { type: "boolean", default: false },
    also: { type: "string", multiple: true, default: [] },
    quick: { type: "boolean", default: false },
    out: { type: "string", default: join(REPO_ROOT, "bench", "results") },
    help: { type: "boolean", short: "h", default: false },
  },
})
if (args.help) {
  console.log("usage: npm run bench:tail -- [--binary FILE] [--pairs N] [--slice-ms MS] [--conns 1,8,64] [--floor] [--quick] [--out DIR]")
  console.log("--floor: also the floor servers (C with poll and with epoll, and Bun; needs cc)")
  console.log("--also FILE: another nutctl build beside the first (repeatable), e.g. to compare two builds")
  process.exit(0)
}
const PAIRS = args.quick ? 6 : Number(args.pairs)
const SLICE_MS = args.quick ? 200 : Number(args["slice-ms"])
for (const [name, v] of [["--pairs", PAIRS], ["--slice-ms", SLICE_MS]] as const) {
  if (!Number.isInteger(v) || v < 2) {
    console.error(`${name} must be an integer ≥ 2`)
    process.exit(2)
  }
}
const CONNS = args.conns.split(",").map(Number)
if (CONNS.some((c) => !Number.isInteger(c) || c < 1)) {
  console.error(`--conns must be a comma-separated list of connection counts, not ${args.conns}`)
  process.exit(2)
}
/** Connections settle (and the JIT of both sides stays hot) before each slice is measured. */
const SLICE_WARMUP_MS = 100

const servers: NamedServer[] = []
process.on("exit", () => servers.forEach((s) => s.killNow()))
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => void stopServers(servers).finally(() => process.exit(130)))
}

interface SliceRecord {
  readonly first: string
  readonly base: SliceFigures
  readonly other: SliceFigures
}
interface SliceFigures {
  readonly ops: number
  readonly p50: number
  readonly p99: number
  readonly cpuUsPerOp: number
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO_ROOT, args.binary))) throw new Error(`${args.binary} is missing: run npm run build first (npm run bench:tail does)`)
  const work = mkdtempSync(join(tmpdir(), "nutctl-tail-"))
  try {
    log("starting upsd 2.8.0 + dummy-ups and nutctl …")
    const upsd = { ...(await startUpsd(DEV_FILE)), name: "upsd" }
    servers.push(upsd)
    servers.push({ ...(await startNutctl({ devFile: DEV_FILE, command: args.binary })), name: "nutctl" })
    for (const build of args.also) servers.push({ ...(await startNutctl({ devFile: DEV_FILE, command: build })), name: build })
    if (args.floor) servers.push(...(await startFloorServers(work)))
    const others = servers.slice(1)
    for (const s of servers) await requestLoad(s, { warmupMs: 0, durationMs: 1000, conns: 8, line: GET_STATUS, kind: "line", expect: "VAR " })

    const summaries: Record<string, Record<string, PairedSummary>> = {}
    const slices: Record<string, Record<string, SliceRecord[]>> = {}
    for (const other of others) {
      summaries[other.name] = {}
      slices[other.name] = {}
    }
    for (const conns of CONNS) {
      const pairs = new Map<string, SlicePair[]>(others.map((o) => [o.name, []]))
      for (let i = 0; i < PAIRS; i++) {
        for (const other of others) {
          log(`${conns} connection(s): pair ${i + 1}/${PAIRS}, upsd and ${other.name}`)
          // A B, then B A: neither server always runs right after the other
          const order = i % 2 === 0 ? [upsd, other] : [other, upsd]
          const got = new Map<string, LoadResult>()
          for (const s of order) got.set(s.name, await slice(s, conns))
          const base = got.get("upsd")!
          const mine = got.get(other.name)!
          pairs.get(other.name)!.push({ base: side(base), other: side(mine) })
          ;(slices[other.name]![conns] ??= []).push({ first: order[0]!.name, base: figures(base), other: figures(mine) })
        }
      }
      for (const other of others) summaries[other.name]![conns] = summarizePairs(pairs.get(other.name)!)
    }

    const markdown = report(summaries)
    mkdirSync(args.out, { recursive: true })
    writeFileSync(join(args.out, "tail-latest.md"), markdown)
    const json = { date: utcStamp(), machine: machineFacts(), binary: args.binary, pairs: PAIRS, sliceMs: SLICE_MS, sliceWarmupMs: SLICE_WARMUP_MS, summaries, slices }
    writeFileSync(join(args.out, "tail-latest.json"), JSON.stringify(json, null, 2) + "\n")
    console.log("\n" + markdown)
    log(`written: ${join(args.out, "tail-latest.md")} and tail-latest.json`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

async function slice(s: NamedServer, conns: number): Promise<LoadResult> {
  ;(globalThis as { gc?: () => void }).gc?.()
  const r = await requestLoad(s, { warmupMs: SLICE_WARMUP_MS, durationMs: SLICE_MS, conns, line: GET_STATUS, kind: "line", expect: "VAR ", keepSamples: true })
  if (r.errors > 0) throw new Error(`${s.name}: ${r.errors} bad replies (first: ${r.firstError})`)
  return r
}

function side(r: LoadResult): SliceSide {
  return { latencies: new LogHistogram().addAll(r.samples!), ops: r.ops, serverCpuUs: r.cpu.schedUs }
}

function figures(r: LoadResult): SliceFigures {
  return { ops: r.ops, p50: r.latency.p50, p99: r.latency.p99, cpuUsPerOp: r.cpuUsPerOp }
}

// --- The report ---

function report(summaries: Record<string, Record<string, PairedSummary>>): string {
  const m = machineFacts()
  const out: string[] = []
  out.push(`# GET VAR, paired short windows: ${Object.keys(summaries).join(", ")} against upsd 2.8.0 — ${utcStamp()}`)
  out.push("")
  out.push(`Machine: ${m.cores} × ${m.cpu}, ${m.memoryMb} MiB, Linux ${m.kernel}, Node ${m.node}. nutctl: \`${args.binary}\`.`)
  out.push(`${PAIRS} pairs per load, each server ${SLICE_WARMUP_MS} ms warm-up + ${SLICE_MS} ms measured per slice, the order`)
  out.push("alternating from pair to pair. Latencies pooled over all slices (1 % bins); the interval is the")
  out.push("5th–95th percentile of 2000 bootstrap resamples of the pairs.")
  out.push("")
  out.push("| server | conns | metric | upsd | it | it/upsd | 90 % interval | it against upsd |")
  out.push("|---|---|---|---:|---:|---:|---|---|")
  for (const [name, byConns] of Object.entries(summaries)) {
    for (const [conns, s] of Object.entries(byConns)) {
      const rows: [string, PairedRatio, (v: number) => string][] = [
        ["p50 µs", s.p50, (v) => (v * 1000).toFixed(1)],
        ["p99 µs", s.p99, (v) => (v * 1000).toFixed(1)],
        ["server CPU µs/GET", s.cpu, (v) => v.toFixed(2)],
      ]
      rows.forEach(([metric, r, fmt], i) => {
        const head = i === 0 ? `| ${name} | ${conns} (${s.samples.base.toLocaleString("en-US")} / ${s.samples.other.toLocaleString("en-US")} GETs)` : "|  | "
        out.push(`${head} | ${metric} | ${fmt(r.base)} | ${fmt(r.other)} | ${r.ratio.toFixed(3)}× | ${r.low.toFixed(3)}–${r.high.toFixed(3)}× | ${verdict(r)} |`)
      })
    }
  }
  return out.join("\n") + "\n"
}

function log(message: string): void {
  console.error(`[bench:tail] ${message}`)
}

try {
  await main()
} catch (err) {
  console.error((err as Error).message)
  process.exitCode = 1
} finally {
  await stopServers(servers)
}

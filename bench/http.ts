/**
 * `npm run bench:http` (`tsx bench/http.ts`): the HTTP server under Prometheus-like load. Starts
 * `nutctl serve --nut-config DIR` (dummy-ups on the BVK750M2 dump, as `npm run bench` does) with
 * HTTP on a free loopback port and one SSE client attached (an open dashboard), then scrapes
 * /ups_metrics and /metrics at a fixed rate each for a while and reports scrape latency, server CPU
 * per scrape and RSS; a second `serve` with `--no-http` gives the HTTP server's memory cost.
 *
 *   npm run bench:http                                  # 50 scrapes/s, 30 s per path, from source
 *   npm run bench:http -- --rate 50 --seconds 10 --quick
 *   npm run build && npm run bench:http -- --nutctl-cmd dist/nutctl
 */
import { writeFileSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { fixturePath } from "../test/support/fixture.ts"
import { freePort } from "../test/support/real-nut.ts"
import { cpuDelta, cpuSample, machineFacts, rssKb } from "./proc.ts"
import type { LatencySummary } from "./stats.ts"
import { REPO_ROOT, startNutctl, type Target } from "./targets.ts"

const DEV_FILE = fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev")

const { values: args } = parseArgs({
  options: {
    rate: { type: "string", default: "50" },
    seconds: { type: "string", default: "30" },
    "nutctl-cmd": { type: "string" },
    quick: { type: "boolean", default: false },
    out: { type: "string", default: join(REPO_ROOT, "bench", "results") },
    help: { type: "boolean", short: "h", default: false },
  },
})
if (args.help) {
  console.log("usage: npm run bench:http -- [--rate N] [--seconds S] [--quick] [--nutctl-cmd CMD] [--out DIR]")
  process.exit(0)
}
const RATE = Number(args.rate)
const SECONDS = args.quick ? 5 : Number(args.seconds)
if (!(RATE > 0) || !(SECONDS > 0)) {
  console.error("--rate and --seconds must be positive numbers")
  process.exit(2)
}

interface PathResult {
  readonly path: string
  readonly scrapes: number
  readonly failed: number
  readonly bytes: number
  readonly latency: LatencySummary & { readonly p90: number }
  /** Server CPU per scrape, µs (all threads, schedstat). */
  readonly cpuUsPerScrape: number
  readonly rssKb: { readonly median: number; readonly max: number }
}

const targets: Target[] = []
const cleanup = () => {
  for (const t of targets) t.killNow()
}
process.on("exit", cleanup)
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(130))

const httpPort = await freePort()
const base = args["nutctl-cmd"] ?? `${process.execPath} --import tsx src/main.ts`
const withHttp = await startNutctl({ devFile: DEV_FILE, command: `${base} serve --nut-config {dir} --http 127.0.0.1:${httpPort}` })
targets.push(withHttp)
const url = `http://127.0.0.1:${httpPort}`
await waitForHttp(url)

// an open dashboard: one event stream for the whole run
const sse = new AbortController()
const sseDone = fetch(`${url}/api/v1/events/stream`, { signal: sse.signal })
  .then(async (res) => {
    for await (const _chunk of res.body ?? []) {
      // drain
    }
  })
  .catch(() => undefined)

// warm up the JIT and every code path once per path
for (let i = 0; i < 50; i++) for (const p of ["/ups_metrics", "/metrics"]) await (await fetch(url + p)).text()
const idleRssKb = await settleRss(withHttp.pid)

const results: PathResult[] = []
for (const path of ["/ups_metrics", "/metrics"]) results.push(await scrapeAt(url, path, withHttp.pid))
sse.abort()
await sseDone
const afterRssKb = rssKb(withHttp.pid)
await withHttp.stop()
targets.length = 0

const noHttp = await startNutctl({ devFile: DEV_FILE, command: `${base} serve --nut-config {dir} --no-http` })
targets.push(noHttp)
const noHttpRssKb = await settleRss(noHttp.pid)
await noHttp.stop()
targets.length = 0

const report = {
  when: new Date().toISOString(),
  machine: machineFacts(),
  command: withHttp.command,
  rate: RATE,
  seconds: SECONDS,
  idleRssKb,
  afterRssKb,
  noHttpRssKb,
  results,
}
const md = formatMarkdown(report)
console.log(md)
mkdirSync(args.out, { recursive: true })
writeFileSync(join(args.out, "http-latest.md"), md + "\n")
writeFileSync(join(args.out, "http-latest.json"), JSON.stringify(report, null, 2) + "\n")

/** Scrape `path` at RATE/s for SECONDS (open loop: a slow scrape does not delay the next one). */
async function scrapeAt(url: string, path: string, pid: number): Promise<PathResult> {
  const lat: number[] = []
  const rss: number[] = []
  let failed = 0
  let bytes = 0
  const total = Math.round(RATE * SECONDS)
  const intervalMs = 1000 / RATE
  const cpu0 = cpuSample(pid)
  const t0 = performance.now()
  const inflight: Promise<void>[] = []
  let nextRss = t0
  for (let i = 0; i < total; i++) {
    const due = t0 + i * intervalMs
    const wait = due - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    if (performance.now() >= nextRss) {
      rss.push(rssKb(pid))
      nextRss += 1000
    }
    inflight.push(
      (async () => {
        // latency from the scheduled start, so a server stall shows up (no coordinated omission)
        try {
          const res = await fetch(url + path)
          const body = await res.text()
          bytes = body.length
          if (res.status !== 200) failed++
        } catch {
          failed++
        }
        lat.push(performance.now() - due)
      })(),
    )
  }
  await Promise.all(inflight)
  const cpu = cpuDelta(cpu0, cpuSample(pid))
  rss.push(rssKb(pid))
  const sorted = [...rss].sort((a, b) => a - b)
  return {
    path,
    scrapes: total,
    failed,
    bytes,
    latency: summarize(lat),
    cpuUsPerScrape: cpu.schedUs / total,
    rssKb: { median: sorted[sorted.length >> 1] ?? Number.NaN, max: sorted.at(-1) ?? Number.NaN },
  }
}

/** Nearest-rank percentiles of the latencies, ms. */
function summarize(values: readonly number[]): PathResult["latency"] {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) }
}

async function settleRss(pid: number): Promise<number> {
  // RSS after a quiet second (GC and lazy allocations settle)
  await new Promise((r) => setTimeout(r, 1500))
  return rssKb(pid)
}

async function waitForHttp(url: string): Promise<void> {
  const until = Date.now() + 60_000
  for (;;) {
    try {
      const res = await fetch(`${url}/ups_metrics`)
      if (res.status === 200 && (await res.text()).includes("network_ups_tools_ups_status")) return
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`No UPS metrics at ${url} after 60 s`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

function formatMarkdown(r: typeof report): string {
  const mb = (kb: number) => (kb / 1024).toFixed(1)
  const ms = (v: number) => v.toFixed(2)
  const lines = [
    `Machine: ${r.machine.cores} vCPU ${r.machine.cpu}, Linux ${r.machine.kernel}, Node ${r.machine.node}. ${r.rate} scrapes/s for ${r.seconds} s per path, one SSE client attached. Command: \`${r.command}\`.`,
    "",
    "| path | scrapes | failed | body | p50 ms | p90 ms | p99 ms | max ms | server CPU/scrape | RSS median | RSS max |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...r.results.map(
      (p) =>
        `| ${p.path} | ${p.scrapes} | ${p.failed} | ${(p.bytes / 1024).toFixed(1)} KiB | ${ms(p.latency.p50)} | ${ms(p.latency.p90)} | ${ms(p.latency.p99)} | ${ms(p.latency.max)} | ${(p.cpuUsPerScrape / 1000).toFixed(2)} ms | ${mb(p.rssKb.median)} MiB | ${mb(p.rssKb.max)} MiB |`,
    ),
    "",
    `RSS: ${mb(r.idleRssKb)} MiB idle with HTTP (after warm-up), ${mb(r.afterRssKb)} MiB after the run, ${mb(r.noHttpRssKb)} MiB for the same serve with --no-http.`,
  ]
  return lines.join("\n")
}

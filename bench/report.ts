/** Turns the results of both servers into the markdown table (with nutctl/upsd ratios) and JSON. */
import type { IdleResult, LoadResult } from "./loads.ts"
import type { machineFacts } from "./proc.ts"
import { median } from "./stats.ts"

/** The time of a report, to the minute: `2026-11-25 02:04 UTC`. */
export function utcStamp(): string {
  return new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC"
}

/** One round of every load on one server. */
export interface RoundResults {
  /** By number of connections. */
  readonly get: Readonly<Record<string, LoadResult>>
  readonly list: LoadResult & { readonly vars: number }
  /** By number of workers. */
  readonly churn: Readonly<Record<string, LoadResult>>
  readonly idle: IdleResult
}

/** Everything measured on one server. */
export interface TargetResults {
  readonly name: "upsd" | "nutctl"
  readonly command: string
  readonly pid: number
  /** VmRSS shortly after start, before any load. */
  readonly rssIdleKb: number
  /** RssAnon (the process's own memory) shortly after start, and after every round (absent in older reports). */
  readonly privateIdleKb?: number
  readonly privateAfterKb?: number
  readonly rounds: readonly RoundResults[]
}

export interface BenchReport {
  readonly date: string
  readonly machine: ReturnType<typeof machineFacts>
  readonly settings: { readonly getConns: readonly number[]; readonly churnWorkers: readonly number[]; readonly idleClients: number; readonly rounds: number; readonly durationMs: number; readonly warmupMs: number }
  readonly upsd?: TargetResults
  readonly nutctl?: TargetResults
}

interface Row {
  readonly load: string
  readonly metric: string
  readonly pick: (r: RoundResults, t: TargetResults) => number
  readonly format: (v: number) => string
  /** The target for this row, checked against upsd's value. */
  readonly goal?: (nutctl: number, upsd: number) => boolean
  readonly goalText?: string
  /** Also print the range of the round-by-round ratio (for figures that vary a lot between rounds). */
  readonly spread?: boolean
}

/** The markdown report: machine facts, the table, and any errors seen. */
export function formatMarkdown(report: BenchReport): string {
  const { upsd, nutctl } = report
  const m = report.machine
  const out: string[] = []
  out.push(`# nutctl vs upsd 2.8.0 — ${report.date}`)
  out.push("")
  out.push(`Machine: ${m.cores} × ${m.cpu}, ${m.memoryMb} MiB, Linux ${m.kernel}, Node ${m.node}. Load generator in the same`)
  out.push(`run, same cores (node:net, no pipelining). Each load: ${report.settings.warmupMs} ms warm-up, ${report.settings.durationMs} ms measured;`)
  out.push(`figures are the median of ${report.settings.rounds} round${report.settings.rounds === 1 ? "" : "s"} (loads interleaved, upsd first in odd rounds and nutctl first in even ones; the load generator collects its garbage before each load).`)
  out.push("")
  if (upsd) out.push(`- upsd: ${upsd.command} (pid measured: upsd)`)
  if (nutctl) out.push(`- nutctl: \`${nutctl.command}\``)
  out.push("")
  out.push("| load | metric | upsd 2.8.0 | nutctl | nutctl/upsd | target |")
  out.push("|---|---|---:|---:|---:|---|")
  let lastLoad = ""
  for (const row of rows(report)) {
    const a = upsd ? medianOf(upsd, row) : Number.NaN
    const b = nutctl ? medianOf(nutctl, row) : Number.NaN
    const ratio = a > 0 && b >= 0 && Number.isFinite(a) && Number.isFinite(b) ? `${(b / a).toFixed(2)}×` : "—"
    const goal = row.goal && Number.isFinite(a) && Number.isFinite(b) ? `${row.goal(b, a) ? "met" : "**missed**"}: ${row.goalText}` : (row.goalText ?? "")
    out.push(`| ${row.load === lastLoad ? "" : row.load} | ${row.metric} | ${fmt(row.format, a)} | ${fmt(row.format, b)} | ${ratio} | ${goal} |`)
    lastLoad = row.load
    if (row.spread && upsd && nutctl) out.push(`|  | ${row.metric}, per round (min–max) |  |  | ${perRoundRange(upsd, nutctl, row)} |  |`)
  }
  const problems = [upsd, nutctl].flatMap((t) => (t ? errorsOf(t) : []))
  if (problems.length > 0) {
    out.push("")
    out.push("Errors seen (bad replies, refused connects; excluded from the figures):")
    for (const p of problems) out.push(`- ${p}`)
  }
  out.push("")
  out.push("CPU = server CPU time (all threads, from /proc/PID/task/*/schedstat, i.e. utime+stime at ns resolution)")
  out.push("in the measured window ÷ operations completed in it. Ratios < 1 are better for latency, CPU and RSS; > 1 for rates.")
  return out.join("\n") + "\n"
}

// --- Internal helpers ---

/** min–max of nutctl/upsd taken round by round (the loads of a round run back to back). */
function perRoundRange(upsd: TargetResults, nutctl: TargetResults, row: Row): string {
  const ratios = nutctl.rounds.map((r, i) => row.pick(r, nutctl) / row.pick(upsd.rounds[i]!, upsd)).filter(Number.isFinite)
  return ratios.length ? `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×` : "—"
}

function medianOf(t: TargetResults, row: Row): number {
  return median(t.rounds.map((r) => row.pick(r, t)))
}

function rows(report: BenchReport): Row[] {
  const r: Row[] = []
  for (const c of report.settings.getConns) {
    const load = `GET VAR ups ups.status, ${c} conn${c === 1 ? "" : "s"}`
    const g = (r: RoundResults): LoadResult => r.get[String(c)]!
    r.push({ load, metric: "req/s", pick: (r) => g(r).opsPerSec, format: int })
    r.push({ load, metric: "p50 ms", pick: (r) => g(r).latency.p50, format: ms })
    r.push({ load, metric: "p99 ms", pick: (r) => g(r).latency.p99, format: ms, goal: (n, u) => n <= u, goalText: "≤ upsd", spread: true })
    r.push({ load, metric: "server CPU µs/GET", pick: (r) => g(r).cpuUsPerOp, format: us, goal: (n, u) => n <= u, goalText: "≤ upsd" })
    r.push({ load, metric: "client CPU µs/GET", pick: (r) => g(r).clientCpuUsPerOp, format: us })
    r.push({ load, metric: "server sleeps /1000 GET", pick: (r) => g(r).serverSleepsPerKop, format: us })
  }
  const vars = (report.upsd ?? report.nutctl)?.rounds[0]?.list.vars ?? 0
  const list = `LIST VAR ups (${vars} vars), kept-open conn`
  r.push({ load: list, metric: "lists/s", pick: (r) => r.list.opsPerSec, format: int })
  r.push({ load: list, metric: "p50 ms", pick: (r) => r.list.latency.p50, format: ms, goal: (n) => n < 1, goalText: "< 1 ms" })
  r.push({ load: list, metric: "p99 ms", pick: (r) => r.list.latency.p99, format: ms })
  r.push({ load: list, metric: "server CPU µs/list", pick: (r) => r.list.cpuUsPerOp, format: us })
  for (const w of report.settings.churnWorkers) {
    const load = `connect + GET + LOGOUT + close, ${w} worker${w === 1 ? "" : "s"}`
    const c = (r: RoundResults): LoadResult => r.churn[String(w)]!
    r.push({ load, metric: "cycles/s", pick: (r) => c(r).opsPerSec, format: int })
    r.push({ load, metric: "p50 ms", pick: (r) => c(r).latency.p50, format: ms })
    r.push({ load, metric: "server CPU µs/cycle", pick: (r) => c(r).cpuUsPerOp, format: us })
  }
  const idle = `${report.settings.idleClients} idle clients`
  r.push({ load: idle, metric: "still connected", pick: (r) => r.idle.stillOpen, format: int })
  r.push({ load: idle, metric: "new client's GET p50 ms", pick: (r) => r.idle.newClient.latency.p50, format: ms })
  r.push({ load: idle, metric: "new client's GET p99 ms", pick: (r) => r.idle.newClient.latency.p99, format: ms })
  r.push({ load: idle, metric: "server CPU µs/GET", pick: (r) => r.idle.newClient.cpuUsPerOp, format: us })
  r.push({ load: "RSS", metric: "idle, after start (MB)", pick: (_r, t) => t.rssIdleKb / 1024, format: mb })
  r.push({ load: "RSS", metric: "idle, after the loads (MB)", pick: (r) => r.idle.rssBeforeKb / 1024, format: mb })
  r.push({ load: "RSS", metric: `with ${report.settings.idleClients} clients (MB)`, pick: (r) => r.idle.rssWithKb / 1024, format: mb })
  r.push({ load: "RSS", metric: "own memory (RssAnon), idle after start (MB)", pick: (_r, t) => (t.privateIdleKb ?? Number.NaN) / 1024, format: mb })
  r.push({ load: "RSS", metric: "own memory (RssAnon), after the loads (MB)", pick: (_r, t) => (t.privateAfterKb ?? Number.NaN) / 1024, format: mb })
  // only the first round: later rounds reuse memory the allocator kept from the previous 1000 clients
  r.push({ load: "RSS", metric: "kB per idle client (1st round)", pick: (_r, t) => t.rounds[0]?.idle.kbPerClient ?? Number.NaN, format: kb })
  return r
}

function errorsOf(t: TargetResults): string[] {
  const found: string[] = []
  const check = (what: string, l: LoadResult): void => {
    if (l.errors > 0) found.push(`${t.name}, ${what}: ${l.errors} (first: \`${(l.firstError ?? "").replace(/\n/g, "⏎")}\`)`)
  }
  t.rounds.forEach((r, i) => {
    const n = `round ${i + 1}`
    for (const [c, l] of Object.entries(r.get)) check(`${n}, GET ${c} conns`, l)
    check(`${n}, LIST VAR`, r.list)
    for (const [w, l] of Object.entries(r.churn)) check(`${n}, churn ${w} workers`, l)
    check(`${n}, GET with idle clients`, r.idle.newClient)
    if (r.idle.stillOpen < r.idle.clients) found.push(`${t.name}, ${n}: only ${r.idle.stillOpen} of ${r.idle.clients} idle clients stayed connected`)
  })
  return found
}

function fmt(f: (v: number) => string, v: number): string {
  return Number.isFinite(v) ? f(v) : "—"
}
function int(v: number): string {
  return Math.round(v).toLocaleString("en-US")
}
function ms(v: number): string {
  return v >= 10 ? v.toFixed(1) : v.toFixed(3)
}
function us(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(1)
}
function mb(v: number): string {
  return v.toFixed(1)
}
function kb(v: number): string {
  return v.toFixed(2)
}

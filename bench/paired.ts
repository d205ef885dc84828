/**
 * Statistics for paired, interleaved measurements (`npm run bench:tail`): latencies pooled in
 * log-spaced histograms, and a bootstrap over slice pairs for the confidence interval of a ratio.
 *
 * Why slices: on a shared 2-core VM the machine drifts (host noise, other tenants) on a scale of
 * seconds, so two long windows, one per server, measure the drift as much as the servers. Many short
 * windows, alternating A B B A …, put both servers under the same conditions; resampling the pairs
 * (not single requests, which are correlated within a slice) gives an honest interval.
 */
import { mulberry32 } from "../test/support/prng.ts"

/** Bin width: 1 % (a quantile read from the histogram is within ±0.5 % of the exact one). */
const GROWTH = 1.01
const MIN_MS = 0.001
const BINS = Math.ceil(Math.log(1e7) / Math.log(GROWTH)) // 1 µs … 10 s

/** Latencies (ms) counted in 1 %-wide bins from 1 µs to 10 s; faster to pool and resample than raw samples. */
export class LogHistogram {
  readonly counts = new Float64Array(BINS)
  total = 0

  add(ms: number): void {
    this.counts[binOf(ms)]!++
    this.total++
  }

  addAll(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.add(values[i]!)
    return this
  }

  quantile(q: number): number {
    return quantileOf(this.counts, this.total, q)
  }
}

function binOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0
  return Math.min(BINS - 1, Math.floor(Math.log(ms / MIN_MS) / Math.log(GROWTH)))
}

/** Nearest-rank quantile of a binned distribution: the geometric middle of the bin holding rank ⌈qN⌉. */
function quantileOf(counts: Float64Array, total: number, q: number): number {
  if (total === 0) return Number.NaN
  const rank = Math.max(1, Math.ceil(q * total))
  let seen = 0
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!
    if (seen >= rank) return MIN_MS * GROWTH ** (i + 0.5)
  }
  return MIN_MS * GROWTH ** BINS
}

/** One server's share of a slice. */
export interface SliceSide {
  readonly latencies: LogHistogram
  readonly ops: number
  /** Server CPU in the slice, µs. */
  readonly serverCpuUs: number
}

/** The same load, run back to back on both servers (order alternating from pair to pair). */
export interface SlicePair {
  readonly base: SliceSide
  readonly other: SliceSide
}

/** other/base for one figure, pooled over the pairs, with a bootstrap interval. */
export interface PairedRatio {
  readonly base: number
  readonly other: number
  readonly ratio: number
  /** 5th and 95th percentile of the bootstrap ratios: a 90 % interval (95 % one-sided for "≤"). */
  readonly low: number
  readonly high: number
}

export interface PairedSummary {
  readonly pairs: number
  readonly samples: { readonly base: number; readonly other: number }
  readonly p50: PairedRatio
  readonly p99: PairedRatio
  /** Server CPU µs per operation. */
  readonly cpu: PairedRatio
}

type Stat = (counts: Float64Array, total: number, ops: number, cpuUs: number) => number
const STATS: Record<"p50" | "p99" | "cpu", Stat> = {
  p50: (c, n) => quantileOf(c, n, 0.5),
  p99: (c, n) => quantileOf(c, n, 0.99),
  cpu: (_c, _n, ops, cpu) => (ops > 0 ? cpu / ops : Number.NaN),
}

/** Pool the pairs and bootstrap them (`resamples` draws of as many pairs, with replacement). */
export function summarizePairs(pairs: readonly SlicePair[], options: { resamples?: number; seed?: number } = {}): PairedSummary {
  if (pairs.length === 0) throw new Error("summarizePairs: no pairs")
  const resamples = options.resamples ?? 2000
  const random = mulberry32(options.seed ?? 1)
  const point = pool(pairs, pairs.map((_, i) => i))
  const draws: Record<keyof typeof STATS, number[]> = { p50: [], p99: [], cpu: [] }
  const pick = new Array<number>(pairs.length)
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < pick.length; i++) pick[i] = Math.floor(random() * pairs.length)
    const p = pool(pairs, pick)
    for (const k of Object.keys(STATS) as (keyof typeof STATS)[]) draws[k].push(stat(k, p.other) / stat(k, p.base))
  }
  const ratio = (k: keyof typeof STATS): PairedRatio => {
    const base = stat(k, point.base)
    const other = stat(k, point.other)
    const sorted = draws[k].filter(Number.isFinite).sort((a, b) => a - b)
    return { base, other, ratio: other / base, low: percentile(sorted, 0.05), high: percentile(sorted, 0.95) }
  }
  return { pairs: pairs.length, samples: { base: point.base.total, other: point.other.total }, p50: ratio("p50"), p99: ratio("p99"), cpu: ratio("cpu") }
}

/** What the interval says about "other ≤ base". */
export function verdict(r: PairedRatio): "lower" | "higher" | "no difference detected" {
  if (r.high < 1) return "lower"
  if (r.low > 1) return "higher"
  return "no difference detected"
}

interface Pooled {
  counts: Float64Array
  total: number
  ops: number
  cpuUs: number
}

function pool(pairs: readonly SlicePair[], indices: readonly number[]): { base: Pooled; other: Pooled } {
  const base: Pooled = { counts: new Float64Array(BINS), total: 0, ops: 0, cpuUs: 0 }
  const other: Pooled = { counts: new Float64Array(BINS), total: 0, ops: 0, cpuUs: 0 }
  for (const i of indices) {
    add(base, pairs[i]!.base)
    add(other, pairs[i]!.other)
  }
  return { base, other }
}

function add(into: Pooled, side: SliceSide): void {
  const c = side.latencies.counts
  for (let b = 0; b < c.length; b++) into.counts[b]! += c[b]!
  into.total += side.latencies.total
  into.ops += side.ops
  into.cpuUs += side.serverCpuUs
}

function stat(k: keyof typeof STATS, p: Pooled): number {
  return STATS[k](p.counts, p.total, p.ops, p.cpuUs)
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!
}


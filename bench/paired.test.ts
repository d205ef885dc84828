import assert from "node:assert/strict"
import { test } from "node:test"
import { LogHistogram, summarizePairs, verdict, type SlicePair } from "./paired.ts"

/** Deterministic pseudo-latencies around `ms`: a floor and an exponential tail, like a request/response load. */
function samples(n: number, ms: number, seed: number): Float64Array {
  const out = new Float64Array(n)
  let x = seed >>> 0
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    const u = (x + 0.5) / 4294967296
    out[i] = ms * (0.8 - 0.3 * Math.log(1 - u))
  }
  return out
}

test("LogHistogram quantiles are within 1 % of the exact nearest-rank value", () => {
  const values = samples(50_000, 0.06, 7)
  const h = new LogHistogram().addAll(values)
  const sorted = [...values].sort((a, b) => a - b)
  for (const q of [0.5, 0.9, 0.99]) {
    const exact = sorted[Math.ceil(q * sorted.length) - 1]!
    assert.ok(Math.abs(h.quantile(q) / exact - 1) < 0.01, `q${q}: ${h.quantile(q)} vs ${exact}`)
  }
  assert.equal(h.total, 50_000)
  assert.ok(Number.isNaN(new LogHistogram().quantile(0.5)))
})

function pairs(n: number, factor: number, drift: (i: number) => number): SlicePair[] {
  return Array.from({ length: n }, (_, i) => {
    const ms = 0.06 * drift(i)
    return {
      base: { latencies: new LogHistogram().addAll(samples(2000, ms, 11 + i)), ops: 2000, serverCpuUs: 2000 * 25 },
      other: { latencies: new LogHistogram().addAll(samples(2000, ms * factor, 101 + i)), ops: 2000, serverCpuUs: 2000 * 25 * factor },
    }
  })
}

test("the same server on both sides, under a drifting machine: the interval holds 1", () => {
  const drift = (i: number) => 1 + 0.5 * Math.sin(i) // the machine moves ±50 % between pairs
  const s = summarizePairs(pairs(30, 1, drift), { resamples: 500 })
  assert.ok(s.p99.low <= 1 && s.p99.high >= 1, JSON.stringify(s.p99))
  assert.equal(verdict(s.p99), "no difference detected")
  assert.equal(s.pairs, 30)
  assert.equal(s.samples.base, 60_000)
})

test("a server 5 % slower in every pair is found higher, one 5 % faster lower, despite the drift", () => {
  const drift = (i: number) => 1 + 0.5 * Math.sin(i)
  const slower = summarizePairs(pairs(30, 1.05, drift), { resamples: 500 })
  assert.equal(verdict(slower.p99), "higher")
  assert.equal(verdict(slower.p50), "higher")
  assert.ok(Math.abs(slower.cpu.ratio - 1.05) < 1e-9)
  const faster = summarizePairs(pairs(30, 0.95, drift), { resamples: 500 })
  assert.equal(verdict(faster.p99), "lower")
  assert.ok(faster.p99.low <= faster.p99.ratio && faster.p99.ratio <= faster.p99.high)
})

test("the bootstrap is seeded: the same pairs give the same interval", () => {
  const p = pairs(10, 1.02, () => 1)
  assert.deepEqual(summarizePairs(p, { resamples: 200 }), summarizePairs(p, { resamples: 200 }))
  assert.throws(() => summarizePairs([]), /no pairs/)
})

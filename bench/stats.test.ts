import { test } from "node:test"
import assert from "node:assert/strict"
import { Latencies, median } from "./stats.ts"

test("Latencies.summary() gives nearest-rank percentiles past the first buffer", () => {
  const l = new Latencies()
  for (let i = 100_000; i >= 1; i--) l.add(i / 1000) // 0.001 … 100 ms, added in reverse
  const s = l.summary()
  assert.equal(s.count, 100_000)
  assert.equal(s.p50, 50)
  assert.equal(s.p99, 99)
  assert.equal(s.max, 100)
})

test("median() ignores NaN and averages the middle pair", () => {
  assert.equal(median([3, Number.NaN, 1, 2, 10]), 2.5)
  assert.ok(Number.isNaN(median([])))
})

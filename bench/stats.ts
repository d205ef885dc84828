/** Latency recording and percentiles for the benchmark loads. */

/** Growable list of latencies in ms (a Float64Array, so 100k samples cost no GC churn in the client). */
export class Latencies {
  #data = new Float64Array(1 << 14)
  #n = 0

  add(ms: number): void {
    if (this.#n === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2)
      bigger.set(this.#data)
      this.#data = bigger
    }
    this.#data[this.#n++] = ms
  }

  get count(): number {
    return this.#n
  }

  /** The recorded latencies, in the order they came (a copy). */
  values(): Float64Array {
    return this.#data.slice(0, this.#n)
  }

  /** p50/p99 etc. by nearest rank; NaN when empty. */
  summary(): LatencySummary {
    const sorted = this.#data.slice(0, this.#n).sort()
    return { count: this.#n, p50: rank(sorted, 0.5), p99: rank(sorted, 0.99), max: rank(sorted, 1) }
  }
}

export interface LatencySummary {
  readonly count: number
  /** ms */
  readonly p50: number
  /** ms */
  readonly p99: number
  /** ms */
  readonly max: number
}

/** Median of a list of numbers (for repeated rounds). */
export function median(values: readonly number[]): number {
  const s = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

function rank(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[i]!
}

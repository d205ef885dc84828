import type { SocketTimers } from "./types.ts"

/**
 * Test clock for the socket protocol: time moves only through {@link advance}, which fires due
 * timers in order and lets the microtasks they start (socket deliveries) run in between.
 * Not part of the folder's public API.
 */
export class ManualTimers implements SocketTimers {
  #now: number
  #seq = 0
  readonly #timers = new Map<number, { readonly at: number; readonly callback: () => void }>()

  constructor(start = 1_700_000_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimer(callback: () => void, ms: number): () => void {
    const id = ++this.#seq
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback })
    return () => this.#timers.delete(id)
  }

  /** Pending timers (for assertions that nothing is left behind). */
  get pending(): number {
    return this.#timers.size
  }

  /** Move time forward by `ms`, firing every timer that falls due. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    await settle()
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined
      for (const entry of this.#timers) if (entry[1].at <= target && (next === undefined || entry[1].at < next[1].at)) next = entry
      if (next === undefined) break
      this.#timers.delete(next[0])
      this.#now = Math.max(this.#now, next[1].at)
      next[1].callback()
      await settle()
    }
    this.#now = target
    await settle()
  }
}

/** Let every pending microtask and promise chain run (in-memory socket deliveries, awaits). */
export function settle(): Promise<void> {
  // a macrotask starts only once the microtask queue is empty
  return new Promise((resolve) => setTimeout(resolve, 0))
}

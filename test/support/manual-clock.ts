/**
 * A clock that moves only when the test says so: `now()` starts where you tell it, `advance(ms)`
 * moves it and resolves every `sleep()` whose deadline has come, in deadline order.
 */
import type { Clock } from "../../src/monitor/index.ts"

interface Sleeper {
  readonly due: number
  readonly seq: number
  readonly resolve: () => void
}

/** A manual Clock for tests (no real time, no patched globals). */
export class ManualClock implements Clock {
  #now: number
  #seq = 0
  #sleepers: Sleeper[] = []

  /** @param start ms since the epoch @default 0 */
  constructor(start = 0) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  /** Resolves once the clock has been advanced by `ms`; rejects with the signal's reason on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        due: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort)
          resolve()
        },
      }
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper)
        reject(signal?.reason)
      }
      signal?.addEventListener("abort", onAbort, { once: true })
      this.#sleepers.push(sleeper)
    })
  }

  /**
   * Move time forward by `ms`, waking sleepers in deadline order; `now()` reads each sleeper's
   * deadline while it wakes. Awaits a microtask turn after each wake so woken code can run (and
   * start new sleeps that also fall within this advance).
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms
    for (;;) {
      const next = this.#sleepers.filter((s) => s.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0]
      if (next === undefined) break
      this.#sleepers = this.#sleepers.filter((s) => s !== next)
      this.#now = Math.max(this.#now, next.due)
      next.resolve()
      await flush()
    }
    this.#now = end
  }

  /** Sleeps still waiting. */
  get pending(): number {
    return this.#sleepers.length
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

/**
 * Virtual time for tests that talk over real loopback sockets. A ManualClock cannot be driven by
 * hand there: between two sleeps the code under test waits for HTTP round trips, which are I/O,
 * not microtasks. `SimClock.drive(work)` therefore jumps to the next sleeper's deadline only when
 * the process is quiet: no tracked request in flight (except those parked on this clock inside the
 * simulator, like PVE's 3 s delay on a 401) and nothing new for a few event-loop turns. The result
 * is deterministic virtual time: a 10-minute cluster shutdown runs in well under a second.
 */
import type { Clock } from "../../../src/shutdown/index.ts"

interface Sleeper {
  readonly due: number
  readonly seq: number
  readonly wake: () => void
}

/** A clock that advances itself to the next deadline whenever the system is idle. */
export class SimClock implements Clock {
  #now: number
  #seq = 0
  #sleepers: Sleeper[] = []
  #inflight = 0
  #parked = 0
  #activity = 0

  /** @param start ms since the epoch @default 1_750_000_000_000 */
  constructor(start = 1_750_000_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    this.#activity++
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        due: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        wake: () => {
          signal?.removeEventListener("abort", onAbort)
          resolve()
        },
      }
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper)
        this.#activity++
        reject(signal?.reason)
      }
      signal?.addEventListener("abort", onAbort, { once: true })
      this.#sleepers.push(sleeper)
    })
  }

  /** Count `work` (an HTTP exchange) as in flight until it settles: time stands still meanwhile. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.#inflight++
    this.#activity++
    try {
      return await work()
    } finally {
      this.#inflight--
      this.#activity++
    }
  }

  /** A sleep taken while serving a tracked request (the simulator's 401 delay): it may let time move. */
  async parkedSleep(ms: number): Promise<void> {
    this.#parked++
    try {
      await this.sleep(ms)
    } finally {
      this.#parked--
    }
  }

  /** Sleeps still waiting. */
  get pending(): number {
    return this.#sleepers.length
  }

  /**
   * Run until `work` settles, advancing virtual time whenever everything is idle.
   * @param limitMs give up (reject) after this much virtual time @default 6 h
   */
  async drive<T>(work: Promise<T>, limitMs = 6 * 3_600_000): Promise<T> {
    let settled = false
    const done = work.finally(() => {
      settled = true
    })
    done.catch(() => {})
    const end = this.#now + limitMs
    let idleSpins = 0
    while (!settled) {
      await this.#quiet()
      if (settled) break
      const next = [...this.#sleepers].sort((a, b) => a.due - b.due || a.seq - b.seq)[0]
      if (next === undefined) {
        // waiting on something outside this clock (a socket close, a child of the test): give it real time
        if (++idleSpins > 2000) throw new Error("SimClock.drive(): nothing to wait for and the work never settles")
        await new Promise((r) => setTimeout(r, 1))
        continue
      }
      idleSpins = 0
      if (next.due > end) throw new Error(`SimClock.drive(): still running after ${limitMs} ms of virtual time`)
      this.#sleepers = this.#sleepers.filter((s) => s !== next)
      this.#now = Math.max(this.#now, next.due)
      next.wake()
    }
    return done
  }

  /** Move time by hand (for code without I/O), waking sleepers in deadline order. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms
    for (;;) {
      const next = [...this.#sleepers].filter((s) => s.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0]
      if (next === undefined) break
      this.#sleepers = this.#sleepers.filter((s) => s !== next)
      this.#now = Math.max(this.#now, next.due)
      next.wake()
      await this.#quiet()
    }
    this.#now = end
  }

  // idle = every tracked request is parked on this clock and nothing changed for a few loop turns
  async #quiet(): Promise<void> {
    let stable = 0
    let seen = -1
    while (stable < 4) {
      await new Promise<void>((r) => setImmediate(r))
      if (this.#inflight > this.#parked) {
        stable = 0
        seen = this.#activity
        // an exchange is on the wire: let the I/O phase run
        await new Promise<void>((r) => setImmediate(r))
        continue
      }
      if (this.#activity !== seen) {
        seen = this.#activity
        stable = 0
      } else stable++
    }
  }
}

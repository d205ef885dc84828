/** `now()` in ms and an abortable `sleep()`: what every timed part of nutctl is given. */
export interface Clock {
  now(): number
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** Real time with web-standard timers, so it runs under Node, Deno and Bun alike; edges pass it in. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const onAbort = (): void => {
        clearTimeout(timer)
        reject(signal?.reason)
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort)
        resolve()
      }, Math.max(0, ms))
      signal?.addEventListener("abort", onAbort, { once: true })
    }),
}

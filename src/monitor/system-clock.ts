/** Real time for the loop (web-standard timers, so it runs under Node, Deno and Bun alike). */
import type { Clock } from "./types.ts"

/** The wall clock: `Date.now()` and `setTimeout`. */
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

import type { ClientClock, TrackingResult } from "./types.ts"

/** upsrw/upscmd poll `GET TRACKING <id>` once a second. */
export const TRACKING_POLL_MS = 1000

/** upsrw/upscmd's default `-t` (DEFAULT_TRACKING_TIMEOUT). */
export const DEFAULT_TRACKING_WAIT_MS = 10_000

/**
 * Poll until the driver's result is in or `waitMs` has passed (then `PENDING`). Always polls at
 * least once, so a result the driver already reported is never missed.
 */
export async function waitForTracking(
  poll: () => Promise<TrackingResult>,
  clock: ClientClock,
  waitMs: number,
): Promise<TrackingResult> {
  const start = clock.now()
  for (;;) {
    const result = await poll()
    if (result !== "PENDING") return result
    const left = waitMs - (clock.now() - start)
    if (left <= 0) return "PENDING"
    await clock.sleep(Math.min(TRACKING_POLL_MS, left))
  }
}

/** Real time. */
export const realClock: ClientClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

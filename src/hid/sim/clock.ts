// Time for the simulated UPS. The simulator never reads time itself: every device gets a clock
// (tests: test/support/manual-clock.ts; users: `systemClock`, optionally sped up with `scaledClock`
// for `sim:…?speed=60`). The Clock every timed part of nutctl is given (src/ups/clock.ts).

import type { Clock } from "../../ups/index.ts"

export { systemClock } from "../../ups/index.ts"

/** `now()` in ms, and an abortable `sleep()`. */
export type SimClock = Clock

/**
 * `base` running `factor` times faster: a scenario's "10m" passes in 10 s with factor 60. Both
 * `now()` and `sleep()` are scaled, so device timeouts (the 750 ms interrupt read) shrink too.
 */
export function scaledClock(base: SimClock, factor: number): SimClock {
  if (!(factor > 0) || factor === 1) return base
  const origin = base.now()
  return {
    now: () => origin + (base.now() - origin) * factor,
    sleep: (ms, signal) => base.sleep(ms / factor, signal),
  }
}

/** Real time for the loop (web-standard timers, so it runs under Node, Deno and Bun alike). */
import { systemClock as realTime } from "../ups/index.ts"
import type { Clock } from "./types.ts"

/** The wall clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = realTime

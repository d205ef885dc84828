/** Real time for the loop (web-standard timers, so it runs under Node, Deno and Bun alike). */
export { systemClock } from "../ups/index.ts"

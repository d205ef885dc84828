/**
 * The TrueNAS middleware simulator for tests. It lives in plugins/truenas/sim/ because
 * `nutctl drill --simulate` ships it in the binary; this is the test-side entry point.
 */
export * from "../../../plugins/truenas/sim/index.ts"

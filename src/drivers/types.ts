import type { UpsState, UpsWriter } from "../ups/index.ts"

/**
 * A driver keeps one UpsState up to date. `start` connects it (calling `state.markConnected`
 * with itself as the writer for SET VAR / INSTCMD), publishes data, and runs until `signal` aborts.
 * It must not throw for bad device data: report it through `log` and keep going.
 */
export interface Driver extends UpsWriter {
  /** NUT driver name, e.g. `dummy-ups` (shown as `driver.name`). */
  readonly name: string
  start(state: UpsState, signal: AbortSignal): Promise<void>
}

/** Where drivers report problems (malformed lines, lost devices). */
export interface DriverLog {
  info(message: string): void
  warn(message: string): void
}

/**
 * Contracts of the NUT driver ↔ upsd socket (research/nut-reference.md §1.10): a byte stream per
 * connection, and how to open one. The node:net implementation is in node-socket.ts, an in-memory one
 * for tests in memory-socket.ts; the protocol code only sees these types.
 */

/** One open connection on a driver socket. */
export interface SocketLink {
  /** Send text (UTF-8). Returns false once the link is closed. */
  write(text: string): boolean
  /** Close the link; `onClose` of both ends follows. Idempotent. */
  close(): void
}

/** What a link reports. `onClose` is called once, whichever side closed. */
export interface SocketHandlers {
  onData(bytes: Uint8Array): void
  onClose(): void
}

/** Connect to the unix socket at `path` (upsd side); rejects when nothing listens there. */
export type SocketConnect = (path: string, handlers: SocketHandlers) => Promise<SocketLink>

/** A listening driver socket. */
export interface SocketListener {
  /** Stop accepting, close every open link and remove the socket file. */
  close(): Promise<void>
}

/** Listen on the unix socket at `path` (driver side); `accept` returns the handlers of each new link. */
export type SocketListen = (path: string, accept: (link: SocketLink) => SocketHandlers) => Promise<SocketListener>

/** Time for the socket protocol: reconnects, PING, TRACKING timeouts. Tests inject a manual clock. */
export interface SocketTimers {
  /** Milliseconds since the epoch. */
  now(): number
  /** Call `callback` after `ms`; returns a function that cancels it. */
  setTimer(callback: () => void, ms: number): () => void
}

/** Real time. */
export const REAL_TIMERS: SocketTimers = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    const timer = setTimeout(callback, ms)
    return () => clearTimeout(timer)
  },
}

/** Wait `ms` on `timers`, resolving early when `signal` aborts. */
export function sleepOn(timers: SocketTimers, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = (): void => {
      cancel()
      signal.removeEventListener("abort", done)
      resolve()
    }
    const cancel = timers.setTimer(done, ms)
    signal.addEventListener("abort", done, { once: true })
  })
}

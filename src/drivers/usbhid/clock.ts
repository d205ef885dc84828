// Time for the USB HID driver: injected so tests drive polls, interrupt waits and debounce with a
// manual clock (test/support/manual-clock.ts satisfies this interface).

/** Milliseconds since the epoch, and an abortable sleep. */
export interface UsbHidClock {
  now(): number
  /** Resolves after `ms`; may reject with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** Real time (Date.now / setTimeout). */
export const SYSTEM_CLOCK: UsbHidClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort)
        resolve()
      }, ms)
      const onAbort = (): void => {
        clearTimeout(timer)
        reject(signal?.reason)
      }
      signal?.addEventListener("abort", onAbort, { once: true })
    }),
}

/** `clock.sleep` that resolves (never rejects) when aborted. */
export async function pause(clock: UsbHidClock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  try {
    await clock.sleep(Math.max(0, ms), signal)
  } catch {
    // aborted: the caller checks the signal
  }
}

/** A request that did not settle before its deadline. */
export class DeadlineError extends Error {
  readonly code = "E_USBHID_DEADLINE"
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms (device hung)`)
    this.name = "DeadlineError"
  }
}

/** `promise`, or a DeadlineError once `ms` have passed on `clock`. */
export async function withDeadline<T>(clock: UsbHidClock, ms: number, what: string, promise: Promise<T>): Promise<T> {
  const stop = new AbortController()
  const timeout = clock.sleep(ms, stop.signal).then(
    () => {
      throw new DeadlineError(what, ms)
    },
    () => new Promise<never>(() => undefined),
  )
  try {
    return await Promise.race([promise, timeout])
  } finally {
    stop.abort()
  }
}

/**
 * A scriptable HID device behind the HidTransport contract, for driver tests: answers GET_REPORT
 * from a table, records every SET_REPORT, queues interrupt reports, and can be unplugged, replugged
 * or hung. Interrupt waits run on the test's ManualClock.
 */
import { HidTransportError, parseHexBytes, type HidDeviceInfo, type HidOpener, type HidTransport } from "../../src/hid/index.ts"
import type { ManualClock } from "./manual-clock.ts"

/** `"16 0c 00"` → bytes. */
export function hex(text: string): Uint8Array {
  return parseHexBytes(text)
}

/** bytes → `"16 0c 00"`. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ")
}

export interface FakeHidDeviceOptions {
  readonly info: HidDeviceInfo
  readonly descriptor: Uint8Array
  /** GET_REPORT(Feature) answers by report id (byte 0 = id). */
  readonly feature?: ReadonlyMap<number, Uint8Array>
  /** USB string descriptors by index. */
  readonly strings?: Readonly<Record<number, string>>
  readonly clock: ManualClock
}

interface Waiter {
  resolve(report: Uint8Array | undefined): void
  reject(err: unknown): void
}

/** The device; `opener()` gives the HidOpener a driver uses. */
export class FakeHidDevice {
  readonly info: HidDeviceInfo
  readonly descriptor: Uint8Array
  readonly feature: Map<number, Uint8Array>
  readonly strings: Record<number, string>
  /** Every SET_REPORT, in order. */
  readonly writes: Uint8Array[] = []
  /** Report ids of every GET_REPORT, in order. */
  readonly gets: number[] = []
  /** When false, SET_REPORT does not change what GET_REPORT answers. */
  storeWrites = true
  readonly #clock: ManualClock
  readonly #queue: Uint8Array[] = []
  readonly #waiters = new Set<Waiter>()
  #plugged = true
  #hung = false
  #opens = 0

  constructor(options: FakeHidDeviceOptions) {
    this.info = options.info
    this.descriptor = options.descriptor
    this.feature = new Map(options.feature ?? [])
    this.strings = { ...(options.strings ?? {}) }
    this.#clock = options.clock
  }

  /** How many times the device was opened. */
  get opens(): number {
    return this.#opens
  }

  /** Sends an interrupt-IN report. */
  push(report: Uint8Array | string): void {
    const bytes = typeof report === "string" ? hex(report) : report
    const waiter = this.#waiters.values().next().value
    if (waiter !== undefined) {
      this.#waiters.delete(waiter)
      waiter.resolve(bytes)
    } else this.#queue.push(bytes)
  }

  /** Changes a GET_REPORT answer. */
  setFeature(report: Uint8Array | string): void {
    const bytes = typeof report === "string" ? hex(report) : report
    this.feature.set(bytes[0] ?? 0, bytes)
  }

  /** The cable is pulled: every pending and later call fails with "disconnected", list() is empty. */
  unplug(): void {
    this.#plugged = false
    this.#queue.length = 0
    for (const w of this.#waiters) w.reject(this.#gone())
    this.#waiters.clear()
  }

  replug(): void {
    this.#plugged = true
    this.#hung = false
  }

  /** The firmware stops answering: calls never settle. */
  hang(): void {
    this.#hung = true
  }

  opener(): HidOpener {
    return {
      list: async () => (this.#plugged ? [this.info] : []),
      open: async (device) => {
        if (!this.#plugged || device.path !== this.info.path) throw new HidTransportError("not-found", device.path, `Cannot open ${device.path}: no such device`)
        this.#opens++
        return this.#transport()
      },
    }
  }

  #transport(): HidTransport {
    let closed = false
    const guard = <T>(run: () => T): Promise<T> => {
      if (closed) return Promise.reject(new HidTransportError("disconnected", this.info.path, "transport closed"))
      if (!this.#plugged) return Promise.reject(this.#gone())
      if (this.#hung) return new Promise<T>(() => undefined)
      try {
        return Promise.resolve(run())
      } catch (err) {
        return Promise.reject(err)
      }
    }
    return {
      info: this.info,
      reportDescriptor: () => guard(() => this.descriptor),
      getFeatureReport: (id) =>
        guard(() => {
          this.gets.push(id)
          const answer = this.feature.get(id)
          if (answer === undefined) throw new HidTransportError("io", this.info.path, `GET_REPORT 0x${id.toString(16)}: stall`)
          return answer.slice()
        }),
      sendFeatureReport: (report) =>
        guard(() => {
          this.writes.push(report.slice())
          if (this.storeWrites && this.feature.has(report[0] ?? -1)) this.feature.set(report[0] ?? 0, report.slice())
          return report.length
        }),
      readInput: (timeoutMs) =>
        guard(() => undefined).then(() => {
          const next = this.#queue.shift()
          if (next !== undefined) return next
          return new Promise<Uint8Array | undefined>((resolve, reject) => {
            const stop = new AbortController()
            const waiter: Waiter = {
              resolve: (r) => {
                stop.abort()
                resolve(r)
              },
              reject: (e) => {
                stop.abort()
                reject(e)
              },
            }
            this.#waiters.add(waiter)
            this.#clock.sleep(timeoutMs, stop.signal).then(
              () => {
                this.#waiters.delete(waiter)
                resolve(undefined)
              },
              () => undefined,
            )
          })
        }),
      indexedString: (index) => guard(() => this.strings[index]),
      close: async () => {
        closed = true
      },
    }
  }

  #gone(): HidTransportError {
    return new HidTransportError("disconnected", this.info.path, `${this.info.path}: device disconnected`)
  }
}

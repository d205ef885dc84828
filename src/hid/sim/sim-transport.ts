// The HidTransport / HidOpener contract over a SimulatedUps, so the USB HID driver and
// `nutctl driver explore` use a simulated UPS exactly as they use node-hid.
import { HidTransportError, type HidDeviceInfo, type HidOpener, type HidTransport } from "../transport.ts"
import type { SimulatedUps } from "./simulated-ups.ts"
import type { SimHandle } from "./types.ts"

/** Lists the device while it is on the bus and opens handles on it. */
export function createSimOpener(ups: SimulatedUps): HidOpener {
  return {
    list: async () => (ups.connected ? [ups.info] : []),
    open: async (device: HidDeviceInfo) => {
      if (device.path !== ups.info.path) {
        throw new HidTransportError("not-found", device.path, `Cannot open HID device at ${device.path}: no such device (this simulator is ${ups.info.path})`)
      }
      return new SimTransport(ups, ups.open())
    },
  }
}

/** One open handle on a simulated UPS; dead after an unplug, like a hidraw file descriptor. */
export class SimTransport implements HidTransport {
  readonly #ups: SimulatedUps
  readonly #handle: SimHandle

  constructor(ups: SimulatedUps, handle: SimHandle) {
    this.#ups = ups
    this.#handle = handle
  }

  get info(): HidDeviceInfo {
    return this.#ups.info
  }

  reportDescriptor(): Promise<Uint8Array> {
    return this.#ups.descriptorBytes(this.#handle)
  }

  getFeatureReport(reportId: number, length: number): Promise<Uint8Array> {
    return this.#ups.getFeature(this.#handle, reportId, length)
  }

  sendFeatureReport(report: Uint8Array): Promise<number> {
    return this.#ups.setFeature(this.#handle, report)
  }

  readInput(timeoutMs: number): Promise<Uint8Array | undefined> {
    return this.#ups.readInput(this.#handle, timeoutMs)
  }

  indexedString(index: number): Promise<string | undefined> {
    return this.#ups.string(this.#handle, index)
  }

  async close(): Promise<void> {
    this.#ups.close(this.#handle)
  }
}

/**
 * How the USB HID driver talks to a device. Implemented by node-hid (hidraw) in
 * `node-hid-transport.ts` and by the simulated UPS (`sim:<base>` ports and tests). Report buffers
 * follow the convention of the rest of src/hid: byte 0 is the report id (0 when the device uses no
 * report ids).
 */

/** What enumeration says about a device (ups.conf matches on these). */
export interface HidDeviceInfo {
  readonly vendorId: number
  readonly productId: number
  readonly manufacturer?: string | undefined
  readonly product?: string | undefined
  readonly serial?: string | undefined
  /** bcdDevice, when known. */
  readonly release?: number | undefined
  /** OS path (`/dev/hidraw0`) or `sim:<base>`. */
  readonly path: string
  /** USB bus, when known (ups.conf `bus`). */
  readonly bus?: string | undefined
  /** HID interface number, when known. */
  readonly interface?: number | undefined
}

/** An open HID device. Every method rejects with {@link HidTransportError} on failure. */
export interface HidTransport {
  readonly info: HidDeviceInfo
  /** The raw report descriptor. */
  reportDescriptor(): Promise<Uint8Array>
  /**
   * GET_REPORT(Feature) for `reportId`, asking for `length` bytes including the id byte. Devices may
   * answer fewer bytes (a short answer): returned as is. An empty answer means the device STALLed
   * the request (no such report / no data; NUT treats a STALL as "no data", not as an error).
   */
  getFeatureReport(reportId: number, length: number): Promise<Uint8Array>
  /** SET_REPORT(Feature) with the whole report (byte 0 = id). Resolves to the bytes written. */
  sendFeatureReport(report: Uint8Array): Promise<number>
  /** The next interrupt-IN report, or undefined when none arrives within `timeoutMs`. */
  readInput(timeoutMs: number): Promise<Uint8Array | undefined>
  /** A USB string descriptor by index (iManufacturer, iDeviceChemistry …), if the transport can. */
  indexedString(index: number): Promise<string | undefined>
  close(): Promise<void>
}

/** Finds and opens devices (node-hid enumeration, or the simulator). */
export interface HidOpener {
  list(): Promise<readonly HidDeviceInfo[]>
  open(device: HidDeviceInfo): Promise<HidTransport>
}

export const HID_TRANSPORT_ERROR_CODES = ["disconnected", "timeout", "io", "busy", "not-found", "unsupported"] as const
export type HidTransportErrorCode = (typeof HID_TRANSPORT_ERROR_CODES)[number]

/** A transport failure, e.g. `Cannot read HID report 0x0c from /dev/hidraw0: device disconnected`. */
export class HidTransportError extends Error {
  readonly code: HidTransportErrorCode
  readonly path: string
  constructor(code: HidTransportErrorCode, path: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = "HidTransportError"
    this.code = code
    this.path = path
  }
}

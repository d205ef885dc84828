// HidOpener / HidTransport over node-hid 3.x (hidraw backend on Linux): the only file that names
// node-hid, loaded with a dynamic import so everything else runs where the addon cannot load.
// node:fs is imported lazily too, so the hid/ barrel stays free of node: imports.
//
// What node-hid 3.4 does not offer is read from sysfs: the report descriptor
// (/sys/class/hidraw/hidrawN/device/report_descriptor — the kernel's copy of what the device sent),
// the USB bus number (ups.conf `bus`), and the strings behind the device descriptor's iManufacturer /
// iProduct / iSerialNumber indexes. Other string indexes (iDeviceChemistry …) need a USB control
// transfer hidraw cannot make: `indexedString()` answers undefined for them.
//
// node-hid reports failures as plain Errors whose text ends in the hidapi / errno message
// ("… Failed to open a device with path '/dev/hidraw0': Permission denied"). Classifying that text
// is this edge's job, so callers only ever see HidTransportError codes.
import { parseReportDescriptor } from "./parser.ts"
import { HidTransportError, type HidDeviceInfo, type HidOpener, type HidTransport, type HidTransportErrorCode } from "./transport.ts"

/** The part of node-hid 3.x this transport uses. */
export interface NodeHidApi {
  devicesAsync(): Promise<NodeHidDevice[]>
  readonly HIDAsync: { open(path: string): Promise<NodeHidHandle> }
}

/** node-hid's device record. */
export interface NodeHidDevice {
  readonly vendorId: number
  readonly productId: number
  readonly path?: string | undefined
  readonly serialNumber?: string | undefined
  readonly manufacturer?: string | undefined
  readonly product?: string | undefined
  readonly release?: number | undefined
  readonly interface?: number | undefined
  readonly usagePage?: number | undefined
}

/** node-hid's HIDAsync, as used here (`getReportDescriptor` exists only in newer node-hid). */
export interface NodeHidHandle {
  close(): Promise<void>
  read(timeoutMs: number): Promise<Uint8Array | undefined>
  getFeatureReport(reportId: number, length: number): Promise<Uint8Array>
  sendFeatureReport(data: number[]): Promise<number>
  getDeviceInfo(): Promise<NodeHidDevice>
  getReportDescriptor?: () => Promise<Uint8Array>
}

/** sysfs reads (replaceable in tests). */
export interface SysfsAccess {
  readFile(path: string): Promise<Uint8Array>
  realpath(path: string): Promise<string>
}

/** Options of `createNodeHidOpener()`. */
export interface NodeHidOpenerOptions {
  /** List only devices that look like UPSes (`isLikelyUps`). @default true */
  readonly upsOnly?: boolean
  /** @default "/sys" */
  readonly sysfsRoot?: string
  /** @default dynamic import of node-hid */
  readonly loadNodeHid?: () => Promise<NodeHidApi>
  /** @default node:fs/promises */
  readonly sysfs?: SysfsAccess
}

/** A node-hid opener that can also open a bare OS path (`port = /dev/hidraw0`). */
export interface NodeHidOpener extends HidOpener {
  /** Opens `/dev/hidrawN` (or a symlink to it), with what enumeration knows about it. */
  openPath(path: string): Promise<HidTransport>
}

/** Vendors whose HID devices are UPSes (NUT's usbhid-ups subdrivers; HP, Belkin and friends also make other HID devices). */
export const UPS_VENDOR_IDS: ReadonlySet<number> = new Set([
  0x051d, // APC
  0x0764, // CyberPower
  0x0463, // MGE / Eaton
  0x06da, // Phoenixtec (PowerWalker, Ippon …)
  0x0592, // Powerware
  0x047c, // Dell UPS
  0x0d9f, // Powercom
  0x10af, // Liebert
  0x09ae, // Tripp Lite
])

/** Usage page 0x84 (Power Device) / 0x85 (Battery System) on the top-level collection, or a UPS vendor. */
export function isLikelyUps(device: Pick<NodeHidDevice, "vendorId" | "usagePage">): boolean {
  return device.usagePage === 0x84 || device.usagePage === 0x85 || UPS_VENDOR_IDS.has(device.vendorId)
}

/** HidOpener over node-hid; nothing is loaded until the first call. */
export function createNodeHidOpener(options: NodeHidOpenerOptions = {}): NodeHidOpener {
  const ctx: Context = {
    root: (options.sysfsRoot ?? "/sys").replace(/\/+$/, ""),
    sysfs: options.sysfs ?? nodeSysfs,
    load: memo(options.loadNodeHid ?? importNodeHid),
  }
  const enumerate = async (upsOnly: boolean): Promise<HidDeviceInfo[]> => {
    const hid = await loadOrThrow(ctx, "")
    let raw: NodeHidDevice[]
    try {
      raw = await hid.devicesAsync()
    } catch (cause) {
      throw new HidTransportError("io", "", `Cannot list HID devices: ${errorText(cause)}`, { cause })
    }
    // hidapi lists one entry per top-level collection; keep one per path, the Power Device one first
    const byPath = new Map<string, NodeHidDevice>()
    for (const d of raw) {
      if (d.path === undefined) continue
      const known = byPath.get(d.path)
      if (known === undefined || (!isLikelyUps(known) && isLikelyUps(d))) byPath.set(d.path, d)
    }
    const picked = [...byPath.values()].filter((d) => !upsOnly || isLikelyUps(d))
    return Promise.all(picked.map((d) => deviceInfo(ctx, d)))
  }
  const open = async (device: HidDeviceInfo): Promise<HidTransport> => {
    const hid = await loadOrThrow(ctx, device.path)
    let handle: NodeHidHandle
    try {
      handle = await hid.HIDAsync.open(device.path)
    } catch (cause) {
      throw openError(device, cause)
    }
    let info = device
    if (device.vendorId === 0 && device.productId === 0) {
      // opened by path: take what hidapi knows about it
      info = await handle.getDeviceInfo().then((d) => deviceInfo(ctx, { ...d, path: device.path }), () => device)
    }
    return new NodeHidTransport(handle, info, ctx)
  }
  return {
    list: () => enumerate(options.upsOnly ?? true),
    open,
    async openPath(path) {
      const all = await enumerate(false).catch(() => [])
      const real = await ctx.sysfs.realpath(path).catch(() => path)
      const known = all.find((d) => d.path === path || d.path === real)
      return open(known ?? { vendorId: 0, productId: 0, path })
    },
  }
}

// --- Internal helpers ---

interface Context {
  readonly root: string
  readonly sysfs: SysfsAccess
  readonly load: () => Promise<NodeHidApi>
}

/** One open hidraw device. */
class NodeHidTransport implements HidTransport {
  readonly info: HidDeviceInfo
  readonly #handle: NodeHidHandle
  readonly #ctx: Context
  #usesReportIds: Promise<boolean> | undefined
  #strings: Promise<Map<number, string>> | undefined

  constructor(handle: NodeHidHandle, info: HidDeviceInfo, ctx: Context) {
    this.#handle = handle
    this.info = info
    this.#ctx = ctx
  }

  async reportDescriptor(): Promise<Uint8Array> {
    const what = "read the report descriptor of"
    if (this.#handle.getReportDescriptor !== undefined) {
      try {
        return Uint8Array.from(await this.#handle.getReportDescriptor())
      } catch (cause) {
        throw ioError(this.info.path, what, cause)
      }
    }
    const dir = await hidrawDir(this.#ctx, this.info.path)
    const file = `${dir}/report_descriptor`
    try {
      return Uint8Array.from(await this.#ctx.sysfs.readFile(file))
    } catch (cause) {
      const missing = /ENOENT|no such file/i.test(errorText(cause))
      throw new HidTransportError(missing ? "unsupported" : "io", this.info.path, `Cannot ${what} ${this.info.path}: ${missing ? `${file} is missing (not a hidraw device?)` : errorText(cause)}`, { cause })
    }
  }

  async getFeatureReport(reportId: number, length: number): Promise<Uint8Array> {
    try {
      return Uint8Array.from(await this.#handle.getFeatureReport(reportId, Math.max(1, length)))
    } catch (cause) {
      // A STALL (EPIPE) is the device saying "no such report / no data"; NUT treats it as no data.
      if (/Broken pipe/i.test(errorText(cause))) return new Uint8Array(0)
      throw ioError(this.info.path, `read HID report 0x${hex2(reportId)} from`, cause)
    }
  }

  async sendFeatureReport(report: Uint8Array): Promise<number> {
    try {
      return await this.#handle.sendFeatureReport(Array.from(report))
    } catch (cause) {
      throw ioError(this.info.path, `write HID report 0x${hex2(report[0] ?? 0)} to`, cause)
    }
  }

  async readInput(timeoutMs: number): Promise<Uint8Array | undefined> {
    let data: Uint8Array | undefined
    try {
      data = await this.#handle.read(Math.max(0, Math.round(timeoutMs)))
    } catch (cause) {
      throw ioError(this.info.path, "read interrupt reports from", cause)
    }
    // hidapi answers a timeout with an empty buffer
    if (data === undefined || data.length === 0) return undefined
    // hidraw prefixes the report id only when the device uses ids; keep byte 0 = id (0) regardless
    if (await this.#reportIds()) return Uint8Array.from(data)
    const out = new Uint8Array(data.length + 1)
    out.set(data, 1)
    return out
  }

  async indexedString(index: number): Promise<string | undefined> {
    this.#strings ??= deviceStrings(this.#ctx, this.info.path)
    return (await this.#strings).get(index)
  }

  async close(): Promise<void> {
    try {
      await this.#handle.close()
    } catch {
      // already closed or gone: nothing left to release
    }
  }

  #reportIds(): Promise<boolean> {
    this.#usesReportIds ??= this.reportDescriptor().then(
      (bytes) => parseReportDescriptor(bytes).usesReportIds,
      () => true, // every UPS descriptor we know uses report ids
    )
    return this.#usesReportIds
  }
}

async function importNodeHid(): Promise<NodeHidApi> {
  const mod = (await import("node-hid")) as unknown as { default?: NodeHidApi } & Partial<NodeHidApi>
  const api = mod.default ?? mod
  if (typeof api.devicesAsync !== "function" || api.HIDAsync === undefined) throw new Error("node-hid 3.x API (devicesAsync, HIDAsync) not found")
  return api as NodeHidApi
}

async function loadOrThrow(ctx: Context, path: string): Promise<NodeHidApi> {
  try {
    return await ctx.load()
  } catch (cause) {
    throw new HidTransportError("unsupported", path, `Cannot use USB HID devices: node-hid did not load (${errorText(cause)})`, { cause })
  }
}

const nodeSysfs: SysfsAccess = {
  async readFile(path) {
    const fs = await import("node:fs/promises")
    return new Uint8Array(await fs.readFile(path))
  },
  async realpath(path) {
    const fs = await import("node:fs/promises")
    return fs.realpath(path)
  },
}

/** `/sys/class/hidraw/hidrawN/device` for `/dev/hidrawN` (or a symlink to it). */
async function hidrawDir(ctx: Context, path: string): Promise<string> {
  const real = await ctx.sysfs.realpath(path).catch(() => path)
  return `${ctx.root}/class/hidraw/${real.split("/").pop() ?? ""}/device`
}

/** The USB device directory (…/1-2) above the hidraw node's HID device (…/1-2/1-2:1.0/0003:051D:0002.0001). */
async function usbDeviceDir(ctx: Context, path: string): Promise<string | undefined> {
  try {
    const hidDevice = await ctx.sysfs.realpath(await hidrawDir(ctx, path))
    return hidDevice.split("/").slice(0, -2).join("/")
  } catch {
    return undefined
  }
}

async function deviceInfo(ctx: Context, d: NodeHidDevice): Promise<HidDeviceInfo> {
  const path = d.path ?? ""
  const usb = await usbDeviceDir(ctx, path)
  const busnum = usb === undefined ? undefined : await readText(ctx, `${usb}/busnum`)
  const bus = busnum !== undefined && /^\d+$/.test(busnum) ? busnum.padStart(3, "0") : undefined
  return {
    vendorId: d.vendorId,
    productId: d.productId,
    manufacturer: d.manufacturer || undefined,
    product: d.product || undefined,
    serial: d.serialNumber || undefined,
    release: d.release,
    path,
    bus,
    interface: d.interface !== undefined && d.interface >= 0 ? d.interface : undefined,
  }
}

/** Strings of the device descriptor's iManufacturer / iProduct / iSerialNumber indexes (bytes 14–16). */
async function deviceStrings(ctx: Context, path: string): Promise<Map<number, string>> {
  const strings = new Map<number, string>()
  const usb = await usbDeviceDir(ctx, path)
  if (usb === undefined) return strings
  const descriptor = await ctx.sysfs.readFile(`${usb}/descriptors`).catch(() => new Uint8Array(0))
  const files = ["manufacturer", "product", "serial"] as const
  for (const [i, file] of files.entries()) {
    const index = descriptor[14 + i] ?? 0
    const text = index === 0 || strings.has(index) ? undefined : await readText(ctx, `${usb}/${file}`)
    if (text !== undefined) strings.set(index, text)
  }
  return strings
}

async function readText(ctx: Context, file: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await ctx.sysfs.readFile(file)).replace(/\n$/, "")
  } catch {
    return undefined
  }
}

/** errno / hidapi text → code and the words a user should read. */
function classify(text: string, opening: boolean): { code: HidTransportErrorCode; reason: string } {
  if (/Permission denied|Operation not permitted/i.test(text)) return { code: "io", reason: "permission denied (run as root or install the udev rule)" }
  if (/resource busy/i.test(text)) return { code: "busy", reason: "device or resource busy (is another driver, e.g. NUT's usbhid-ups, using it?)" }
  if (/not a HIDRAW device|Inappropriate ioctl|Is a directory/i.test(text)) return { code: "unsupported", reason: "not a hidraw device" }
  if (/timed out|Timer expired/i.test(text)) return { code: "timeout", reason: "timed out (the device does not answer)" }
  if (/Broken pipe/i.test(text)) return { code: "io", reason: "the device stalled the request" }
  if (/No such file or directory|No such device/i.test(text) && opening) return { code: "not-found", reason: "no such device" }
  if (/No such file or directory|No such device|device disconnected/i.test(text)) return { code: "disconnected", reason: "device disconnected" }
  if (/closed/i.test(text)) return { code: "io", reason: "device closed" }
  return { code: "io", reason: text.replace(/^.*?: /, "") || "I/O error" }
}

function openError(device: HidDeviceInfo, cause: unknown): HidTransportError {
  const { code, reason } = classify(errorText(cause), true)
  const ids = device.vendorId === 0 && device.productId === 0 ? "" : `${hex4(device.vendorId)}:${hex4(device.productId)} `
  return new HidTransportError(code, device.path, `Cannot open HID device ${ids}at ${device.path}: ${reason}`, { cause })
}

function ioError(path: string, what: string, cause: unknown): HidTransportError {
  const { code, reason } = classify(errorText(cause), false)
  return new HidTransportError(code, path, `Cannot ${what} ${path}: ${reason}`, { cause })
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined
  return () => {
    promise ??= fn().catch((error: unknown) => {
      promise = undefined
      throw error
    })
    return promise
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0")
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0")
}

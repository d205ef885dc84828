// Finding and opening the UPS a ups.conf section means: list HID devices, keep those the
// vendorid/productid/vendor/product/serial/bus options match (and the `port`, when it names one),
// read each one's report descriptor, skip what is no HID Power Device, bind the subdriver.
import { parseReportDescriptor, type HidDeviceInfo, type HidOpener, type HidTransport } from "../../hid/index.ts"
import { bindSubdriver } from "./binding.ts"
import { withDeadline, type UsbHidClock } from "./clock.ts"
import { DeviceSession } from "./device-session.ts"
import type { UsbHidOptions } from "./options.ts"
import { chooseSubdriver } from "./subdrivers/index.ts"

/** Power Device (0x84) and Battery System (0x85) usage pages. */
const POWER_PAGES: ReadonlySet<number> = new Set([0x84, 0x85])

export interface OpenUpsDeviceOptions {
  readonly opener: HidOpener
  readonly options: UsbHidOptions
  readonly matches: (device: HidDeviceInfo) => boolean
  readonly clock: UsbHidClock
  /** Deadline of each step (list, open, descriptor): a hung device must not block the driver. */
  readonly requestTimeoutMs: number
  /** Logs a message once per key. */
  readonly once: (key: string, message: string, level?: "info" | "warn") => void
}

/** The first matching HID UPS, opened and bound; undefined when there is none. */
export async function openUpsDevice(o: OpenUpsDeviceOptions): Promise<DeviceSession | undefined> {
  let devices: readonly HidDeviceInfo[]
  try {
    devices = await withDeadline(o.clock, o.requestTimeoutMs, "Listing HID devices", o.opener.list())
  } catch (err) {
    o.once("list", `Cannot list HID devices: ${errorText(err)}`)
    return undefined
  }
  // NUT ignores `port` for usbhid-ups ("auto"); a sim: port (its device path is the port without
  // `?options`) or the path of a listed device selects that device
  const port = o.options.port.startsWith("sim:") ? o.options.port.replace(/\?.*$/, "") : o.options.port
  const candidates = devices.filter(o.matches)
  const byPort = port.startsWith("sim:") || candidates.some((d) => d.path === port) ? candidates.filter((d) => d.path === port) : candidates
  for (const device of byPort) {
    const session = await tryOpen(o, device)
    if (session !== undefined) return session
  }
  return undefined
}

async function tryOpen(o: OpenUpsDeviceOptions, device: HidDeviceInfo): Promise<DeviceSession | undefined> {
  const requested = o.options.subdriver
  const subdriver = chooseSubdriver(device, requested)
  if (subdriver === undefined) {
    o.once(`subdriver:${requested}`, `Cannot use subdriver "${requested}": no such subdriver (apc, cyberpower, eaton, generic)`)
    return undefined
  }
  let transport: HidTransport
  try {
    transport = await withDeadline(o.clock, o.requestTimeoutMs, `Opening ${device.path}`, o.opener.open(device))
  } catch (err) {
    o.once(`open:${device.path}`, `Cannot open HID device ${device.path}: ${errorText(err)}`)
    return undefined
  }
  const close = (): Promise<void> => withDeadline(o.clock, o.requestTimeoutMs, "close", transport.close()).catch(() => undefined)
  try {
    const bytes = await withDeadline(o.clock, o.requestTimeoutMs, `Reading the report descriptor of ${device.path}`, transport.reportDescriptor())
    const desc = parseReportDescriptor(bytes, { usageNames: subdriver.usageNames })
    // Only a HID Power Device (a UPS application collection) is a UPS: with `port = auto` and no
    // vendorid, keyboards and mice are listed too.
    if (!desc.fields.some((f) => POWER_PAGES.has(Math.floor((f.pathNodes[0] ?? 0) / 0x10000)))) {
      await close()
      return undefined
    }
    const binding = bindSubdriver(subdriver, desc, transport.info, { fixDescriptor: !o.options.disableFixReportDesc })
    for (const note of binding.notes) o.once(`fix:${note}`, `Report descriptor fixed: ${note}`, "info")
    return new DeviceSession({ transport, binding, clock: o.clock, requestTimeoutMs: o.requestTimeoutMs })
  } catch (err) {
    await close()
    o.once(`descriptor:${device.path}`, `Cannot read the report descriptor of ${device.path}: ${errorText(err)}`)
    return undefined
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

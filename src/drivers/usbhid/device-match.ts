// Which USB HID device a ups.conf section means: NUT's regex matcher (USBNewRegexMatcher), where
// every given option is a case-insensitive extended regex that must match the whole value, ids
// as 4 lower-case hex digits ("051d" matches "051D" and "05.d").
import type { HidDeviceInfo } from "../../hid/index.ts"

/** ups.conf selection options (all optional; absent = any). */
export interface DeviceCriteria {
  readonly vendorid?: string
  readonly productid?: string
  readonly vendor?: string
  readonly product?: string
  readonly serial?: string
  readonly bus?: string
}

/** A criterion that is not a valid regex. */
export class DeviceCriteriaError extends Error {
  readonly code = "E_USBHID_CRITERIA"
  readonly option: string
  constructor(option: string, value: string) {
    super(`Cannot use ups.conf ${option} = "${value}": not a valid regular expression`)
    this.name = "DeviceCriteriaError"
    this.option = option
  }
}

/** A compiled matcher. @throws {DeviceCriteriaError} for an invalid regex */
export function createDeviceMatcher(criteria: DeviceCriteria): (device: HidDeviceInfo) => boolean {
  const tests: Array<(device: HidDeviceInfo) => boolean> = []
  const add = (option: keyof DeviceCriteria, pick: (device: HidDeviceInfo) => string | undefined): void => {
    const source = criteria[option]
    if (source === undefined) return
    let regex: RegExp
    try {
      regex = new RegExp(`^(?:${source})$`, "i")
    } catch {
      throw new DeviceCriteriaError(option, source)
    }
    // USB strings often carry trailing blanks ("000000000   "): compare trimmed, like NUT 2.8
    tests.push((device) => regex.test((pick(device) ?? "").trim()))
  }
  add("vendorid", (d) => hex4(d.vendorId))
  add("productid", (d) => hex4(d.productId))
  add("vendor", (d) => d.manufacturer)
  add("product", (d) => d.product)
  add("serial", (d) => d.serial)
  add("bus", (d) => d.bus)
  return (device) => tests.every((t) => t(device))
}

/** `0x51d` → `051d`. */
export function hex4(id: number): string {
  return id.toString(16).padStart(4, "0")
}

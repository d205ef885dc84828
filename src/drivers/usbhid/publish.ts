// Writing the driver's view into a UpsState the way usbhid-ups fills dstate: identity (ups.* and
// device.*), driver.*, variables with their RW STRING flags, settings, commands, status.
import type { HidDeviceInfo } from "../../hid/index.ts"
import type { UpsState } from "../../ups/index.ts"
import type { Binding } from "./binding.ts"
import { hex4 } from "./device-match.ts"
import type { ComposedStatus } from "./status.ts"
import type { DeviceIdentity } from "./types.ts"

/** What driver.* says. */
export interface DriverInfo {
  /** nutctl's version. */
  readonly version: string
  readonly port: string
  readonly pollfreq: number
  readonly pollinterval: number
  /** ups.conf keys as given ("" = a flag). */
  readonly params: Readonly<Record<string, string>>
}

// Keys that are not driver options (NUT publishes neither them nor `driver`/`desc`).
const NOT_PARAMETERS = new Set(["driver", "desc", "port", "pollfreq", "pollinterval", "sdorder", "maxstartdelay", "synchronous"])

/**
 * driver.* as NUT 2.8.0 publishes it, with nutctl where NUT says its own version:
 * `driver.version` "nutctl 0.1.0", `driver.version.internal` "0.1.0" (NUT: usbhid-ups' own
 * version, 0.47) and `driver.version.data` "APC HID nutctl" (NUT: "APC HID 0.98" — the
 * subdriver title is kept so `subdriver = "APC HID.*"`-style matching still works).
 * `driver.version.usb` (libusb's version in NUT) is not published: there is no libusb.
 */
export function publishDriverInfo(state: UpsState, info: DriverInfo): void {
  state.setInfo("driver.name", "usbhid-ups")
  state.setInfo("driver.version", `nutctl ${info.version}`)
  state.setInfo("driver.version.internal", info.version)
  state.setInfo("driver.parameter.port", info.port)
  state.setInfo("driver.parameter.pollfreq", String(info.pollfreq))
  state.setInfo("driver.parameter.pollinterval", String(info.pollinterval))
  state.setInfo("driver.parameter.synchronous", "auto")
  for (const [key, value] of Object.entries(info.params)) {
    if (NOT_PARAMETERS.has(key) || key.startsWith("override.") || key.startsWith("default.")) continue
    // main.c dparam_setinfo(): a key without a value is a flag
    if (value === "") state.setInfo(`driver.flag.${key}`, "enabled")
    else state.setInfo(`driver.parameter.${key}`, value)
  }
}

/** `driver.version.data` for a subdriver title. */
export function versionData(title: string): string {
  return `${title} nutctl`
}

/** ups.mfr/model/serial/vendorid/productid/firmware and their device.* copies (NUT's callback()). */
export function publishIdentity(state: UpsState, identity: DeviceIdentity, device: HidDeviceInfo): void {
  const set = (name: string, value: string | undefined): void => (value === undefined ? state.delInfo(name) : state.setInfo(name, value))
  state.setInfo("device.type", "ups")
  set("ups.mfr", identity.mfr)
  set("ups.model", identity.model)
  set("ups.serial", identity.serial)
  set("device.mfr", identity.mfr)
  set("device.model", identity.model)
  set("device.serial", identity.serial)
  state.setInfo("ups.vendorid", hex4(device.vendorId))
  state.setInfo("ups.productid", hex4(device.productId))
  if (identity.firmware !== undefined) state.setInfo("ups.firmware", identity.firmware)
  if (identity.firmwareAux !== undefined) state.setInfo("ups.firmware.aux", identity.firmwareAux)
}

/**
 * Publishes rendered variables: writable ones typed `RW STRING:<aux>` (10 unless the row says
 * otherwise), ENUM values where the row asks for them. `override.<var>` values win.
 * @returns the names published
 */
export function publishVars(state: UpsState, binding: Binding, texts: ReadonlyMap<string, string>, overrides: ReadonlyMap<string, string>): Set<string> {
  const published = new Set<string>()
  for (const bound of binding.vars) {
    const name = bound.row.nut
    const text = overrides.get(name) ?? texts.get(name)
    if (text === undefined) continue
    const isNew = state.get(name) === undefined
    state.setInfo(name, text)
    published.add(name)
    if (!isNew || !bound.row.rw || overrides.has(name)) continue
    state.setFlags(name, ["RW", "STRING"])
    state.setAux(name, bound.row.aux)
    if (bound.row.enum) for (const v of bound.row.convert.values ?? []) state.addEnum(name, v)
  }
  return published
}

/** Driver-side settings (ups.delay.shutdown …): `RW STRING:10`. */
export function publishSettings(state: UpsState, settings: ReadonlyMap<string, string>): void {
  for (const [name, value] of settings) {
    const isNew = state.get(name) === undefined
    state.setInfo(name, value)
    if (!isNew) continue
    state.setFlags(name, ["RW", "STRING"])
    state.setAux(name, 10)
  }
}

/** Makes the command list exactly `names`. */
export function publishCommands(state: UpsState, names: readonly string[]): void {
  for (const old of state.commands()) if (!names.includes(old)) state.delCmd(old)
  for (const name of names) state.addCmd(name)
}

/** ups.status (never an empty one: nothing known = nothing claimed), ups.alarm, input.transfer.reason. */
export function publishStatus(state: UpsState, composed: ComposedStatus): void {
  if (composed.status !== "") state.setInfo("ups.status", composed.status)
  if (composed.alarms.length > 0) state.setInfo("ups.alarm", composed.alarms.join(" "))
  else state.delInfo("ups.alarm")
  if (composed.transferReason !== undefined) state.setInfo("input.transfer.reason", composed.transferReason)
  else state.delInfo("input.transfer.reason")
}

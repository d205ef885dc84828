import { isAbsolute, join } from "node:path"
import type { HidOpener } from "../hid/index.ts"
import { DummyDriver } from "./dummy/index.ts"
import { SocketDriver, connectUnixSocket } from "./socket/index.ts"
import type { Driver, DriverLog } from "./types.ts"
import { parseUsbHidOptions, UsbHidDriver, type UsbHidClock } from "./usbhid/index.ts"

/** The parts of a ups.conf section a driver is built from. */
export interface DriverSpec {
  /** UPS name (for messages). */
  readonly name: string
  readonly driver: string
  readonly port: string
  readonly params: Readonly<Record<string, string>>
  /** Directory relative `port` paths resolve against. */
  readonly baseDir: string
  /** Where the section is configured (ups.conf and the lines of the section and its `port`), for messages. */
  readonly source?: { readonly file: string; readonly line: number; readonly portLine: number }
  /**
   * Where NUT driver processes put their sockets: upsd.conf STATEPATH, else env NUT_STATEPATH.
   * @default "/run/nut"
   */
  readonly statepath?: string
  /**
   * Use the real NUT driver process on `<statepath>/<driver>-<name>` even when nutctl runs this
   * driver natively (see {@link isExternalUps}). Drivers nutctl does not run are always external.
   * @default false
   */
  readonly external?: boolean
}

/** Debian's STATEPATH, where upsd looks for driver sockets. */
export const DEFAULT_STATEPATH = "/run/nut"

/**
 * ups.conf global (a key before the first section) naming the UPSes whose real NUT driver runs
 * instead of nutctl's own: `nutctl_external = all`, or names separated by spaces or commas
 * (`nutctl_external = "rack,lab"`). It is a global because NUT drivers refuse unknown keys in
 * their section ("'x' is not a valid variable name for this driver") but ignore unknown globals,
 * so the same ups.conf still works for upsd and the real drivers.
 */
export const EXTERNAL_DRIVERS_KEY = "nutctl_external"

/** Whether ups.conf's globals ask for the real driver process of UPS `name` (case-insensitive). */
export function isExternalUps(globals: Readonly<Record<string, string>>, name: string): boolean {
  const value = globals[EXTERNAL_DRIVERS_KEY]
  if (value === undefined) return false
  const names = value.toLowerCase().split(/[\s,]+/).filter((n) => n !== "")
  return names.includes("all") || names.includes(name.toLowerCase())
}

/** The socket a NUT driver serves UPS `ups` on: `<statepath>/<driver>-<ups>` (dstate_init()). */
export function driverSocketPath(statepath: string, driver: string, ups: string): string {
  return join(statepath, `${driver}-${ups}`)
}

/** What drivers may need from the host: device access and time. */
export interface DriverCapabilities {
  /**
   * HID device access for usbhid-ups: node-hid's opener, or the simulated UPS's for a
   * `sim:<base>` port. A function is called with the section, so it can pick by `port`; it may
   * return a promise (`openSimPort()` is async), which the driver awaits when it starts.
   */
  readonly hidOpener?: HidOpener | ((spec: DriverSpec) => HidOpener | Promise<HidOpener>)
  /** @default real time */
  readonly clock?: UsbHidClock
}

/** A driver needs a capability the caller did not pass (usbhid-ups without HID access). */
export class DriverCapabilityError extends Error {
  readonly code = "E_DRIVER_CAPABILITY"
  readonly ups: string
  constructor(ups: string, message: string) {
    super(message)
    this.name = "DriverCapabilityError"
    this.ups = ups
  }
}

/** A ups.conf section names a driver nutctl cannot run. */
export class UnsupportedDriverError extends Error {
  readonly code = "E_UNSUPPORTED_DRIVER"
  readonly ups: string
  readonly driver: string
  constructor(ups: string, driver: string) {
    super(`Cannot start UPS [${ups}]: driver "${driver}" is not supported by nutctl (supported: ${SUPPORTED_DRIVERS.join(", ")})`)
    this.name = "UnsupportedDriverError"
    this.ups = ups
    this.driver = driver
  }
}

/** Driver names `serve` runs natively; every other name is served by the real NUT driver's socket. */
export const SUPPORTED_DRIVERS = ["dummy-ups", "usbhid-ups"] as const

/**
 * Build the driver a ups.conf section asks for.
 * @throws {DriverCapabilityError} for usbhid-ups without `capabilities.hidOpener`
 * @throws {UsbHidOptionError} | {DeviceCriteriaError} for bad usbhid-ups options
 */
export function createDriver(spec: DriverSpec, log: DriverLog, capabilities: DriverCapabilities = {}): Driver {
  if (spec.external === true) return createSocketDriver(spec, log)
  switch (spec.driver) {
    case "dummy-ups":
    case "dummy": {
      // like dummy-ups, a `port` with `@` means repeater mode: nutctl leaves it to the real driver
      if (spec.port.includes("@")) return createSocketDriver(spec, log)
      const mode = spec.params["mode"]
      const poll = spec.params["pollinterval"]
      return new DummyDriver({
        file: isAbsolute(spec.port) ? spec.port : join(spec.baseDir, spec.port),
        port: spec.port,
        ...(spec.source === undefined ? {} : { origin: `${spec.source.file}:${spec.source.portLine}` }),
        log,
        ...(mode === "dummy-once" || mode === "dummy-loop" || mode === "dummy" ? { mode } : {}),
        ...(poll !== undefined && Number.isFinite(Number(poll)) ? { pollinterval: Number(poll) } : {}),
      })
    }
    case "usbhid-ups":
    case "usbhid": {
      const { hidOpener } = capabilities
      if (hidOpener === undefined) throw new DriverCapabilityError(spec.name, `Cannot start UPS [${spec.name}]: usbhid-ups needs HID device access, and none was given`)
      const opener = typeof hidOpener === "function" ? hidOpener(spec) : hidOpener
      return new UsbHidDriver({
        opener,
        options: parseUsbHidOptions(spec.port, spec.params),
        log,
        ...(capabilities.clock === undefined ? {} : { clock: capabilities.clock }),
      })
    }
    default:
      return createSocketDriver(spec, log)
  }
}

// nutctl's short driver names, spelled as the NUT binary that would serve the socket
const NUT_BINARY_NAMES: Readonly<Record<string, string>> = { dummy: "dummy-ups", usbhid: "usbhid-ups" }

/**
 * A driver nutctl does not run (serial, SNMP …) or was asked not to: talk to the real NUT driver
 * process on its socket, as upsd does. The driver must be started separately (upsdrvctl, systemd).
 * @throws {UnsupportedDriverError} for `upstream`, which is nutctl's own and has no NUT binary
 */
function createSocketDriver(spec: DriverSpec, log: DriverLog): Driver {
  if (spec.driver === "upstream") throw new UnsupportedDriverError(spec.name, spec.driver)
  const driver = NUT_BINARY_NAMES[spec.driver] ?? spec.driver
  const where = spec.source === undefined ? "" : ` (${spec.source.file}:${spec.source.line})`
  // a typo (`dumy-ups`) lands here too: say why nutctl waits for a socket instead of running it
  const hint = spec.external
    ? `nutctl_external names [${spec.name}], so NUT's own ${driver} must serve this socket (start it with upsdrvctl)`
    : (SUPPORTED_DRIVERS as readonly string[]).includes(driver)
      ? `${driver} in repeater mode (a port with @) runs as NUT's own driver: start it with upsdrvctl`
      : `${driver}${where} is not a driver nutctl runs itself (it runs ${SUPPORTED_DRIVERS.join(", ")}), so it expects NUT's own ${driver} driver to serve this socket: start it with upsdrvctl, or fix the driver name in ups.conf`
  return new SocketDriver({
    driver,
    upsName: spec.name,
    path: driverSocketPath(spec.statepath ?? DEFAULT_STATEPATH, driver, spec.name),
    connect: connectUnixSocket,
    log,
    hint,
  })
}

import { isAbsolute, join } from "node:path"
import { DummyDriver } from "./dummy/index.ts"
import type { Driver, DriverLog } from "./types.ts"

/** The parts of a ups.conf section a driver is built from. */
export interface DriverSpec {
  /** UPS name (for messages). */
  readonly name: string
  readonly driver: string
  readonly port: string
  readonly params: Readonly<Record<string, string>>
  /** Directory relative `port` paths resolve against. */
  readonly baseDir: string
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

/** Driver names `serve` can run. */
export const SUPPORTED_DRIVERS = ["dummy-ups"] as const

/** Build the driver a ups.conf section asks for. */
export function createDriver(spec: DriverSpec, log: DriverLog): Driver {
  switch (spec.driver) {
    case "dummy-ups":
    case "dummy": {
      // like dummy-ups, a `port` with `@` would mean repeater mode: not a file
      if (spec.port.includes("@")) throw new UnsupportedDriverError(spec.name, "dummy-ups (repeater mode)")
      const mode = spec.params["mode"]
      const poll = spec.params["pollinterval"]
      return new DummyDriver({
        file: isAbsolute(spec.port) ? spec.port : join(spec.baseDir, spec.port),
        port: spec.port,
        log,
        ...(mode === "dummy-once" || mode === "dummy-loop" || mode === "dummy" ? { mode } : {}),
        ...(poll !== undefined && Number.isFinite(Number(poll)) ? { pollinterval: Number(poll) } : {}),
      })
    }
    default:
      throw new UnsupportedDriverError(spec.name, spec.driver)
  }
}

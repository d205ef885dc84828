import { DummyDriver } from "../dummy/index.ts"
import type { DriverLog } from "../types.ts"
import { BX1600MI_DEV, BX1600MI_PORT } from "./bx1600mi.ts"

/** Name the embedded demo UPS is served under. */
export const DEMO_UPS_NAME = "bx1600mi"
/** Description of the embedded demo UPS. */
export const DEMO_UPS_DESC = "APC Back-UPS BX1600MI (simulated)"

/** dummy-ups replaying the embedded BX1600MI dump: no file, no hardware. */
export function createDemoDriver(log: DriverLog): DummyDriver {
  return new DummyDriver({
    file: BX1600MI_PORT,
    port: BX1600MI_PORT,
    log,
    readFile: async () => BX1600MI_DEV,
    stat: async () => ({ mtimeMs: 0 }),
  })
}

export { BX1600MI_DEV, BX1600MI_PORT }

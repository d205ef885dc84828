// Contracts of the simulated UPS shared by its model, the device and their users.
import type { ReportBytesRecord } from "../fixture-format.ts"
import type { HidDeviceInfo } from "../transport.ts"
import type { SimClock } from "./clock.ts"
import type { Scenario } from "./scenario.ts"

/** Vendor behaviour the model follows. */
export type SimQuirks = "apc-back-ups" | "generic"

/** Something the simulated UPS did (tests and `--verbose` read these). */
export interface SimEvent {
  /** Clock time in ms. */
  readonly at: number
  readonly kind: string
  readonly detail: string
}

/** What the model is doing. */
export interface UpsModelState {
  readonly mains: boolean
  /** Battery charge, % (fractional; the device publishes whole percents). */
  readonly charge: number
  /** False while the UPS has switched itself off (on battery with the output off). */
  readonly powered: boolean
  readonly outputOn: boolean
  readonly testing: boolean
}

/** Test result codes of the Power Device Test usage (hid-reference §b.1). */
export const TEST_RESULTS = { passed: 1, warning: 2, error: 3, aborted: 4, inProgress: 5, none: 6 } as const


/** Options of `UpsModel`. */
export interface UpsModelOptions {
  readonly quirks: SimQuirks
  /** Model time at creation (ms). */
  readonly start: number
  /** %/min on battery. @default 100 % over the recorded full-charge runtime */
  readonly drainRate?: number
  /** %/min while charging. @default 1 */
  readonly chargeRate?: number
  readonly onEvent: (event: SimEvent) => void
  /** The UPS switched itself off (false) or on again (true) at `at`: the USB device goes away / comes back. */
  readonly onPower: (on: boolean, at: number) => void
  /** Called after each event that changed report bytes (so every change can become an interrupt report). */
  readonly onChange?: () => void
}

/** What a simulated device is made of. */
export interface SimDeviceSpec {
  /** The report descriptor, as the device sends it. */
  readonly descriptor: Uint8Array
  /** Recorded GET answers / interrupt reports (`*.reports.txt` records); other ids answer zeros. */
  readonly reports?: readonly ReportBytesRecord[]
  /** Enumeration data; `path` is the `sim:` port. */
  readonly info: HidDeviceInfo
  /** USB string descriptors by index (iManufacturer, iDeviceChemistry …). */
  readonly strings?: ReadonlyMap<number, string>
}

/** Options of `createSimulatedUps()`. */
export interface SimulatedUpsOptions {
  readonly clock: SimClock
  /** Runs from the device's creation. */
  readonly scenario?: Scenario
  /** Battery drain on battery, %/min. @default 100 % over the recorded full-charge runtime */
  readonly drainRate?: number
  /** @default 1 */
  readonly chargeRate?: number
  /** @default "apc-back-ups" for vendor 051d, else "generic" */
  readonly quirks?: SimQuirks
}

/** The device's state: the model's plus the USB link's. */
export interface SimState extends UpsModelState {
  readonly connected: boolean
  readonly hung: boolean
  /** Interrupt reports waiting to be read. */
  readonly queued: number
}

/** An open handle's view of the device (a transport holds one). */
export interface SimHandle {
  /** The device's connection generation when this handle was opened. */
  readonly generation: number
  closed: boolean
}


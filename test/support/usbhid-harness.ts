/**
 * Runs a UsbHidDriver against a FakeHidDevice on a ManualClock: everything the driver does happens
 * when the test advances the clock (or, for device answers, within a few event-loop turns).
 */
import { parseUsbHidOptions, UsbHidDriver } from "../../src/drivers/index.ts"
import { parseHexBytes, parseReportRecords, type HidDeviceInfo, type PathRecord } from "../../src/hid/index.ts"
import { UpsState } from "../../src/ups/index.ts"
import { FakeHidDevice } from "./fake-hid.ts"
import { fixture } from "./fixture.ts"
import { ManualClock } from "./manual-clock.ts"

export interface Harness {
  readonly clock: ManualClock
  readonly device: FakeHidDevice
  readonly driver: UsbHidDriver
  readonly state: UpsState
  /** Every line the driver logged ("warn: …" / "info: …"). */
  readonly logs: string[]
  /** Lets pending device answers and publications run (no clock movement). */
  settle(): Promise<void>
  /** Advances the clock and settles. */
  advance(ms: number): Promise<void>
  /** Published variables as a map. */
  vars(): Map<string, string>
  stop(): Promise<void>
}

export interface HarnessOptions {
  readonly info: HidDeviceInfo
  readonly descriptor: Uint8Array
  readonly feature?: ReadonlyMap<number, Uint8Array>
  readonly strings?: Readonly<Record<number, string>>
  readonly port?: string
  readonly params?: Readonly<Record<string, string>>
  readonly requestTimeoutMs?: number
  /** Start the driver (default true). */
  readonly start?: boolean
}

/** The GET answers (last one per id) of a `*.reports.txt` fixture. */
export function featureAnswers(reportsFile: string): Map<number, Uint8Array> {
  const answers = new Map<number, Uint8Array>()
  for (const r of parseReportRecords(fixture(reportsFile))) if (r.kind === "get") answers.set(r.reportId, r.bytes)
  return answers
}

/** The `path` lines of a `*.reports.txt` fixture. */
export function pathRecords(reportsFile: string): PathRecord[] {
  return parseReportRecords(fixture(reportsFile)).filter((r): r is PathRecord => r.kind === "path")
}

/** A `*.rdesc.hex` fixture. */
export function descriptorOf(rdescFile: string): Uint8Array {
  return parseHexBytes(fixture(rdescFile))
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** Starts the driver on a fake device and lets the first full poll finish. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const clock = new ManualClock(1_700_000_000_000)
  const device = new FakeHidDevice({
    info: options.info,
    descriptor: options.descriptor,
    clock,
    ...(options.feature === undefined ? {} : { feature: options.feature }),
    ...(options.strings === undefined ? {} : { strings: options.strings }),
  })
  const logs: string[] = []
  const driver = new UsbHidDriver({
    opener: device.opener(),
    options: parseUsbHidOptions(options.port ?? "auto", options.params ?? {}),
    log: { info: (m) => logs.push(`info: ${m}`), warn: (m) => logs.push(`warn: ${m}`) },
    clock,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  })
  const state = new UpsState({ now: () => clock.now(), maxAgeMs: 60_000 })
  const abort = new AbortController()
  const running = options.start === false ? Promise.resolve() : driver.start(state, abort.signal)
  await settle()
  return {
    clock,
    device,
    driver,
    state,
    logs,
    settle,
    async advance(ms) {
      await clock.advance(ms)
      await settle()
    },
    vars: () => new Map(state.variables().map((v) => [v.name, v.value])),
    async stop() {
      abort.abort()
      await running
    },
  }
}

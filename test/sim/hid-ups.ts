/**
 * A simulated HID UPS on a ManualClock for tests: the embedded BX1600MI stand-in, or any fixture
 * base under test/fixtures/hid (`sim:apc-back-ups-bk650m2-ch`), optionally with a scenario
 * (`sim:bx1600mi?scenario=outage`). The clock only moves when the test says so.
 */
import { readFile } from "node:fs/promises"
import { openSimPort, type HidOpener, type HidTransport, type SimulatedUps } from "../../src/hid/index.ts"
import { fixturePath } from "../support/fixture.ts"
import { ManualClock } from "../support/manual-clock.ts"

export interface TestUps {
  readonly clock: ManualClock
  readonly ups: SimulatedUps
  readonly opener: HidOpener
  /** Opens the device (the first one the opener lists). */
  open(): Promise<HidTransport>
}

/** Starts a simulated UPS; `port` defaults to `sim:bx1600mi`, fixture bases resolve under test/fixtures/hid. */
export async function startTestUps(options: { port?: string; start?: number } = {}): Promise<TestUps> {
  const clock = new ManualClock(options.start ?? 1_700_000_000_000)
  const sim = await openSimPort(options.port ?? "sim:bx1600mi", {
    clock,
    baseDir: fixturePath("hid"),
    readText: (path) => readFile(path, "utf8"),
  })
  return {
    clock,
    ups: sim.ups,
    opener: sim.opener,
    async open() {
      const [device] = await sim.opener.list()
      if (device === undefined) throw new Error("the simulated UPS is not on the bus")
      return sim.opener.open(device)
    },
  }
}

/** Every interrupt report already queued (reads with timeout 0, so the clock does not move). */
export async function queuedInputs(transport: HidTransport): Promise<string[]> {
  const out: string[] = []
  for (;;) {
    const report = await transport.readInput(0)
    if (report === undefined) return out
    out.push(Array.from(report, (b) => b.toString(16).padStart(2, "0")).join(" "))
  }
}

/**
 * A UpsState filled by our DummyDriver from a `.dev` file, as `serve` would run it (port = the
 * file's base name, like startRealNut's ups.conf): the same variables real dummy-ups + upsd 2.8.0
 * publish (test/interop/dummy-vs-real.test.ts checks that).
 */
import { basename } from "node:path"
import { DummyDriver } from "../../src/drivers/index.ts"
import { UpsState } from "../../src/ups/index.ts"

export interface DummyUps {
  readonly state: UpsState
  /** Stop the driver (the state then forgets its data, as upsd does). */
  stop(): Promise<void>
}

/** Start a DummyDriver on `file`; resolves once the data is published and fresh. */
export async function startDummyUps(file: string, options: { maxAgeMs?: number } = {}): Promise<DummyUps> {
  const state = new UpsState({ maxAgeMs: options.maxAgeMs ?? 3_600_000 })
  const controller = new AbortController()
  const ready = new Promise<void>((resolve) => {
    const off = state.subscribe((c) => {
      if (c.kind === "connection" && c.availability === "ok") {
        off()
        resolve()
      }
    })
  })
  const driver = new DummyDriver({
    file,
    port: basename(file),
    log: { info() {}, warn() {} },
    // the first update comes at once; afterwards the driver idles until stopped (a .dev never changes)
    sleep: (_ms, signal) =>
      state.availability() !== "ok" ? Promise.resolve() : new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
  })
  const running = driver.start(state, controller.signal)
  await Promise.race([ready, running])
  return {
    state,
    async stop() {
      controller.abort()
      await running
    },
  }
}

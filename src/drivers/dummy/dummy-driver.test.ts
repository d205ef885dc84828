import { test } from "node:test"
import assert from "node:assert/strict"
import { UpsState, describeType } from "../../ups/index.ts"
import { DummyDriver, type DummyDriverOptions } from "./dummy-driver.ts"
import { DummyDriverError } from "./dummy-errors.ts"

const T0 = 1_700_000_000_000 // a whole second, like time() ticks

interface Disk {
  text: string
  mtimeMs: number
  missing?: boolean
}

/**
 * Runs a DummyDriver on a manual clock: the driver's sleeps only end when the test moves time
 * forward with `runUntil`, so every step of the replay can be looked at.
 */
function runDriver(disk: Disk, options: Partial<DummyDriverOptions> = {}) {
  let clock = T0
  let pending: { until: number; wake: () => void } | undefined
  let onSleep: (() => void) | undefined
  const warnings: string[] = []
  const infos: string[] = []
  const state = new UpsState({ now: () => clock })
  const controller = new AbortController()
  const driver = new DummyDriver({
    file: "/etc/nut/ups.dev",
    log: { info: (m) => infos.push(m), warn: (m) => warnings.push(m) },
    now: () => clock,
    sleep: (ms) =>
      new Promise<void>((wake) => {
        pending = { until: clock + ms, wake }
        onSleep?.()
      }),
    readFile: async () => {
      if (disk.missing) throw Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" })
      return disk.text
    },
    stat: async () => ({ mtimeMs: disk.mtimeMs }),
    ...options,
  })
  const done = driver.start(state, controller.signal)
  const settled = done.then(
    () => undefined,
    () => undefined,
  )
  async function idle(): Promise<void> {
    if (pending) return
    await Promise.race([new Promise<void>((r) => (onSleep = r)), settled])
    onSleep = undefined
  }
  return {
    driver,
    state,
    done,
    warnings,
    infos,
    /** Let the driver run until the clock reads `T0 + ms`. */
    async runUntil(ms: number): Promise<void> {
      await idle()
      while (pending && pending.until <= T0 + ms) {
        const { until, wake } = pending
        pending = undefined
        clock = until
        wake()
        await idle()
      }
      clock = T0 + ms
    },
    async stop(): Promise<void> {
      controller.abort()
      pending?.wake()
      await done
    },
  }
}

function typeOf(state: UpsState, name: string): string | undefined {
  const v = state.get(name)
  return v && describeType(v)
}

test("DummyDriver publishes dummy-ups 2.8.0's base variables with their flags", async () => {
  const run = runDriver({ text: "ups.mfr: APC\nups.serial: 123\nbattery.charge: 100\nfoo.bar: x\n", mtimeMs: T0 })
  await run.runUntil(0)
  assert.equal(run.state.availability(), "not-connected") // upsd cannot reach it during the first second
  await run.runUntil(1000)
  const { state } = run
  assert.equal(state.availability(), "ok")
  assert.deepEqual(
    state.variables().map((v) => `${v.name}=${v.value} [${describeType(v)}]`),
    [
      "battery.charge=100 [RW NUMBER]",
      "device.mfr=APC [NUMBER]",
      "device.model=Dummy UPS [NUMBER]",
      "device.serial=123 [NUMBER]",
      "device.type=ups [NUMBER]",
      "driver.name=dummy-ups [NUMBER]",
      "driver.parameter.mode=dummy-once [NUMBER]",
      "driver.parameter.pollinterval=2 [NUMBER]",
      "driver.parameter.port=/etc/nut/ups.dev [NUMBER]",
      "driver.parameter.synchronous=auto [NUMBER]",
      "driver.version=2.8.0 [NUMBER]",
      "driver.version.internal=0.15 [NUMBER]",
      "foo.bar=x [RW STRING:32]",
      "ups.mfr=APC [RW STRING:32]",
      "ups.model=Dummy UPS [RW STRING:32]",
      "ups.serial=123 [RW STRING:32]",
      "ups.status=OL [RW STRING:32]",
    ],
  )
  assert.deepEqual(state.commands(), ["load.off"])
  await run.stop()
})

test("DummyDriver copies ups.mfr/model/serial to device.* once, after the first update", async () => {
  const disk = { text: "device.mfr: DevMfr\nups.mfr: First\ndevice.type: pdu\nTIMER 2\nups.model: Later\n", mtimeMs: T0 }
  const run = runDriver(disk, { file: "/x/ups.seq" })
  await run.runUntil(1000)
  assert.equal(run.state.value("device.mfr"), "First") // overwrites the file's device.mfr line…
  assert.equal(typeOf(run.state, "device.mfr"), "RW STRING:32") // …but keeps that line's flags
  assert.equal(run.state.value("device.type"), "pdu")
  await run.runUntil(2000)
  assert.equal(run.state.value("ups.model"), "Later")
  assert.equal(run.state.value("device.model"), "Dummy UPS") // not mirrored any more
  await run.stop()
})

test("DummyDriver steps through TIMERs on poll ticks and loops a .seq like dummy-ups", async () => {
  // flip.seq timeline observed with `dummy-ups -DDD`: reads at 0 s (OL), 4 s (OB), 8 s (end of
  // file), 10 s (OL again), 14 s (OB); TIMER 3 ends at the first poll 3 s or more later
  const text = "ups.status: OL\nbattery.charge: 100\nTIMER 3\nups.status: OB DISCHRG\nbattery.charge: 50\nTIMER 3\n"
  const run = runDriver({ text, mtimeMs: T0 }, { file: "/etc/nut/flip.seq", port: "flip.seq" })
  const seen: string[] = []
  for (const s of [0, 1, 2, 3, 4, 6, 8, 10, 12, 14]) {
    await run.runUntil(s * 1000)
    seen.push(`${s}:${run.state.value("ups.status")}/${run.state.value("battery.charge")}`)
  }
  assert.deepEqual(seen, ["0:OL/100", "1:OL/100", "2:OL/100", "3:OL/100", "4:OB DISCHRG/50", "6:OB DISCHRG/50", "8:OB DISCHRG/50", "10:OL/100", "12:OL/100", "14:OB DISCHRG/50"])
  assert.equal(run.state.value("driver.parameter.mode"), "dummy-loop")
  assert.equal(run.state.value("driver.parameter.port"), "flip.seq")
  await run.stop()
})

test("DummyDriver re-reads a dummy-loop file every pass, so edits and SET VAR are overwritten", async () => {
  const disk = { text: "a: 1\n", mtimeMs: T0 }
  const run = runDriver(disk, { file: "/etc/nut/x.seq" })
  await run.runUntil(1000)
  assert.equal(await run.driver.setvar("a", "set"), "SUCCESS")
  assert.equal(run.state.value("a"), "set")
  disk.text = "a: 2\nb: 3\n"
  await run.runUntil(2000)
  assert.equal(run.state.value("a"), "2")
  assert.equal(run.state.value("b"), "3")
  await run.stop()
})

test("DummyDriver re-reads a dummy-once file only when its mtime changes", async () => {
  const disk = { text: "a: 1\n", mtimeMs: T0 }
  const run = runDriver(disk)
  await run.runUntil(1000)
  await run.driver.setvar("a", "set")
  disk.text = "a: 2\nb: 1\n" // same second: dummy-ups compares st_mtime in whole seconds
  disk.mtimeMs = T0 + 500
  await run.runUntil(4000)
  assert.equal(run.state.value("a"), "set")
  disk.mtimeMs = T0 + 3000
  await run.runUntil(5000)
  assert.equal(run.state.value("a"), "set") // the next read is at 6 s
  await run.runUntil(6000)
  assert.equal(run.state.value("a"), "2")
  assert.equal(run.state.value("b"), "1")
  await run.stop()
})

test("DummyDriver re-reads a .dev once at 1 s when the port is relative, like dummy-ups", async () => {
  for (const [port, expected] of [["ups.dev", "2"], ["/etc/nut/ups.dev", "1"]] as const) {
    const disk = { text: "a: 1\n", mtimeMs: T0 }
    const run = runDriver(disk, { port })
    await run.runUntil(0)
    disk.text = "a: 2\n"
    await run.runUntil(1000)
    assert.equal(run.state.value("a"), expected, port)
    await run.stop()
  }
})

test("DummyDriver setvar() accepts any name and value, as dummy-ups 2.8.0 does", async () => {
  const run = runDriver({ text: "b: 1\n", mtimeMs: T0 })
  assert.equal(await run.driver.setvar("a", "x"), "FAILED") // not started yet
  await run.runUntil(1000)
  const { driver, state } = run
  assert.equal(await driver.setvar("new.var", "v"), "SUCCESS")
  assert.equal(typeOf(state, "new.var"), "RW STRING:32")
  assert.equal(await driver.setvar("ups.load", "12"), "SUCCESS")
  assert.equal(typeOf(state, "ups.load"), "RW NUMBER")
  assert.equal(await driver.setvar("ups.firmware", "1.0"), "SUCCESS")
  assert.equal(typeOf(state, "ups.firmware"), "RW STRING:16")
  assert.equal(await driver.setvar("driver.name", "zz"), "SUCCESS") // only file lines skip driver.*
  assert.equal(typeOf(state, "driver.name"), "RW STRING:32")
  assert.equal(await driver.setvar("ups.status", "OB LB"), "SUCCESS")
  assert.equal(state.value("ups.status"), "OB LB")
  assert.equal(await driver.setvar("b", ""), "SUCCESS") // an empty value deletes
  assert.equal(state.get("b"), undefined)
  assert.equal(await driver.setvar("big", "x".repeat(300)), "SUCCESS")
  assert.equal(state.value("big")?.length, 255)
  await run.stop()
})

test("DummyDriver instcmd() answers UNKNOWN, also for the load.off it advertises", async () => {
  const run = runDriver({ text: "", mtimeMs: T0 })
  await run.runUntil(1000)
  assert.deepEqual(run.state.commands(), ["load.off"])
  assert.equal(await run.driver.instcmd("load.off"), "UNKNOWN")
  assert.equal(await run.state.instcmd("load.off"), "UNKNOWN")
  await run.stop()
})

test("DummyDriver reports malformed lines with file:line once and keeps serving", async () => {
  const disk = { text: 'ok: 1\nbad: "x#y" z\nTIMER abc\nlast: 2\n', mtimeMs: T0 }
  const run = runDriver(disk, { file: "/etc/nut/bad.seq" })
  await run.runUntil(12_000)
  assert.equal(run.state.availability(), "ok")
  assert.equal(run.state.value("ok"), "1")
  assert.equal(run.state.value("last"), "2")
  assert.deepEqual(
    run.warnings.map((w) => w.split(": ")[0]),
    ["/etc/nut/bad.seq:2", "/etc/nut/bad.seq:3"],
  )
  await run.stop()
})

test("DummyDriver keeps the last data when a looping file disappears", async () => {
  const disk = { text: "a: 1\n", mtimeMs: T0, missing: false }
  const run = runDriver(disk, { file: "/etc/nut/x.seq" })
  await run.runUntil(1000)
  disk.missing = true
  await run.runUntil(10_000)
  assert.equal(run.state.value("a"), "1")
  assert.equal(run.state.availability(), "ok")
  assert.equal(run.warnings.length, 1)
  assert.match(run.warnings[0] ?? "", /^Cannot read dummy-ups data file: \/etc\/nut\/x\.seq: no such file \(keeping the last data\)$/)
  disk.missing = false
  disk.text = "a: 2\n"
  await run.runUntil(12_000)
  assert.equal(run.state.value("a"), "2")
  await run.stop()
})

test("DummyDriver start() rejects with DUMMY_FILE_UNREADABLE when the file cannot be read", async () => {
  const run = runDriver({ text: "", mtimeMs: T0, missing: true })
  await assert.rejects(run.done, (e: unknown) => e instanceof DummyDriverError && e.code === "DUMMY_FILE_UNREADABLE" && e.file === "/etc/nut/ups.dev")
  assert.equal(run.state.availability(), "not-connected")
})

test("DummyDriver keeps the data fresh between polls and forgets it when stopped", async () => {
  const run = runDriver({ text: "a: 1\n", mtimeMs: T0 })
  await run.runUntil(120_000) // far beyond MAXAGE (15 s): the heartbeat on every poll keeps it ok
  assert.equal(run.state.availability(), "ok")
  await run.stop()
  assert.equal(run.state.availability(), "not-connected")
  assert.deepEqual(run.state.variables(), [])
})

test("DummyDriver polls every pollinterval seconds and publishes it", async () => {
  const disk = { text: "a: 1\n", mtimeMs: T0 }
  const run = runDriver(disk, { file: "/x/a.seq", pollinterval: 5 })
  await run.runUntil(2000)
  assert.equal(run.state.value("driver.parameter.pollinterval"), "5")
  disk.text = "a: 2\n"
  await run.runUntil(6000)
  assert.equal(run.state.value("a"), "1")
  await run.runUntil(7000) // reads at 0, 1, 2, 2+5 s…
  assert.equal(run.state.value("a"), "2")
  await run.stop()
})

test("DummyDriver picks its mode like dummy-ups 2.8.0", () => {
  const log = { info() {}, warn() {} }
  const make = (port: string, mode?: "dummy" | "dummy-once" | "dummy-loop") =>
    new DummyDriver({ file: `/etc/nut/${port}`, port, log, ...(mode ? { mode } : {}) }).mode
  assert.equal(make("a.dev"), "dummy-once")
  assert.equal(make("a.seq"), "dummy-loop")
  assert.equal(make("a.dev.txt"), "dummy-loop") // only the exact suffixes count
  assert.equal(make("a.DEV"), "dummy-loop")
  assert.equal(make("a.seq", "dummy-once"), "dummy-once")
  assert.equal(make("a.dev", "dummy"), "dummy-loop")
})

test("DummyDriver publishes a guessed default mode as dummy, an explicit one as dummy-loop", async () => {
  for (const [mode, expected] of [[undefined, "dummy"], ["dummy", "dummy-loop"]] as const) {
    const run = runDriver({ text: "", mtimeMs: T0 }, { file: "/etc/nut/ups.txt", ...(mode ? { mode } : {}) })
    await run.runUntil(1000)
    assert.equal(run.state.value("driver.parameter.mode"), expected)
    await run.stop()
  }
})

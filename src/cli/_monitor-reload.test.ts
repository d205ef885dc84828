import assert from "node:assert/strict"
import { test } from "node:test"
import type { HostState, MonitorLoop, SupplyConfig } from "../monitor/index.ts"
import { createHostState } from "../monitor/host-machine.ts"
import { MonitorReloader, monitorIsQuiet, type MonitorSpec, type RunningMonitor } from "./_monitor-reload.ts"

const supply: SupplyConfig = { system: "ups@nas", ups: "ups", host: "nas", port: 3493, powerValue: 1, user: "mon", password: "pw", role: "secondary" }

function quietState(): HostState {
  return createHostState({ supplies: [supply], minSupplies: 1, pollFreqMs: 5000 } as never)
}

function onBattery(state: HostState): HostState {
  const [s] = state.supplies
  return { ...state, supplies: [{ ...s!, flags: { ...s!.flags, ob: true, ol: false } }] }
}

/** A monitor that records what happens to it; `finish()` ends it by itself (shutdown handed over). */
class FakeMonitor implements RunningMonitor {
  state: HostState = quietState()
  stopped = false
  readonly loop: MonitorLoop
  readonly minSupplies = 1
  readonly done: Promise<void>
  finish!: () => void
  readonly name: string
  readonly events: string[]
  constructor(name: string, events: string[]) {
    this.name = name
    this.events = events
    const self = this
    this.loop = { get state() { return self.state } } as unknown as MonitorLoop
    this.done = new Promise((r) => (this.finish = r))
    events.push(`start ${name}`)
  }
  async stop(): Promise<void> {
    this.stopped = true
    this.events.push(`stop ${this.name}`)
    this.finish()
  }
}

const quietLog = () => {
  const lines: string[] = []
  const push = (level: string) => (m: string): void => void lines.push(`${level} ${m}`)
  return { lines, log: { info: push("info"), warn: push("warn"), error: push("error") } }
}

function spec(key: string, events: string[], made: FakeMonitor[], options: { fail?: string; nothing?: boolean } = {}): MonitorSpec {
  return {
    key,
    describe: `watching-${key}`,
    async build() {
      if (options.fail) throw new Error(options.fail)
      if (options.nothing) return undefined
      return {
        async start() {
          const m = new FakeMonitor(key, events)
          made.push(m)
          return m
        },
      }
    },
  }
}

test("monitorIsQuiet: only with every supply on line and no shutdown under way", () => {
  const state = quietState()
  assert.equal(monitorIsQuiet(state), true)
  assert.equal(monitorIsQuiet(onBattery(state)), false)
  const [s] = state.supplies
  assert.equal(monitorIsQuiet({ ...state, supplies: [{ ...s!, flags: { ...s!.flags, fsd: true } }] }), false)
  assert.equal(monitorIsQuiet({ ...state, phase: { kind: "finalDelay", since: 0 } }), false)
  assert.equal(monitorIsQuiet({ ...state, onBatteryTimerAt: 1000 }), false)
})

test("a reload with the same settings leaves the running monitor alone", async () => {
  const events: string[] = []
  const old = new FakeMonitor("a", events)
  const { log, lines } = quietLog()
  const reloader = new MonitorReloader({ log, current: old, key: "a" })
  assert.equal(await reloader.reload(spec("a", events, [])), "unchanged")
  assert.equal(old.stopped, false)
  assert.ok(lines.includes("info Monitor: settings unchanged"))
})

test("new settings: the old monitor logs out before the new one starts, and views follow it", async () => {
  const events: string[] = []
  const old = new FakeMonitor("a", events)
  const swapped: (RunningMonitor | undefined)[] = []
  const { log, lines } = quietLog()
  const reloader = new MonitorReloader({ log, current: old, key: "a", onSwap: (m) => swapped.push(m) })
  const made: FakeMonitor[] = []
  assert.equal(await reloader.reload(spec("b", events, made)), "applied")
  assert.deepEqual(events, ["start a", "stop a", "start b"])
  assert.equal(reloader.current, made[0])
  assert.deepEqual(swapped, [made[0]])
  assert.ok(lines.includes("info Monitor reloaded: watching watching-b"))
  // the replaced monitor's end is not the process's end
  let ended = false
  void reloader.ended.then(() => (ended = true))
  await new Promise((r) => setTimeout(r, 10))
  assert.equal(ended, false)
})

test("settings that cannot be used keep the running monitor", async () => {
  const events: string[] = []
  const old = new FakeMonitor("a", events)
  const { log, lines } = quietLog()
  const reloader = new MonitorReloader({ log, current: old, key: "a" })
  assert.equal(await reloader.reload(spec("b", events, [], { fail: "MINSUPPLIES 3 is more than the power value of all MONITOR lines (1)" })), "failed")
  assert.equal(old.stopped, false)
  assert.equal(reloader.current, old)
  assert.ok(lines.some((l) => l.startsWith("error Monitor: reload failed (MINSUPPLIES 3") && l.endsWith("still running the previous settings")))
  // the next good reload still compares with the running settings
  assert.equal(await reloader.reload(spec("a", events, [])), "unchanged")
})

test("during a power event the reload waits, and is applied once every UPS is back on line", async () => {
  const events: string[] = []
  const old = new FakeMonitor("a", events)
  old.state = onBattery(quietState())
  const { log, lines } = quietLog()
  const reloader = new MonitorReloader({ log, current: old, key: "a", recheckMs: 5 })
  const made: FakeMonitor[] = []
  assert.equal(await reloader.reload(spec("b", events, made)), "deferred")
  assert.equal(reloader.deferred, true)
  // a second SIGHUP meanwhile replaces the waiting settings
  assert.equal(await reloader.reload(spec("c", events, made)), "deferred")
  await new Promise((r) => setTimeout(r, 30))
  assert.equal(old.stopped, false, "nothing is swapped while on battery")
  old.state = quietState()
  for (let i = 0; i < 100 && made.length === 0; i++) await new Promise((r) => setTimeout(r, 5))
  assert.equal(made.length, 1)
  assert.equal(made[0]!.name, "c")
  assert.equal(reloader.current, made[0])
  assert.equal(reloader.deferred, false)
  assert.ok(lines.includes("info Monitor: power is back; applying the reload that was waiting"))
  await reloader.stop()
})

test("a reload back to the running settings drops the one that was waiting", async () => {
  const events: string[] = []
  const old = new FakeMonitor("a", events)
  old.state = onBattery(quietState())
  const { log } = quietLog()
  const reloader = new MonitorReloader({ log, current: old, key: "a", recheckMs: 5 })
  const made: FakeMonitor[] = []
  assert.equal(await reloader.reload(spec("b", events, made)), "deferred")
  assert.equal(await reloader.reload(spec("a", events, made)), "unchanged")
  assert.equal(reloader.deferred, false)
  old.state = quietState()
  await new Promise((r) => setTimeout(r, 30))
  assert.equal(made.length, 0)
  assert.equal(old.stopped, false)
})

test("after the shutdown was handed over nothing is reloaded", async () => {
  const events: string[] = []
  const old = new FakeMonitor("a", events)
  old.state = { ...quietState(), phase: { kind: "shutdown", at: 0 } }
  const { log } = quietLog()
  const reloader = new MonitorReloader({ log, current: old, key: "a" })
  assert.equal(await reloader.reload(spec("b", events, [])), "ended")
  assert.equal(old.stopped, false)
})

test("settings that monitor nothing stop the monitor; later ones start one again", async () => {
  const events: string[] = []
  const old = new FakeMonitor("a", events)
  const { log, lines } = quietLog()
  const reloader = new MonitorReloader({ log, current: old, key: "a" })
  assert.equal(await reloader.reload(spec("none", events, [], { nothing: true })), "applied")
  assert.equal(old.stopped, true)
  assert.equal(reloader.current, undefined)
  assert.ok(lines.includes("info Monitor: the new settings monitor nothing; the monitor stopped"))
  const made: FakeMonitor[] = []
  assert.equal(await reloader.reload(spec("b", events, made)), "applied")
  assert.equal(reloader.current, made[0])
})

test("ended settles when the running monitor ends by itself (its shutdown was handed over)", async () => {
  const events: string[] = []
  const old = new FakeMonitor("a", events)
  const { log } = quietLog()
  const reloader = new MonitorReloader({ log, current: old, key: "a" })
  const made: FakeMonitor[] = []
  await reloader.reload(spec("b", events, made))
  made[0]!.finish()
  await reloader.ended
})

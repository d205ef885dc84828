/**
 * nutctl's `shutdown.when` beyond LB, on a ManualClock: `runtimeBelow` (the loop reads
 * battery.runtime with each poll on battery and feeds the budget's verdict, the core decides) and
 * `onBatteryFor` (a timer in the core). Both may come before LB; neither counts while calibrating.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { parseUpsmonConf } from "../config/index.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import {
  createHostState,
  createMonitorLoop,
  createSupplyState,
  monitorConfigFromUpsmonConf,
  nextHostState,
  nextSupplyState,
  supplyVerdict,
  type HostEvent,
  type HostState,
  type MonitorConfig,
  type PollOptions,
  type PollResult,
  type RuntimeBudgetCheck,
  type SupplyLink,
} from "./index.ts"

const UPS = "rack@localhost"

function conf(role: "primary" | "secondary", extra: Partial<MonitorConfig> = {}): MonitorConfig {
  const base = monitorConfigFromUpsmonConf(parseUpsmonConf(`MONITOR ${UPS} 1 mon pass ${role}\nPOLLFREQ 5\nPOLLFREQALERT 7\nHOSTSYNC 15\nFINALDELAY 0\n`))
  return { ...base, ...extra }
}

/** A budget that needs `needS` seconds of battery.runtime. */
const budget = (needS: number): RuntimeBudgetCheck => ({ covers: (runtime) => runtime >= needS, needMs: needS * 1000 })

const status = (s: string, runtime?: { seconds: number; covers: boolean }): PollResult => (runtime === undefined ? { kind: "status", status: s } : { kind: "status", status: s, runtime })

// ----- the core -----

const VERDICTS = [
  { name: "a primary on battery whose runtime no longer covers the plan is critical before LB", role: "primary", poll: status("OB DISCHRG", { seconds: 240, covers: false }), critical: true, why: "RUNTIME" },
  { name: "a secondary's own budget is critical at once (no HOSTSYNC wait: it is this host's policy)", role: "secondary", poll: status("OB DISCHRG", { seconds: 240, covers: false }), critical: true, why: "RUNTIME" },
  { name: "a runtime that still covers the plan is fine", role: "primary", poll: status("OB DISCHRG", { seconds: 900, covers: true }), critical: false, why: "OK" },
  { name: "the budget does not count while calibrating", role: "primary", poll: status("OB CAL", { seconds: 60, covers: false }), critical: false, why: "OK" },
  { name: "OB+LB keeps its own name on a primary", role: "primary", poll: status("OB LB", { seconds: 60, covers: false }), critical: true, why: "OB+LB" },
] as const

for (const row of VERDICTS) {
  test(`supplyVerdict() ${row.name}`, () => {
    const config = conf(row.role)
    const s = nextSupplyState(createSupplyState(config.supplies[0]!), row.poll, { now: 1000, config }).state
    const v = supplyVerdict(s, 1000, config)
    assert.deepEqual([v.critical, v.why], [row.critical, row.why])
  })
}

test("nextSupplyState() keeps the last runtime reading for a pushed status on battery and drops it on line power", () => {
  const config = conf("primary")
  const env = { now: 1000, config }
  let s = nextSupplyState(createSupplyState(config.supplies[0]!), status("OB", { seconds: 240, covers: false }), env).state
  s = nextSupplyState(s, status("OB DISCHRG"), env).state
  assert.deepEqual(s.runtime, { seconds: 240, covers: false }, "a push brings no runtime: the last reading stands")
  s = nextSupplyState(s, status("OL CHRG"), env).state
  assert.equal(s.runtime, undefined)
  assert.equal(s.onBatterySince, undefined)
})

test("nextHostState() onBatteryFor: a timer for the moment it is due, cancelled on line power, critical when it fires", () => {
  const config = conf("primary", { onBatteryForMs: 300_000 })
  let state: HostState = createHostState(config)
  const step = (event: HostEvent, now: number): string[] => {
    const t = nextHostState(state, event, { now, config })
    state = t.state
    return t.effects.filter((e) => e.type !== "log" && e.type !== "notify" && e.type !== "pollInterval").map((e) => (e.type === "startTimer" ? `start ${e.id}@${e.at}` : e.type === "cancelTimer" ? `cancel ${e.id}` : e.type))
  }
  const poll = (s: string): HostEvent => ({ kind: "poll", results: [{ system: UPS, result: status(s) }] })
  assert.deepEqual(step(poll("OB"), 0), ["start onbattery@300000"])
  assert.deepEqual(step(poll("OB DISCHRG"), 7000), [], "the same timer runs on")
  assert.deepEqual(step(poll("OL CHRG"), 100_000), ["cancel onbattery"])
  assert.deepEqual(step(poll("OB"), 200_000), ["start onbattery@500000"])
  assert.deepEqual(step(poll("OB DISCHRG"), 497_000), [])
  assert.equal(state.phase.kind, "monitoring")
  assert.deepEqual(step({ kind: "timer", id: "onbattery" }, 500_000), ["cancel onbattery", "setFsd", "start hostsync@515000", "getNumLogins"])
  assert.equal(state.phase.kind, "syncing")
  assert.equal(state.power?.verdicts[0]?.why, "ON-BATTERY-FOR")
})

test("nextHostState() onBatteryFor does not run while the UPS calibrates", () => {
  const config = conf("primary", { onBatteryForMs: 60_000 })
  const t = nextHostState(createHostState(config), { kind: "poll", results: [{ system: UPS, result: status("OB CAL") }] }, { now: 0, config })
  assert.ok(!t.effects.some((e) => e.type === "startTimer"))
  const later = nextHostState(t.state, { kind: "tick" }, { now: 120_000, config })
  assert.equal(later.state.phase.kind, "monitoring")
})

// ----- the loop -----

/** A supply whose status and battery.runtime the test sets; records the poll options. */
class RuntimeLink implements SupplyLink {
  readonly system = UPS
  status = "OL"
  runtime = 1800
  readonly polls: (PollOptions | undefined)[] = []
  readonly calls: string[] = []
  #fsd = false
  async poll(options?: PollOptions): Promise<PollResult> {
    this.polls.push(options)
    const s = this.#fsd ? `FSD ${this.status}` : this.status
    // as the links do: battery.runtime only on battery, only when asked
    return options?.runtime === true && s.split(" ").includes("OB") ? { kind: "status", status: s, runtime: { seconds: this.runtime } } : { kind: "status", status: s }
  }
  async setFsd(): Promise<void> {
    this.calls.push("fsd")
    this.#fsd = true
  }
  async numLogins(): Promise<number> {
    return 1
  }
  drop(): void {
    this.calls.push("drop")
  }
  close(): void {
    this.calls.push("close")
  }
}

function run(config: MonitorConfig, link: RuntimeLink, runtimeBudget?: RuntimeBudgetCheck) {
  const clock = new ManualClock(0)
  const logs: string[] = []
  const shutdowns: number[] = []
  const loop = createMonitorLoop({
    config,
    links: [link],
    clock,
    log: (_level, message) => logs.push(message),
    shutdown: {
      async run() {
        shutdowns.push(clock.now())
        return { ok: true, failures: [] }
      },
    },
    ...(runtimeBudget === undefined ? {} : { runtimeBudget }),
  })
  const abort = new AbortController()
  const done = loop.run(abort.signal)
  const advance = async (ms: number): Promise<void> => {
    await new Promise((r) => setImmediate(r))
    for (let t = 0; t < ms; t += 50) {
      await clock.advance(Math.min(50, ms - t))
      await new Promise((r) => setImmediate(r))
    }
  }
  return { loop, clock, logs, shutdowns, abort, done, advance }
}

test("createMonitorLoop() runtimeBelow: reads battery.runtime with each poll on battery and shuts down before LB once it no longer covers the plan", async () => {
  const link = new RuntimeLink()
  const s = run(conf("primary"), link, budget(300))
  await s.advance(100)
  assert.deepEqual(link.polls, [{ runtime: true }])
  link.status = "OB DISCHRG"
  link.runtime = 900
  await s.advance(5000) // the poll at 5 s: on battery, 900 s cover the 300 s
  assert.equal(s.loop.state.phase.kind, "monitoring")
  assert.deepEqual(s.loop.state.supplies[0]?.runtime, { seconds: 900, covers: true, needMs: 300_000 })
  link.runtime = 240
  await s.advance(7000) // POLLFREQALERT 7: the poll at 12 s
  await s.done
  assert.deepEqual(s.shutdowns, [12_000])
  assert.ok(link.calls.includes("fsd"), "a primary sets FSD, as for OB LB")
  assert.ok(s.logs.includes(`Critical UPS: ${UPS} (RUNTIME: battery.runtime 240 s no longer covers the shutdown plan's 300 s)`))
})

test("createMonitorLoop() without a runtime budget reads no battery.runtime", async () => {
  const link = new RuntimeLink()
  link.status = "OB"
  link.runtime = 10
  const s = run(conf("primary"), link)
  await s.advance(20_000)
  assert.ok(link.polls.length > 0, "it polled")
  assert.ok(link.polls.every((o) => o === undefined))
  assert.equal(s.loop.state.phase.kind, "monitoring")
  s.abort.abort()
  await s.done
})

test("createMonitorLoop() onBatteryFor: shuts down when it is due, not at the next poll", async () => {
  const link = new RuntimeLink()
  const s = run(conf("secondary", { onBatteryForMs: 60_000 }), link)
  await s.advance(100)
  link.status = "OB DISCHRG"
  await s.advance(5000) // on battery since the poll at 5 s; then polls every 7 s (…, 61, 68)
  await s.advance(59_850) // 64.95 s
  assert.deepEqual(s.shutdowns, [])
  await s.advance(100)
  await s.done
  assert.deepEqual(s.shutdowns, [65_000], "at 5 s + 60 s")
  assert.ok(s.logs.includes(`Critical UPS: ${UPS} (ON-BATTERY-FOR: on battery for longer than shutdown.when.onBatteryFor)`))
})

test("createMonitorLoop() onBatteryFor: mains back in time cancels it", async () => {
  const link = new RuntimeLink()
  const s = run(conf("secondary", { onBatteryForMs: 60_000 }), link)
  await s.advance(100)
  link.status = "OB"
  await s.advance(30_000)
  link.status = "OL"
  await s.advance(60_000)
  assert.equal(s.loop.state.phase.kind, "monitoring")
  assert.deepEqual(s.shutdowns, [])
  s.abort.abort()
  await s.done
})

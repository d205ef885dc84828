import assert from "node:assert/strict"
import { test } from "node:test"
import { parseUpsmonConf } from "../config/index.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import {
  createHostState,
  createSupplyState,
  monitorConfigFromUpsmonConf,
  nextHostState,
  nextSupplyState,
  supplyVerdict,
  type HostEvent,
  type HostState,
  type MonitorConfig,
  type MonitorEffect,
} from "./index.ts"

function upsmon(text: string): MonitorConfig {
  return monitorConfigFromUpsmonConf(parseUpsmonConf(text))
}

const PRIMARY = upsmon(
  'MONITOR rack@localhost 1 admin pw primary\nHOSTSYNC 15\nFINALDELAY 5\nPOWERDOWNFLAG /etc/killpower\nSHUTDOWNCMD "/sbin/shutdown -h +0"\n',
)
const SECONDARY = upsmon("MONITOR rack@10.0.0.1 1 mon pw secondary\nHOSTSYNC 15\nFINALDELAY 5\n")

/** Compact view of effects: `notify:ONBATT`, `setFsd:rack@localhost`, `startTimer:hostsync@15000`. */
function view(effects: readonly MonitorEffect[], base = 0): string[] {
  return effects.flatMap((e) => {
    switch (e.type) {
      case "notify":
        return [`notify:${e.record.type}`]
      case "log":
        return [] // decisions are checked separately
      case "startTimer":
        return [`startTimer:${e.id}@${e.at - base}`]
      case "cancelTimer":
        return [`cancelTimer:${e.id}`]
      case "setFsd":
        return [`setFsd:${e.system}`]
      case "getNumLogins":
        return [`getNumLogins:${e.systems.join(",")}`]
      case "pollInterval":
        return [`pollInterval:${e.ms}`]
      case "closeConnections":
        return ["closeConnections"]
      case "requestShutdown":
        return [`requestShutdown:${e.powerDownFlag ?? ""}`]
      case "powerReturned":
        return ["powerReturned"]
    }
  })
}

const poll = (system: string, status: string): HostEvent => ({ kind: "poll", results: [{ system, result: { kind: "status", status } }] })

// ----- critical decision -----

const VERDICTS = [
  { name: "FSD is critical for a secondary", config: SECONDARY, statuses: ["FSD OL"], after: 0, critical: true, why: "FSD" },
  { name: "OB+LB is critical at once for a primary", config: PRIMARY, statuses: ["OB LB"], after: 0, critical: true, why: "OB+LB" },
  { name: "OB+LB on a secondary waits for the primary's FSD", config: SECONDARY, statuses: ["OB", "OB LB"], after: 15_000, critical: false, why: "WAITING" },
  { name: "OB+LB on a secondary gives up after HOSTSYNC", config: SECONDARY, statuses: ["OB", "OB LB"], after: 15_001, critical: true, why: "HOSTSYNC" },
  { name: "LB without OB is not critical", config: PRIMARY, statuses: ["OL LB"], after: 0, critical: false, why: "OK" },
  { name: "OB+LB while calibrating is not critical", config: PRIMARY, statuses: ["OB LB CAL"], after: 0, critical: false, why: "CAL" },
  { name: "FSD wins over CAL", config: PRIMARY, statuses: ["FSD OB LB CAL"], after: 0, critical: true, why: "FSD" },
] as const

for (const row of VERDICTS) {
  test(`supplyVerdict() ${row.name}`, async () => {
    const clock = new ManualClock(1_000_000)
    let s = createSupplyState(row.config.supplies[0]!)
    for (const status of row.statuses) {
      s = nextSupplyState(s, { kind: "status", status }, { now: clock.now(), config: row.config }).state
      await clock.advance(1000)
    }
    await clock.advance(row.after - 1000)
    const v = supplyVerdict(s, clock.now(), row.config)
    assert.deepEqual([v.critical, v.why], [row.critical, row.why])
  })
}

// ----- the forced-shutdown sequence -----

test("nextHostState() primary: FSD, NUMLOGINS every 250 ms until ≤ 1, then SHUTDOWN and FINALDELAY", async () => {
  const clock = new ManualClock(0)
  const env = () => ({ now: clock.now(), config: PRIMARY })
  const sys = "rack@localhost"
  let state: HostState = createHostState(PRIMARY)
  const step = (event: HostEvent): string[] => {
    const t = nextHostState(state, event, env())
    state = t.state
    return view(t.effects)
  }
  assert.deepEqual(step(poll(sys, "OL")), [])
  await clock.advance(5000)
  assert.deepEqual(step(poll(sys, "OB DISCHRG")), ["notify:ONBATT"])
  await clock.advance(5000)
  // t = 10 s: OB LB → critical at once for the primary.
  assert.deepEqual(step(poll(sys, "OB DISCHRG LB")), ["notify:LOWBATT", `setFsd:${sys}`, "startTimer:hostsync@25000", `getNumLogins:${sys}`])
  assert.deepEqual(state.phase, { kind: "syncing", since: 10_000 })
  assert.deepEqual(step({ kind: "numLogins", counts: { [sys]: 3 } }), ["startTimer:numlogins@10250"])
  await clock.advance(250)
  assert.deepEqual(step({ kind: "timer", id: "numlogins" }), [`getNumLogins:${sys}`])
  // Polls are not made while waiting; a late one changes nothing.
  assert.deepEqual(step(poll(sys, "OL")), [])
  assert.deepEqual(step({ kind: "numLogins", counts: { [sys]: 2 } }), ["startTimer:numlogins@10500"])
  await clock.advance(250)
  step({ kind: "timer", id: "numlogins" })
  assert.deepEqual(step({ kind: "numLogins", counts: { [sys]: 1 } }), ["cancelTimer:hostsync", "notify:SHUTDOWN", "startTimer:finaldelay@15500"])
  assert.deepEqual(state.phase, { kind: "finalDelay", since: 10_500 })
  await clock.advance(5000)
  assert.deepEqual(step({ kind: "timer", id: "finaldelay" }), ["closeConnections", "requestShutdown:/etc/killpower"])
  assert.deepEqual(state.phase, { kind: "shutdown", at: 15_500 })
  assert.deepEqual(step(poll(sys, "OB LB")), [], "nothing happens after the shutdown was requested")
})

test("nextHostState() primary: HOSTSYNC caps the wait for secondaries", async () => {
  const clock = new ManualClock(0)
  const sys = "rack@localhost"
  let state = createHostState(PRIMARY)
  const records: string[] = []
  const step = (event: HostEvent): string[] => {
    const t = nextHostState(state, event, { now: clock.now(), config: PRIMARY })
    state = t.state
    for (const e of t.effects) if (e.type === "log") records.push(e.record.code)
    return view(t.effects)
  }
  step(poll(sys, "OB LB"))
  for (let i = 0; i < 59; i++) {
    step({ kind: "numLogins", counts: { [sys]: 2 } })
    await clock.advance(250)
    step({ kind: "timer", id: "numlogins" })
  }
  await clock.advance(250)
  assert.equal(clock.now(), 15_000)
  assert.deepEqual(step({ kind: "timer", id: "hostsync" }), ["cancelTimer:numlogins", "notify:SHUTDOWN", "startTimer:finaldelay@20000"])
  assert.ok(records.includes("HOSTSYNC_EXPIRED"))
})

test("nextHostState() primary: a failed NUMLOGINS query ends the wait (upsmon's maxlogins stays 0)", () => {
  const sys = "rack@localhost"
  let state = createHostState(PRIMARY)
  state = nextHostState(state, poll(sys, "OB LB"), { now: 0, config: PRIMARY }).state
  const t = nextHostState(state, { kind: "numLogins", counts: { [sys]: undefined } }, { now: 10, config: PRIMARY })
  assert.deepEqual(view(t.effects), ["cancelTimer:hostsync", "notify:SHUTDOWN", "startTimer:finaldelay@5010"])
})

test("nextHostState() secondary: FSD from the primary shuts down at once, dropping the connection after FINALDELAY", () => {
  const sys = "rack@10.0.0.1"
  let state = createHostState(SECONDARY)
  state = nextHostState(state, poll(sys, "OB DISCHRG"), { now: 0, config: SECONDARY }).state
  const t = nextHostState(state, poll(sys, "FSD OB DISCHRG LB"), { now: 1000, config: SECONDARY })
  assert.deepEqual(view(t.effects), ["notify:FSD", "notify:LOWBATT", "notify:SHUTDOWN", "startTimer:finaldelay@6000"])
  const end = nextHostState(t.state, { kind: "timer", id: "finaldelay" }, { now: 6000, config: SECONDARY })
  // No POWERDOWNFLAG configured: none is written.
  assert.deepEqual(view(end.effects), ["closeConnections", "requestShutdown:"])
})

test("nextHostState() user FSD on a primary sets FSD on every UPS it is primary for", () => {
  const config = upsmon("MONITOR a@localhost 1 u p primary\nMONITOR b@localhost 1 u p primary\nMONITOR c@10.0.0.9 1 u p secondary\n")
  const t = nextHostState(createHostState(config), { kind: "forceShutdown" }, { now: 0, config })
  assert.deepEqual(view(t.effects), ["setFsd:a@localhost", "setFsd:b@localhost", "startTimer:hostsync@15000", "getNumLogins:a@localhost,b@localhost"])
  // The wait uses the highest count of the primary UPSes.
  const more = nextHostState(t.state, { kind: "numLogins", counts: { "a@localhost": 1, "b@localhost": 2 } }, { now: 100, config })
  assert.deepEqual(view(more.effects), ["startTimer:numlogins@350"])
})

test("nextHostState() FINALDELAY 0 shuts down in the same step", () => {
  const config = upsmon("MONITOR rack@10.0.0.1 1 u p secondary\nFINALDELAY 0\n")
  const t = nextHostState(createHostState(config), poll("rack@10.0.0.1", "FSD OB LB"), { now: 0, config })
  assert.deepEqual(view(t.effects), ["notify:FSD", "notify:ONBATT", "notify:LOWBATT", "notify:SHUTDOWN", "closeConnections", "requestShutdown:"])
})

test("nextHostState() SHUTDOWN has an empty UPSNAME and upsmon's text; the announcement goes to wall", () => {
  const t = nextHostState(createHostState(SECONDARY), poll("rack@10.0.0.1", "FSD OB LB"), { now: 0, config: SECONDARY })
  const shutdown = t.effects.find((e) => e.type === "notify" && e.record.type === "SHUTDOWN")
  assert.ok(shutdown?.type === "notify")
  assert.equal(shutdown.record.system, "")
  assert.equal(shutdown.record.message, "Auto logout and shutdown proceeding")
  const announce = t.effects.find((e) => e.type === "log" && e.record.code === "POWERFAIL_SHUTDOWN")
  assert.ok(announce?.type === "log")
  assert.equal(announce.wall, true)
  assert.equal(announce.record.message, "Executing automatic power-fail shutdown")
})

// ----- MINSUPPLIES and poll interval -----

const MINSUPPLIES = [
  { name: "2+2 with MINSUPPLIES 2: one critical UPS leaves enough power", conf: "MONITOR a@h 2 u p primary\nMONITOR b@h 2 u p primary\nMINSUPPLIES 2\n", critical: ["a@h"], shutdown: false },
  { name: "2+2 with MINSUPPLIES 2: both critical shuts down", conf: "MONITOR a@h 2 u p primary\nMONITOR b@h 2 u p primary\nMINSUPPLIES 2\n", critical: ["a@h", "b@h"], shutdown: true },
  { name: "1+1 with MINSUPPLIES 2: one critical is too few", conf: "MONITOR a@h 1 u p primary\nMONITOR b@h 1 u p primary\nMINSUPPLIES 2\n", critical: ["a@h"], shutdown: true },
  { name: "redundant PSUs, MINSUPPLIES 1: one of two critical is fine", conf: "MONITOR a@h 1 u p primary\nMONITOR b@h 1 u p primary\n", critical: ["a@h"], shutdown: false },
  { name: "a power value 0 UPS never counts (monitor only)", conf: "MONITOR a@h 1 u p primary\nMONITOR b@h 0 u p primary\n", critical: ["b@h"], shutdown: false },
  { name: "MINSUPPLIES 0 never shuts down", conf: "MONITOR a@h 1 u p primary\nMINSUPPLIES 0\n", critical: ["a@h"], shutdown: false },
] as const

for (const row of MINSUPPLIES) {
  test(`nextHostState() MINSUPPLIES: ${row.name}`, () => {
    const config = upsmon(row.conf)
    const results = config.supplies.map((s) => ({ system: s.system, result: { kind: "status" as const, status: (row.critical as readonly string[]).includes(s.system) ? "OB LB" : "OL" } }))
    const t = nextHostState(createHostState(config), { kind: "poll", results }, { now: 0, config })
    assert.equal(t.state.phase.kind !== "monitoring", row.shutdown)
    assert.equal(t.effects.some((e) => e.type === "setFsd"), row.shutdown)
  })
}

test("nextHostState() polls at POLLFREQALERT while any supply is on battery", () => {
  const config = upsmon("MONITOR a@h 1 u p secondary\nMONITOR b@h 1 u p secondary\nPOLLFREQ 10\nPOLLFREQALERT 2\n")
  const at = (state: HostState, a: string, b: string) => nextHostState(state, { kind: "poll", results: [{ system: "a@h", result: { kind: "status", status: a } }, { system: "b@h", result: { kind: "status", status: b } }] }, { now: 0, config })
  let t = at(createHostState(config), "OL", "OL")
  assert.equal(t.state.pollIntervalMs, 10_000)
  t = at(t.state, "OB", "OL")
  assert.deepEqual(view(t.effects), ["notify:ONBATT", "pollInterval:2000"])
  // b flaps to battery and back: a is still on battery, so polling stays fast (2.8.0 would slow down).
  t = at(t.state, "OB", "OB")
  t = at(t.state, "OB", "OL")
  assert.equal(t.state.pollIntervalMs, 2000)
  t = at(t.state, "OL", "OL")
  assert.deepEqual(view(t.effects), ["notify:ONLINE", "pollInterval:10000"])
})

/**
 * The acceptance scenarios of issue 4, run in virtual time with simulateHost: minutes of mains
 * trouble take milliseconds and no test sleeps.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { parseUpsmonConf } from "../config/index.ts"
import { monitorConfigFromUpsmonConf, simulateHost, type MonitorConfig, type PollResult, type TimedEffect } from "./index.ts"

function upsmon(text: string): MonitorConfig {
  return monitorConfigFromUpsmonConf(parseUpsmonConf(text))
}

const S = 1000
const MIN = 60 * S
const ok = (status: string): PollResult => ({ kind: "status", status })
const down: PollResult = { kind: "failed", error: "CONNECT-FAILED" }

const notifications = (timeline: readonly TimedEffect[]): { at: number; type: string }[] =>
  timeline.flatMap(({ at, effect }) => (effect.type === "notify" ? [{ at, type: effect.record.type }] : []))
const decisions = (timeline: readonly TimedEffect[]): string[] => timeline.flatMap(({ effect }) => (effect.type === "log" ? [effect.record.code] : []))

for (const role of ["primary", "secondary"] as const) {
  const config = upsmon(`MONITOR rack@10.0.0.1 1 u p ${role}\nPOLLFREQ 5\nPOLLFREQALERT 1\n`)

  test(`simulateHost() ${role}: flapping mains (OB/OL every 3 s for 10 minutes) never shuts down`, () => {
    const r = simulateHost({ config, until: 10 * MIN, poll: (_s, now) => ok(Math.floor(now / (3 * S)) % 2 === 1 ? "OB DISCHRG" : "OL CHRG") })
    assert.equal(r.shutdownAt, undefined)
    const types = notifications(r.timeline).map((n) => n.type)
    assert.ok(types.filter((t) => t === "ONBATT").length >= 90, "every outage is announced")
    assert.deepEqual(new Set(types), new Set(["ONBATT", "ONLINE"]))
  })

  test(`simulateHost() ${role}: LB without OB (OL LB for an hour) never shuts down`, () => {
    const r = simulateHost({ config, until: 60 * MIN, poll: () => ok("OL CHRG LB") })
    assert.equal(r.shutdownAt, undefined)
    assert.deepEqual(notifications(r.timeline).map((n) => n.type), ["LOWBATT"])
  })

  test(`simulateHost() ${role}: communication lost while OL never shuts down, only COMMBAD then NOCOMM`, () => {
    const r = simulateHost({ config, until: 30 * MIN, poll: (_s, now) => (now < 10 * S ? ok("OL") : down) })
    assert.equal(r.shutdownAt, undefined)
    const n = notifications(r.timeline)
    assert.deepEqual(n.map((x) => x.type).slice(0, 2), ["COMMBAD", "NOCOMM"])
    assert.equal(n[0]?.at, 10 * S)
    // NOCOMM once NOCOMMWARNTIME (300 s) has passed since the last good poll (at 5 s).
    assert.equal(n[1]?.at, 305 * S)
    assert.ok(n.slice(1).every((x) => x.type === "NOCOMM"))
  })

  test(`simulateHost() ${role}: communication lost while OB shuts down after DEADTIME`, () => {
    // Last good poll at 20 s ("OB DISCHRG"), then nothing answers.
    const r = simulateHost({ config, until: 10 * MIN, poll: (_s, now) => (now < 6 * S ? ok("OL") : now <= 20 * S ? ok("OB DISCHRG") : down) })
    const n = notifications(r.timeline)
    assert.deepEqual(n.map((x) => x.type), ["ONBATT", "COMMBAD", "SHUTDOWN"])
    // DEADTIME 15 s after the last good poll: the first recalc later than that (polls each second).
    assert.equal(n[2]?.at, 36 * S)
    assert.ok(decisions(r.timeline).includes("DEAD_PROMOTED"))
    assert.equal(r.shutdownAt, 36 * S + 5 * S)
  })
}

test("simulateHost() secondary without FSD gives up on the primary after HOSTSYNC", () => {
  const config = upsmon("MONITOR rack@10.0.0.1 1 u p secondary\nPOLLFREQ 5\nPOLLFREQALERT 1\nHOSTSYNC 15\nFINALDELAY 5\n")
  // OB at 10 s, OB LB from 20 s on, and no primary ever sets FSD.
  const r = simulateHost({ config, until: 10 * MIN, poll: (_s, now) => ok(now < 10 * S ? "OL" : now < 20 * S ? "OB DISCHRG" : "OB DISCHRG LB") })
  const n = notifications(r.timeline)
  assert.deepEqual(n.map((x) => x.type), ["ONBATT", "LOWBATT", "SHUTDOWN"])
  // The HOSTSYNC clock starts at 20 s: upsmon updates it after each word, and before the LB word of
  // the first "OB DISCHRG LB" the supply was not yet critical. It gives up once more than 15 s passed.
  assert.equal(n[2]?.at, 36 * S)
  assert.ok(decisions(r.timeline).includes("GIVING_UP_ON_PRIMARY"))
  assert.equal(r.shutdownAt, 41 * S)
})

test("simulateHost() secondary: OB LB that ends within HOSTSYNC does nothing", () => {
  const config = upsmon("MONITOR rack@10.0.0.1 1 u p secondary\nPOLLFREQALERT 1\nHOSTSYNC 15\n")
  const r = simulateHost({ config, until: 10 * MIN, poll: (_s, now) => ok(now >= 20 * S && now < 30 * S ? "OB LB" : now >= 10 * S && now < 40 * S ? "OB" : "OL") })
  assert.equal(r.shutdownAt, undefined)
})

test("simulateHost() secondary: the primary's FSD within HOSTSYNC shuts down at once", () => {
  const config = upsmon("MONITOR rack@10.0.0.1 1 u p secondary\nPOLLFREQALERT 1\nFINALDELAY 5\n")
  const r = simulateHost({ config, until: 10 * MIN, poll: (_s, now) => ok(now < 20 * S ? "OB" : now < 22 * S ? "OB LB" : "FSD OB LB") })
  assert.deepEqual(notifications(r.timeline).map((n) => n.type), ["ONBATT", "LOWBATT", "FSD", "SHUTDOWN"])
  assert.equal(r.shutdownAt, 27 * S)
})

test("simulateHost() MINSUPPLIES 2 with one of two UPSes critical does not shut down", () => {
  const config = upsmon("MONITOR a@10.0.0.1 2 u p secondary\nMONITOR b@10.0.0.2 2 u p secondary\nMINSUPPLIES 2\nPOLLFREQALERT 1\n")
  const r = simulateHost({ config, until: 30 * MIN, poll: (s, now) => ok(s.startsWith("a@") && now >= 10 * S ? "OB LB" : "OL") })
  assert.equal(r.shutdownAt, undefined)
  assert.equal(r.state.power?.value, 2)
  assert.deepEqual(r.state.power?.verdicts.map((v) => v.why), ["HOSTSYNC", "OK"])
})

test("simulateHost() calibration (CAL) suppresses OB LB, and clears so the next real OB LB counts", () => {
  const config = upsmon("MONITOR rack@localhost 1 u p primary\nPOLLFREQALERT 1\nFINALDELAY 5\n")
  const world = (now: number): string => (now < 10 * S ? "OL" : now < 10 * MIN ? "OB DISCHRG LB CAL" : now < 20 * MIN ? "OL CHRG" : "OB DISCHRG LB")
  const during = simulateHost({ config, until: 19 * MIN, poll: (_s, now) => ok(world(now)) })
  assert.equal(during.shutdownAt, undefined)
  assert.deepEqual(notifications(during.timeline).map((n) => n.type), ["ONBATT", "LOWBATT", "CAL", "NOTCAL", "ONLINE"])
  assert.ok(decisions(during.timeline).includes("CAL_SUPPRESSES_OBLB"))
  // 2.8.0 would never shut down here: its CAL flag stays set until upsmon restarts.
  const after = simulateHost({ config, until: 30 * MIN, poll: (_s, now) => ok(world(now)) })
  assert.equal(after.shutdownAt, 20 * MIN + 5 * S)
})

test("simulateHost() primary FSD sequence waits for NUMLOGINS, then FINALDELAY", () => {
  const config = upsmon("MONITOR rack@localhost 1 u p primary\nPOLLFREQALERT 1\nHOSTSYNC 15\nFINALDELAY 5\n")
  // OB LB at 10 s; three secondaries log out at 11 s, 12.3 s and 14 s (NUMLOGINS counts the primary too).
  const logouts = [11 * S, 12.3 * S, 14 * S]
  const r = simulateHost({
    config,
    until: 10 * MIN,
    poll: (_s, now) => ok(now < 10 * S ? "OB DISCHRG" : "OB DISCHRG LB"),
    numLogins: (_s, now) => 1 + logouts.filter((t) => t > now).length,
  })
  const kinds = r.timeline.map((t) => t.effect.type)
  assert.equal(kinds.filter((k) => k === "setFsd").length, 1)
  const queries = r.timeline.filter((t) => t.effect.type === "getNumLogins").map((t) => t.at)
  assert.equal(queries[0], 10 * S)
  assert.equal(queries.at(-1), 14 * S, "the first answer of 1 is at 14 s (queries every 250 ms)")
  assert.equal(queries.length, 17)
  const shutdownNotify = notifications(r.timeline).find((n) => n.type === "SHUTDOWN")
  assert.equal(shutdownNotify?.at, 14 * S)
  assert.equal(r.shutdownAt, 19 * S)
})

test("simulateHost() primary: secondaries that never log out are waited for HOSTSYNC only", () => {
  const config = upsmon("MONITOR rack@localhost 1 u p primary\nPOLLFREQALERT 1\nHOSTSYNC 15\nFINALDELAY 5\n")
  const r = simulateHost({ config, until: 10 * MIN, poll: () => ok("OB LB"), numLogins: () => 3 })
  assert.ok(decisions(r.timeline).includes("HOSTSYNC_EXPIRED"))
  assert.equal(r.shutdownAt, 15 * S + 5 * S)
})

test("simulateHost() user FSD (upsmon -c fsd) on a secondary shuts down with mains present", () => {
  const config = upsmon("MONITOR rack@10.0.0.1 1 u p secondary\nFINALDELAY 5\n")
  const r = simulateHost({ config, until: 10 * MIN, poll: () => ok("OL"), events: [{ at: 60 * S, event: { kind: "forceShutdown" } }] })
  assert.equal(r.shutdownAt, 65 * S)
})

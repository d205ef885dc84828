import assert from "node:assert/strict"
import { test } from "node:test"
import { parseUpsmonConf } from "../config/index.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { createSupplyState, monitorConfigFromUpsmonConf, nextSupplyState, type MonitorConfig, type MonitorEffect, type SupplyEvent, type SupplyState } from "./index.ts"

const CONFIG = upsmon("MONITOR rack@10.0.0.1 1 mon pass secondary\nDEADTIME 15\nNOCOMMWARNTIME 300\nRBWARNTIME 43200\n")
const SUPPLY = CONFIG.supplies[0]!

function upsmon(text: string): MonitorConfig {
  return monitorConfigFromUpsmonConf(parseUpsmonConf(text))
}

const status = (s: string, alarm?: string): SupplyEvent => (alarm === undefined ? { kind: "status", status: s } : { kind: "status", status: s, alarm })
const failed = (error = "DATA-STALE", dropped = false): SupplyEvent => ({ kind: "failed", error, dropped })
const tick: SupplyEvent = { kind: "tick" }

/** One row: after the events of `before` (one per second from t=0), feed `event` at `at` ms. */
interface Row {
  readonly name: string
  readonly before: readonly SupplyEvent[]
  readonly event: SupplyEvent
  /** ms after the last `before` event @default 1000 */
  readonly after?: number
  /** Notify types of the event, in order. */
  readonly notify: readonly string[]
  readonly check?: (state: SupplyState) => void
}

async function play(row: Pick<Row, "before" | "event" | "after">): Promise<{ state: SupplyState; effects: readonly MonitorEffect[] }> {
  const clock = new ManualClock(1_700_000_000_000)
  let state = createSupplyState(SUPPLY)
  for (const e of row.before) {
    state = nextSupplyState(state, e, { now: clock.now(), config: CONFIG }).state
    await clock.advance(1000)
  }
  await clock.advance((row.after ?? 1000) - 1000)
  return nextSupplyState(state, row.event, { now: clock.now(), config: CONFIG })
}

const types = (effects: readonly MonitorEffect[]): string[] => effects.flatMap((e) => (e.type === "notify" ? [e.record.type] : []))

const ROWS: readonly Row[] = [
  { name: "the first OL after start is silent (no ONLINE, no COMMOK)", before: [], event: status("OL"), notify: [] },
  { name: "OL → OB sends ONBATT", before: [status("OL")], event: status("OB DISCHRG"), notify: ["ONBATT"] },
  { name: "OB seen at start sends ONBATT (not suppressed)", before: [], event: status("OB DISCHRG"), notify: ["ONBATT"] },
  { name: "OB → OL sends ONLINE", before: [status("OL"), status("OB")], event: status("OL CHRG"), notify: ["ONLINE"] },
  { name: "OB → OB LB sends LOWBATT", before: [status("OL"), status("OB")], event: status("OB DISCHRG LB"), notify: ["LOWBATT"] },
  { name: "LB without OB still sends LOWBATT", before: [status("OL")], event: status("OL CHRG LB"), notify: ["LOWBATT"] },
  { name: "LB once, not again while it stays", before: [status("OB LB")], event: status("OB LB"), notify: [] },
  { name: "FSD OB LB: FSD first, then LOWBATT (word order, as 05-…txt)", before: [status("OL"), status("OB DISCHRG")], event: status("FSD OB LB"), notify: ["FSD", "LOWBATT"] },
  { name: "words are case-insensitive", before: [status("OL")], event: status("ob lb"), notify: ["ONBATT", "LOWBATT"] },
  { name: "the first failure sends COMMBAD, even at start", before: [], event: failed("CONNECT-FAILED"), notify: ["COMMBAD"] },
  { name: "an empty status counts as a failed poll", before: [status("OL")], event: status(""), notify: ["COMMBAD"] },
  { name: "a never reached UPS sends NOCOMM with its second failure", before: [failed("CONNECT-FAILED")], event: failed("CONNECT-FAILED"), notify: ["NOCOMM"] },
  { name: "no NOCOMM before NOCOMMWARNTIME since the last poll", before: [status("OL"), failed()], event: failed(), after: 200_000, notify: [] },
  { name: "NOCOMM after NOCOMMWARNTIME since the last poll", before: [status("OL"), failed()], event: failed(), after: 300_000, notify: ["NOCOMM"] },
  { name: "COMMOK when a poll works again", before: [status("OL"), failed()], event: status("OL"), notify: ["COMMOK"] },
  {
    name: "after a dropped connection the first OL is announced",
    before: [failed("CONNECTION-LOST", true)],
    event: status("OL"),
    notify: ["COMMOK", "ONLINE"],
  },
  { name: "RB sends REPLBATT at once", before: [status("OL")], event: status("OL RB"), notify: ["REPLBATT"] },
  { name: "RB again within RBWARNTIME is silent", before: [status("OL RB")], event: status("OL RB"), notify: [] },
  { name: "RB again after RBWARNTIME repeats REPLBATT", before: [status("OL RB")], event: status("OL RB"), after: 43_201_000, notify: ["REPLBATT"] },
  { name: "CAL sends CAL", before: [status("OL")], event: status("OB CAL"), notify: ["ONBATT", "CAL"] },
  {
    name: "CAL clears with NOTCAL (2.8.0 never clears it)",
    before: [status("OB CAL")],
    event: status("OL"),
    notify: ["NOTCAL", "ONLINE"],
    check: (s) => assert.equal(s.flags.cal, false),
  },
  { name: "BYPASS and NOTBYPASS", before: [status("OL")], event: status("OL BYPASS"), notify: ["BYPASS"] },
  { name: "NOTBYPASS when it goes", before: [status("OL BYPASS")], event: status("OL"), notify: ["NOTBYPASS"] },
  { name: "OFF, OVER, TRIM, BOOST each notify once", before: [status("OL")], event: status("OL OFF OVER TRIM BOOST"), notify: ["OFF", "OVER", "TRIM", "BOOST"] },
  { name: "their NOT* types when they go", before: [status("OL OFF OVER TRIM BOOST")], event: status("OL"), notify: ["NOTOFF", "NOTOVER", "NOTTRIM", "NOTBOOST"] },
  { name: "ALARM, then NOTALARM", before: [status("OL")], event: status("ALARM OL", "Replace battery"), notify: ["ALARM"] },
  { name: "NOTALARM when ALARM goes", before: [status("ALARM OL", "x")], event: status("OL"), notify: ["NOTALARM"] },
  { name: "ALARM again when ups.alarm changes", before: [status("ALARM OL", "a")], event: status("ALARM OL", "b"), notify: ["ALARM"] },
  { name: "unknown tokens send OTHER once", before: [status("OL")], event: status("OL WEIRD"), notify: ["OTHER"] },
  { name: "NOTOTHER when they go", before: [status("OL WEIRD")], event: status("OL"), notify: ["NOTOTHER"] },
  {
    name: "WAIT keeps OB but clears LB (upsmon clears LB when the word is absent)",
    before: [status("OB LB")],
    event: status("WAIT"),
    notify: [],
    check: (s) => assert.deepEqual([s.flags.ob, s.flags.lb], [true, false]),
  },
  {
    name: "FSD disappearing clears the flag silently",
    before: [status("FSD OB LB")],
    event: status("OB LB"),
    notify: [],
    check: (s) => assert.equal(s.flags.fsd, false),
  },
  {
    name: "DEADTIME: a supply last OB gets LB after more than DEADTIME without a poll, without LOWBATT",
    before: [status("OB DISCHRG"), failed()],
    event: tick,
    after: 15_000,
    notify: [],
    check: (s) => assert.deepEqual([s.flags.ob, s.flags.lb, s.deadPromoted], [true, true, true]),
  },
  {
    name: "DEADTIME: not before DEADTIME has passed",
    before: [status("OB DISCHRG"), failed()],
    event: tick,
    after: 14_000,
    notify: [],
    check: (s) => assert.equal(s.flags.lb, false),
  },
  {
    name: "DEADTIME: a supply last OL is never promoted",
    before: [status("OL"), failed()],
    event: tick,
    after: 3_600_000,
    notify: [],
    check: (s) => assert.deepEqual([s.flags.ol, s.flags.lb], [true, false]),
  },
]

for (const row of ROWS) {
  test(`nextSupplyState() ${row.name}`, async () => {
    const { state, effects } = await play(row)
    assert.deepEqual(types(effects), row.notify)
    row.check?.(state)
  })
}

test("nextSupplyState() fills NOTIFYMSG formats and UPSNAME with the MONITOR string", async () => {
  const { effects } = await play({ before: [status("OL")], event: status("OB") })
  const n = effects.find((e) => e.type === "notify")
  assert.ok(n?.type === "notify")
  assert.equal(n.record.message, "UPS rack@10.0.0.1 on battery")
  assert.equal(n.record.system, "rack@10.0.0.1")
  assert.equal(n.record.status, "OB")
  assert.deepEqual(n.record.flags, { syslog: true, wall: true, exec: false, ignore: false })
})

test("nextSupplyState() puts ups.alarm in ALARM's second %s, without shell metacharacters", async () => {
  const { effects } = await play({ before: [status("OL")], event: status("ALARM OL", 'Bad "battery" $(reboot)') })
  const n = effects.find((e) => e.type === "notify")
  assert.ok(n?.type === "notify")
  assert.equal(n.record.message, "UPS rack@10.0.0.1: one or more active alarms: [Bad battery (reboot)]")
})

test("nextSupplyState() logs a poll failure once per error, not every poll", async () => {
  const { effects } = await play({ before: [status("OL"), failed("DATA-STALE")], event: failed("DATA-STALE") })
  assert.equal(effects.filter((e) => e.type === "log").length, 0)
  const other = await play({ before: [status("OL"), failed("DATA-STALE")], event: failed("DRIVER-NOT-CONNECTED") })
  assert.equal(other.effects.filter((e) => e.type === "log").length, 1)
})

test("nextSupplyState() repeats NOCOMM every NOCOMMWARNTIME while contact stays lost", async () => {
  const clock = new ManualClock(0)
  let state = createSupplyState(SUPPLY)
  const seen: number[] = []
  state = nextSupplyState(state, status("OL"), { now: clock.now(), config: CONFIG }).state
  for (let i = 0; i < 20 * 60; i += 5) {
    await clock.advance(5000)
    const t = nextSupplyState(state, failed(), { now: clock.now(), config: CONFIG })
    state = t.state
    if (types(t.effects).includes("NOCOMM")) seen.push(clock.now() / 1000)
  }
  // First at 300 s since the last poll, then each time more than 300 s passed since the last one.
  assert.deepEqual(seen, [300, 605, 910])
})

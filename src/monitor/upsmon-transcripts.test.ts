/**
 * Replays the real upsmon 2.8.0 sessions recorded in test/fixtures/nut-wire/05-… and 06-… through
 * the host machine, with the recorded upsmon.conf files, and compares what comes out with what
 * upsmon did: the FSD / NUMLOGINS / FINALDELAY timeline and the NOTIFYCMD log (type, UPSNAME, message).
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { parseUpsmonConf } from "../config/index.ts"
import { fixture } from "../../test/support/fixture.ts"
import { pyBytes } from "../../test/support/wire-transcript.ts"
import {
  createHostState,
  monitorConfigFromUpsmonConf,
  nextHostState,
  notifyCommand,
  simulateHost,
  type HostEvent,
  type MonitorConfig,
  type MonitorEffect,
  type NotifyRecord,
  type TimerId,
} from "./index.ts"

const PRIMARY_CONF = monitorConfigFromUpsmonConf(parseUpsmonConf(fixture("nut-wire/sandbox-etc/upsmon-primary.conf")))
const SECONDARY_CONF = monitorConfigFromUpsmonConf(parseUpsmonConf(fixture("nut-wire/sandbox-etc/upsmon-secondary.conf")))
const UPS = "crit@127.0.0.1:23494"
/** The recording's clocks have 10 ms steps; upsmon's own loop drifts by about that per round. */
const SLACK_MS = 50

interface WireLine {
  readonly ms: number
  readonly conn: string
  readonly dir: string
  readonly text: string
}

function wireLines(text: string): WireLine[] {
  return text.split("\n").flatMap((raw) => {
    const m = /^\s*([\d.]+) (c\d+) (C>|S>|--) (b'.*')$/.exec(raw)
    if (!m) return []
    return [{ ms: Math.round(Number(m[1]) * 1000), conn: m[2] as string, dir: m[3] as string, text: new TextDecoder().decode(pyBytes(m[4] as string)) }]
  })
}

interface LoggedNotify {
  readonly seconds: number
  readonly role: string
  readonly type: string
  readonly upsname: string
  readonly msg: string
}

function notifyLog(text: string): LoggedNotify[] {
  return text.split("\n").flatMap((raw) => {
    const m = /^(\d\d):(\d\d):(\d\d) \[(pri|sec)\] NOTIFYTYPE=(\S*) UPSNAME=(\S*) msg=(.*)$/.exec(raw)
    if (!m) return []
    const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])
    return [{ seconds, role: m[4] as string, type: m[5] as string, upsname: m[6] as string, msg: m[7] as string }]
  })
}

function shutdownCmdLog(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const m of text.matchAll(/^SHUTDOWNCMD-(pri|sec) (\d\d):(\d\d):(\d\d)$/gm)) out.set(m[1] as string, Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]))
  return out
}

interface Replay {
  readonly effects: readonly { readonly at: number; readonly effect: MonitorEffect }[]
  /** Poll interval in force after each status poll. */
  readonly intervals: readonly { readonly at: number; readonly ms: number }[]
}

/**
 * Feed one connection's recorded status replies at their times; answer NUMLOGINS queries with the
 * recorded answers in order; run timers when due.
 */
function replay(config: MonitorConfig, lines: readonly WireLine[]): Replay {
  const statuses = lines.flatMap((l) => {
    const m = l.dir === "S>" ? /^VAR crit ups\.status "(.*)"$/.exec(l.text) : null
    return m ? [{ at: l.ms, status: m[1] as string }] : []
  })
  const numlogins = lines.flatMap((l) => {
    const m = l.dir === "S>" ? /^NUMLOGINS crit (\d+)$/.exec(l.text) : null
    return m ? [Number(m[1])] : []
  })
  const effects: { at: number; effect: MonitorEffect }[] = []
  const intervals: { at: number; ms: number }[] = []
  const timers = new Map<TimerId, number>()
  let state = createHostState(config)
  let now = 0
  const feed = (event: HostEvent): void => {
    const t = nextHostState(state, event, { now, config })
    state = t.state
    const answers: HostEvent[] = []
    for (const effect of t.effects) {
      effects.push({ at: now, effect })
      if (effect.type === "startTimer") timers.set(effect.id, effect.at)
      if (effect.type === "cancelTimer") timers.delete(effect.id)
      if (effect.type === "getNumLogins") answers.push({ kind: "numLogins", counts: { [UPS]: numlogins.shift() } })
    }
    for (const a of answers) feed(a)
  }
  for (const s of statuses) {
    now = s.at
    feed({ kind: "poll", results: [{ system: UPS, result: { kind: "status", status: s.status } }] })
    intervals.push({ at: now, ms: state.pollIntervalMs })
    if (state.phase.kind !== "monitoring") break
  }
  for (;;) {
    const next = [...timers].sort((a, b) => a[1] - b[1])[0]
    if (next === undefined) break
    timers.delete(next[0])
    now = next[1]
    feed({ kind: "timer", id: next[0] })
  }
  return { effects, intervals }
}

const WIRE = wireLines(fixture("nut-wire/05-upsmon-primary-secondary-fsd.txt"))
const PRI = WIRE.filter((l) => l.conn === "c12")
const SEC = WIRE.filter((l) => l.conn === "c13")
const LOG05 = notifyLog(fixture("nut-wire/05-upsmon-primary-secondary-fsd.txt"))
const CMD05 = shutdownCmdLog(fixture("nut-wire/05-upsmon-primary-secondary-fsd.txt"))

const near = (actual: number | undefined, expected: number, what: string): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= SLACK_MS, `${what}: ${actual} ms, upsmon ${expected} ms`)
}
const notifies = (r: Replay): { at: number; record: NotifyRecord }[] => r.effects.flatMap(({ at, effect }) => (effect.type === "notify" ? [{ at, record: effect.record }] : []))

/** Our notifications as NOTIFYCMD would receive them, against the recorded log lines of one role. */
function assertNotifyLog(r: Replay, config: MonitorConfig, role: "pri" | "sec"): void {
  const ours = notifies(r)
  const logged = LOG05.filter((l) => l.role === role)
  assert.deepEqual(
    ours.map((n) => n.record.type),
    logged.map((l) => l.type),
  )
  const first = logged[0]
  const firstOurs = ours[0]
  assert.ok(first && firstOurs)
  ours.forEach((n, i) => {
    const l = logged[i] as LoggedNotify
    const cmd = notifyCommand(n.record, config.notifyCmd)
    assert.ok(cmd, `${n.record.type} is EXEC-flagged in the recorded upsmon.conf`)
    assert.deepEqual(cmd.env, { NOTIFYTYPE: l.type, UPSNAME: l.upsname })
    assert.equal(cmd.shell, `${config.notifyCmd} "${l.msg}"`)
    // The log has whole seconds on another clock: compare times relative to the first notification.
    const drift = (l.seconds - first.seconds) * 1000 - (n.at - firstOurs.at)
    assert.ok(Math.abs(drift) < 1000 + SLACK_MS, `${n.record.type} at the recorded time (drift ${drift} ms)`)
  })
}

test("nextHostState() replays the 2.8.0 primary of 05-…txt: FSD, NUMLOGINS every 250 ms, FINALDELAY, close", () => {
  const r = replay(PRIMARY_CONF, PRI)
  const at = (type: MonitorEffect["type"]): number[] => r.effects.filter((e) => e.effect.type === type).map((e) => e.at)
  const sent = (prefix: string): number[] => PRI.filter((l) => l.dir === "C>" && l.text.startsWith(prefix)).map((l) => l.ms)

  assert.deepEqual(at("setFsd"), sent("FSD crit"))
  assert.equal(at("setFsd").length, 1)
  const queries = at("getNumLogins")
  const recorded = sent("GET NUMLOGINS crit")
  assert.equal(recorded.length, 10)
  assert.equal(queries.length, recorded.length)
  queries.forEach((q, i) => near(q, recorded[i] as number, `NUMLOGINS query ${i + 1}`))
  const close = PRI.find((l) => l.dir === "C>" && l.text === "<close>")?.ms as number
  near(at("closeConnections")[0], close, "connection closed")
  near(at("requestShutdown")[0], close, "shutdown requested")
  const req = r.effects.find((e) => e.effect.type === "requestShutdown")?.effect
  assert.deepEqual(req, { type: "requestShutdown", powerDownFlag: "/var/lib/nutref/mon-pri/killpower", shutdownCmd: "/bin/sh -c 'echo SHUTDOWNCMD-pri $(date +%T) >> /var/lib/nutref/shutdown.log'" })

  // POLLFREQ 2 on line power, POLLFREQALERT 1 once on battery: the gaps between the recorded polls.
  const polls = sent("GET VAR crit ups.status")
  r.intervals.slice(0, -1).forEach((iv, i) => near(iv.ms, (polls[i + 1] as number) - (polls[i] as number), `poll interval after ${iv.at} ms`))
})

test("nextHostState() replays the 2.8.0 secondary of 05-…txt: FSD seen, SHUTDOWN, close after FINALDELAY", () => {
  const r = replay(SECONDARY_CONF, SEC)
  const close = SEC.find((l) => l.dir === "C>" && l.text === "<close>")?.ms as number
  const closed = r.effects.find((e) => e.effect.type === "closeConnections")?.at
  near(closed, close, "connection closed")
  assert.equal(r.effects.some((e) => e.effect.type === "setFsd" || e.effect.type === "getNumLogins"), false, "a secondary never sets FSD")
})

test("notifyCommand() gives NOTIFYCMD what upsmon 2.8.0 gave it in 05-…txt (primary)", () => {
  assertNotifyLog(replay(PRIMARY_CONF, PRI), PRIMARY_CONF, "pri")
})

test("notifyCommand() gives NOTIFYCMD what upsmon 2.8.0 gave it in 05-…txt (secondary)", () => {
  assertNotifyLog(replay(SECONDARY_CONF, SEC), SECONDARY_CONF, "sec")
})

test("nextHostState() runs SHUTDOWNCMD FINALDELAY after SHUTDOWN, secondary before primary, as in 05-…txt", () => {
  const pri = replay(PRIMARY_CONF, PRI)
  const sec = replay(SECONDARY_CONF, SEC)
  const t = (r: Replay): number => r.effects.find((e) => e.effect.type === "requestShutdown")?.at as number
  assert.ok(t(sec) < t(pri))
  // Same offset between the wire clock and the wall clock for both: the shutdown logs agree.
  const secLog = (CMD05.get("sec") as number) * 1000
  const priLog = (CMD05.get("pri") as number) * 1000
  assert.ok(Math.abs(priLog - secLog - (t(pri) - t(sec))) < 1000 + SLACK_MS)
})

test("simulateHost() matches the 2.8.0 secondary of 06-…txt: comm lost while OB, SHUTDOWN after DEADTIME", () => {
  const text = fixture("nut-wire/06-upsmon-secondary-comm-lost-while-OB.txt")
  const logged = notifyLog(text)
  const cmdAt = shutdownCmdLog(text).get("sec") as number
  // Recorded: first poll 19:11:50 sees "OB DISCHRG"; upsd killed at 19:11:57; POLLFREQALERT 1.
  const S = 1000
  const r = simulateHost({
    config: SECONDARY_CONF,
    until: 120 * S,
    poll: (_s, now) => (now < 7.5 * S ? { kind: "status", status: "OB DISCHRG" } : { kind: "failed", error: "CONNECT-FAILED", dropped: now < 8.5 * S }),
  })
  const ours = r.timeline.flatMap(({ at, effect }) => (effect.type === "notify" ? [{ at, record: effect.record }] : []))
  assert.deepEqual(
    ours.map((n) => [n.record.type, n.record.system, n.record.message]),
    logged.map((l) => [l.type, l.upsname, l.msg]),
  )
  const base = (logged[0] as LoggedNotify).seconds
  // The log has whole seconds and upsmon compares whole seconds: allow one second either way.
  ours.forEach((n, i) => {
    const drift = ((logged[i] as LoggedNotify).seconds - base) * S - n.at
    assert.ok(Math.abs(drift) <= S, `${n.record.type}: drift ${drift} ms`)
  })
  assert.ok(Math.abs((cmdAt - base) * S - (r.shutdownAt as number)) <= S)
  assert.equal(r.shutdownAt! - ours.at(-1)!.at, 2 * S, "FINALDELAY 2")
})

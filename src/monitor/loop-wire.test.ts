/**
 * The whole runtime (loop + network link + host machine) against an in-memory upsd that replays
 * the UPS of fixtures/nut-wire/05-upsmon-primary-secondary-fsd.txt: the primary must put the same
 * requests on the wire as the recorded upsmon 2.8.0 primary (connection c12), at the same times,
 * and close without LOGOUT.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { createScriptedServer } from "../client/index.ts"
import { parseUpsmonConf } from "../config/index.ts"
import { fixture } from "../../test/support/fixture.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { pyBytes } from "../../test/support/wire-transcript.ts"
import { createMonitorLoop, createNetworkLink, monitorConfigFromUpsmonConf } from "./index.ts"

const T0 = 1_700_000_000_000
/** upsmon's loop drifts a few ms per round; the recording has 10 ms steps. */
const SLACK_MS = 60

interface Line {
  readonly ms: number
  readonly conn: string
  readonly dir: string
  readonly text: string
}

const LINES: Line[] = fixture("nut-wire/05-upsmon-primary-secondary-fsd.txt")
  .split("\n")
  .flatMap((raw) => {
    const m = /^\s*([\d.]+) (c\d+) (C>|S>|--) (b'.*')$/.exec(raw)
    return m ? [{ ms: Math.round(Number(m[1]) * 1000), conn: m[2] as string, dir: m[3] as string, text: new TextDecoder().decode(pyBytes(m[4] as string)) }] : []
  })
const START = (LINES.find((l) => l.conn === "c12" && l.text === "GET VAR crit ups.status") as Line).ms
const PRIMARY_REQUESTS = LINES.filter((l) => l.conn === "c12" && l.dir === "C>").map((l) => ({ at: l.ms - START, line: l.text }))

/**
 * The UPS's status over time: each value from the moment either upsmon first saw it, moved half a
 * poll earlier so that a poll a few ms early still sees it.
 */
const STATUS_CHANGES = LINES.flatMap((l) => {
  const m = l.dir === "S>" ? /^VAR crit ups\.status "(.*)"$/.exec(l.text) : null
  return m ? [{ at: l.ms - START - 500, status: m[1] as string }] : []
}).filter((c, i, all) => i === 0 || all[i - 1]?.status.replace(/^FSD /, "") !== c.status.replace(/^FSD /, ""))
const NUMLOGINS = LINES.flatMap((l) => (l.conn === "c12" && l.dir === "S>" && l.text.startsWith("NUMLOGINS") ? [l.text] : []))

test("createMonitorLoop() with a network link puts the recorded upsmon 2.8.0 primary session on the wire", async () => {
  const clock = new ManualClock(T0)
  const rel = (): number => clock.now() - T0
  const seen: { at: number; line: string }[] = []
  let fsd = false
  const answers = [...NUMLOGINS]
  const server = createScriptedServer((line) => {
    seen.push({ at: rel(), line })
    if (line === "STARTTLS") return "ERR FEATURE-NOT-CONFIGURED"
    if (line === "PRIMARY crit") return "OK PRIMARY-GRANTED"
    if (line === "FSD crit") {
      fsd = true
      return "OK FSD-SET"
    }
    if (line === "GET NUMLOGINS crit") return answers.shift() ?? "NUMLOGINS crit 1"
    if (line === "GET VAR crit ups.status") {
      const status = STATUS_CHANGES.filter((c) => c.at <= rel()).at(-1)?.status ?? "OL"
      return `VAR crit ups.status "${fsd ? `FSD ${status}` : status}"`
    }
    return "OK"
  })
  const config = monitorConfigFromUpsmonConf(parseUpsmonConf(fixture("nut-wire/sandbox-etc/upsmon-primary.conf")))
  const supply = config.supplies[0]
  assert.ok(supply)
  const loop = createMonitorLoop({
    config,
    // push off: the wire must be upsmon's, line for line (push adds one NUTCTL PUSH after the login)
    links: [createNetworkLink({ supply, log: () => {}, dialer: server.dialer, push: false })],
    clock,
    log: () => {},
    shutdown: { run: async () => ({ ok: true, failures: [] }) },
  })
  const done = loop.run()
  await new Promise((r) => setImmediate(r))
  for (let t = 0; t < 20_000 && !server.clientClosed; t += 10) {
    await clock.advance(10)
    await new Promise((r) => setImmediate(r))
  }
  assert.equal((await done).kind, "shutdown")

  assert.deepEqual(
    seen.map((s) => s.line),
    PRIMARY_REQUESTS.filter((r) => r.line !== "<close>").map((r) => r.line),
  )
  seen.forEach((s, i) => {
    const expected = PRIMARY_REQUESTS[i]?.at ?? NaN
    assert.ok(Math.abs(s.at - expected) <= SLACK_MS, `${s.line} (#${i}) at ${s.at} ms, upsmon at ${expected} ms`)
  })
  const closeAt = (PRIMARY_REQUESTS.at(-1) as { at: number }).at
  assert.ok(server.clientClosed && !seen.some((s) => s.line === "LOGOUT"), "closed without LOGOUT")
  assert.ok(Math.abs(rel() - closeAt) <= SLACK_MS, `closed at ${rel()} ms, upsmon at ${closeAt} ms`)
})

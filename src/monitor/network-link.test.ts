/**
 * The network link against an in-memory NUT server: upsmon's login sequence line for line
 * (fixtures/nut-wire/05-…txt), reconnects, refusals, and a close without LOGOUT at shutdown.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { createScriptedServer, type ScriptedAnswer } from "../client/index.ts"
import { createNetworkLink, type LogLevel, type SupplyConfig } from "./index.ts"

const PRIMARY: SupplyConfig = { system: "crit@127.0.0.1:23494", ups: "crit", host: "127.0.0.1", port: 23494, powerValue: 1, role: "primary", user: "monpri", password: "pripass" }
const SECONDARY: SupplyConfig = { ...PRIMARY, role: "secondary", user: "monsec", password: "secpass" }

/** upsd 2.8.0 without CERTFILE, as in the recording. */
function upsd(status: () => string, overrides: Record<string, string | string[]> = {}): ScriptedAnswer {
  return (line) => {
    const o = overrides[line]
    if (o !== undefined) return o
    if (line === "STARTTLS") return "ERR FEATURE-NOT-CONFIGURED"
    if (/^(USERNAME|PASSWORD|LOGIN) /.test(line)) return "OK"
    if (line === "PRIMARY crit") return "OK PRIMARY-GRANTED"
    if (line === "GET VAR crit ups.status") return `VAR crit ups.status "${status()}"`
    if (line === "FSD crit") return "OK FSD-SET"
    if (line === "GET NUMLOGINS crit") return "NUMLOGINS crit 2"
    if (line === "LOGOUT") return "OK Goodbye"
    return "ERR UNKNOWN-COMMAND"
  }
}

function logger() {
  const lines: { level: LogLevel; message: string }[] = []
  return { lines, log: (level: LogLevel, message: string) => void lines.push({ level, message }) }
}

test("createNetworkLink() logs in as upsmon 2.8.0 does (fixtures/nut-wire/05), then polls ups.status", async () => {
  const server = createScriptedServer(upsd(() => "OL"))
  const link = createNetworkLink({ supply: PRIMARY, log: logger().log, dialer: server.dialer, push: false })
  assert.deepEqual(await link.poll(), { kind: "status", status: "OL" })
  assert.deepEqual(await link.poll(), { kind: "status", status: "OL" })
  await link.setFsd()
  assert.equal(await link.numLogins(), 2)
  assert.deepEqual(server.requests, [
    "STARTTLS",
    "USERNAME monpri",
    "PASSWORD pripass",
    "LOGIN crit",
    "PRIMARY crit",
    "GET VAR crit ups.status",
    "GET VAR crit ups.status",
    "FSD crit",
    "GET NUMLOGINS crit",
  ])
  assert.equal(server.connections, 1)
})

test("createNetworkLink() secondary sends no PRIMARY; a primary falls back to MASTER on a NUT 2.7 server", async () => {
  const sec = createScriptedServer(upsd(() => "OL"))
  await createNetworkLink({ supply: SECONDARY, log: logger().log, dialer: sec.dialer, push: false }).poll()
  assert.deepEqual(sec.requests, ["STARTTLS", "USERNAME monsec", "PASSWORD secpass", "LOGIN crit", "GET VAR crit ups.status"])

  const old = createScriptedServer(upsd(() => "OL", { "PRIMARY crit": "ERR UNKNOWN-COMMAND", "MASTER crit": "OK MASTER-GRANTED" }))
  await createNetworkLink({ supply: PRIMARY, log: logger().log, dialer: old.dialer, push: false }).poll()
  assert.deepEqual(old.requests.slice(4, 6), ["PRIMARY crit", "MASTER crit"])
})

test("createNetworkLink() logs a refused login once and keeps polling, as upsmon does", async () => {
  const server = createScriptedServer(upsd(() => "OB", { "LOGIN crit": "ERR ACCESS-DENIED" }))
  const { lines, log } = logger()
  const link = createNetworkLink({ supply: SECONDARY, log, dialer: server.dialer })
  assert.deepEqual(await link.poll(), { kind: "status", status: "OB" })
  assert.deepEqual(
    lines.filter((l) => l.level !== "debug"),
    [{ level: "error", message: "Login on UPS [crit@127.0.0.1:23494] failed - got [ERR ACCESS-DENIED]" }],
  )
})

test("createNetworkLink() reads ups.alarm while the status says ALARM", async () => {
  const server = createScriptedServer(upsd(() => "OL ALARM", { "GET VAR crit ups.alarm": 'VAR crit ups.alarm "Replace battery!"' }))
  const link = createNetworkLink({ supply: SECONDARY, log: logger().log, dialer: server.dialer })
  assert.deepEqual(await link.poll(), { kind: "status", status: "OL ALARM", alarm: "Replace battery!" })
})

test("createNetworkLink() reports ERR replies as failed polls on a kept connection, and rebuilds a lost one", async () => {
  let reply: string | string[] = "ERR DATA-STALE"
  const server = createScriptedServer((line, session) => (line === "GET VAR crit ups.status" ? reply : upsd(() => "OL")(line, session)))
  const link = createNetworkLink({ supply: SECONDARY, log: logger().log, dialer: server.dialer })
  assert.deepEqual(await link.poll(), { kind: "failed", error: "DATA-STALE" })
  reply = "<close>"
  assert.deepEqual(await link.poll(), { kind: "failed", error: "CLOSED", dropped: true })
  assert.equal(server.connections, 1)
  reply = 'VAR crit ups.status "OL"'
  assert.deepEqual(await link.poll(), { kind: "status", status: "OL" })
  assert.equal(server.connections, 2, "a new connection with a new LOGIN")
  assert.equal(server.requests.filter((r) => r === "LOGIN crit").length, 2)
})

test("createNetworkLink() reports a refused connection as CONNECT-FAILED", async () => {
  const server = createScriptedServer(upsd(() => "OL"), { refuse: true })
  const link = createNetworkLink({ supply: SECONDARY, log: logger().log, dialer: server.dialer })
  assert.deepEqual(await link.poll(), { kind: "failed", error: "CONNECT-FAILED" })
  await assert.rejects(link.numLogins())
})

test("createNetworkLink() drop() closes without LOGOUT; close() logs out", async () => {
  const server = createScriptedServer(upsd(() => "OL"))
  const link = createNetworkLink({ supply: SECONDARY, log: logger().log, dialer: server.dialer })
  await link.poll()
  link.drop()
  await Promise.resolve()
  assert.equal(server.clientClosed, true)
  assert.ok(!server.requests.includes("LOGOUT"))

  await link.poll()
  link.close()
  assert.equal(server.requests.at(-1), "LOGOUT")
})

/**
 * nutctl's push extension, server side: NUTCTL PUSH opts a connection in; only that connection
 * gets unsolicited lines, one per change of what a status poll would answer.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { LineClient } from "../../test/support/line-client.ts"
import { UpsState } from "../ups/index.ts"
import { NutServer, RequestStream, type ServedUps, type UserRecord } from "./index.ts"

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const admin: UserRecord = { name: "admin", password: "pw", actions: new Set(["fsd"]), instcmds: new Set() }

function upsOf(name: string, now: () => number = Date.now): ServedUps {
  const state = new UpsState({ now, maxAgeMs: 15_000 })
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  state.setInfo("ups.status", "OL")
  return { name, desc: undefined, state }
}

function serverOf(ups: ServedUps[], now: () => number = Date.now): NutServer {
  return new NutServer({ settings: { listen: [{ host: "127.0.0.1", port: 0 }], maxAge: 15, maxConn: 16, trackingDelay: 3600 }, ups, users: [admin], log: quiet, now })
}

/** A socket-free session whose pushed lines land in `pushed`. */
function session(server: NutServer) {
  const s = server.createSession()
  const pushed: string[] = []
  s.push.attach((line) => pushed.push(line))
  const stream = new RequestStream(s)
  const send = (line: string) => stream.feed(new TextEncoder().encode(line + "\n")).out.trimEnd()
  return { send, pushed, session: s }
}

const tick = () => new Promise<void>((r) => queueMicrotask(r))

test("NUTCTL PUSH answers OK PUSH 1, refuses unknown UPSes and bad arguments like GET does", () => {
  const { send } = session(serverOf([upsOf("rack")]))
  assert.equal(send("NUTCTL PUSH rack"), "OK PUSH 1")
  assert.equal(send("nutctl push RACK"), "OK PUSH 1", "words are case-insensitive, like every NUT command")
  assert.equal(send("NUTCTL PUSH nope"), "ERR UNKNOWN-UPS")
  assert.equal(send("NUTCTL PUSH"), "ERR INVALID-ARGUMENT")
  assert.equal(send("NUTCTL PUSH rack extra"), "ERR INVALID-ARGUMENT")
  assert.equal(send("NUTCTL PULL rack"), "ERR INVALID-ARGUMENT")
})

test("NUTCTL PUSH pushes each status change once, with the FSD latch, coalescing one driver update", async () => {
  const ups = upsOf("rack")
  const server = serverOf([ups])
  const watcher = session(server)
  const plain = session(server)
  assert.equal(watcher.send("NUTCTL PUSH Rack"), "OK PUSH 1")
  ups.state.setInfo("ups.status", "OB")
  ups.state.setInfo("battery.charge", "40") // not status: nothing
  ups.state.setInfo("ups.status", "OB LB") // same driver update as OB: one line
  await tick()
  assert.deepEqual(watcher.pushed, ['NUTCTL PUSH Rack STATUS "OB LB"\n'], "the client's spelling, the latest value")
  ups.state.setInfo("battery.charge", "39")
  await tick()
  ups.state.setFsd()
  await tick()
  ups.state.setFsd()
  await tick()
  assert.deepEqual(watcher.pushed.slice(1), ['NUTCTL PUSH Rack STATUS "FSD OB LB"\n'])
  assert.deepEqual(plain.pushed, [], "a connection that did not opt in never gets a line it did not ask for")
})

test("NUTCTL PUSH pushes what a poll would get when the data goes stale or the driver goes away", async () => {
  let now = 1_000_000
  const ups = upsOf("rack", () => now)
  const { send, pushed } = session(serverOf([ups], () => now))
  send("NUTCTL PUSH rack")
  now += 15_001
  ups.state.checkAvailability() // what the server's sweep does every 2 s
  await tick()
  ups.state.heartbeat()
  await tick()
  ups.state.setInfo("ups.status", "OL ALARM")
  ups.state.setInfo("ups.alarm", "Replace battery!")
  await tick()
  ups.state.markDisconnected()
  await tick()
  assert.deepEqual(pushed, [
    "NUTCTL PUSH rack ERR DATA-STALE\n",
    'NUTCTL PUSH rack STATUS "OL"\n',
    'NUTCTL PUSH rack STATUS "OL ALARM" "Replace battery!"\n',
    "NUTCTL PUSH rack ERR DRIVER-NOT-CONNECTED\n",
  ])
})

test("a closed session stops pushing", async () => {
  const ups = upsOf("rack")
  const { send, pushed, session: s } = session(serverOf([ups]))
  send("NUTCTL PUSH rack")
  s.close()
  ups.state.setInfo("ups.status", "OB")
  await tick()
  assert.deepEqual(pushed, [])
})

test("NutServer pushes over TCP between replies, and only to the connection that asked", async () => {
  const ups = upsOf("rack")
  const server = serverOf([ups])
  const [addr] = await server.listen()
  const watcher = await LineClient.open(addr?.port ?? 0)
  const plain = await LineClient.open(addr?.port ?? 0)
  const admin = await LineClient.open(addr?.port ?? 0)
  try {
    assert.equal(await watcher.request("NUTCTL PUSH rack"), "OK PUSH 1")
    assert.equal(await plain.request("GET VAR rack ups.status"), 'VAR rack ups.status "OL"')
    assert.equal(await admin.request("USERNAME admin"), "OK")
    assert.equal(await admin.request("PASSWORD pw"), "OK")
    assert.equal(await admin.request("FSD rack"), "OK FSD-SET")
    assert.equal(await watcher.line(), 'NUTCTL PUSH rack STATUS "FSD OL"')
    assert.equal(await watcher.request("GET VAR rack ups.status"), 'VAR rack ups.status "FSD OL"')
    // the plain client's next line is the reply to its own next request, nothing else
    assert.equal(await plain.request("GET VAR rack ups.status"), 'VAR rack ups.status "FSD OL"')
  } finally {
    for (const c of [watcher, plain, admin]) c.close()
    await server.close()
  }
})

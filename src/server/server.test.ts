import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { UpsState, type WriteResult } from "../ups/index.ts"
import { fixturePath } from "../../test/support/fixture.ts"
import { LineClient } from "../../test/support/line-client.ts"
import { DEFAULT_SERVER_SETTINGS, NutServer, RequestStream, type ServedUps, type ServerSettings, type UserRecord } from "./index.ts"

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const admin: UserRecord = { name: "admin", password: "pw", actions: new Set(["set", "fsd"]), instcmds: new Set(["all"]) }
const mon: UserRecord = { name: "mon", password: "pw", actions: new Set(["login"]), instcmds: new Set() }

function fakeUps(name: string, now: () => number, results: { set?: WriteResult; cmd?: WriteResult } = {}) {
  const state = new UpsState({ now, maxAgeMs: 15_000 })
  const writes: string[] = []
  state.markConnected({
    async setvar(n, v) {
      writes.push(`SET ${n} ${v}`)
      return results.set ?? "SUCCESS"
    },
    async instcmd(c, p) {
      writes.push(`INSTCMD ${c}${p === undefined ? "" : " " + p}`)
      return results.cmd ?? "SUCCESS"
    },
  })
  state.setInfo("ups.status", "OL")
  state.setInfo("input.sensitivity", "medium")
  state.setFlags("input.sensitivity", ["RW", "STRING"])
  state.setAux("input.sensitivity", 10)
  for (const e of ["low", "medium", "high"]) state.addEnum("input.sensitivity", e)
  state.setInfo("battery.charge.low", "10")
  state.setFlags("battery.charge.low", ["RW"])
  state.addRange("battery.charge.low", 5, 50)
  state.setInfo("ups.id", "x")
  state.setFlags("ups.id", ["RW", "STRING"])
  state.addCmd("load.off")
  return { served: { name, desc: undefined, state } satisfies ServedUps, writes, state }
}

function sessionOf(server: NutServer) {
  const stream = new RequestStream(server.createSession())
  return (line: string) => stream.feed(new TextEncoder().encode(line + "\n")).out.trimEnd()
}

test("session answers DATA-STALE after MAXAGE of driver silence and recovers on heartbeat", () => {
  let t = 1_000_000
  const now = () => t
  const { served, state } = fakeUps("ups", now)
  const server = new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups: [served], users: [admin], log: quiet, now })
  const send = sessionOf(server)
  assert.equal(send("GET VAR ups ups.status"), 'VAR ups ups.status "OL"')
  t += 15_001
  assert.equal(send("GET VAR ups ups.status"), "ERR DATA-STALE")
  assert.equal(send("LIST VAR ups"), "ERR DATA-STALE")
  // still answered while stale (research §2.3)
  assert.equal(send("GET UPSDESC ups"), 'UPSDESC ups "Unavailable"')
  assert.match(send("LIST UPS"), /^BEGIN LIST UPS/)
  state.heartbeat()
  assert.equal(send("GET VAR ups ups.status"), 'VAR ups ups.status "OL"')
  state.setDriverStale(true)
  assert.equal(send("GET TYPE ups ups.status"), "ERR DATA-STALE")
  state.markDisconnected()
  assert.equal(send("GET VAR ups ups.status"), "ERR DRIVER-NOT-CONNECTED")
  assert.equal(send("GET VAR ups server.version"), 'VAR ups server.version "2.8.0"')
})

test("SET VAR checks RW, length, enum and range before forwarding to the driver", async () => {
  const { served, writes } = fakeUps("ups", Date.now)
  const server = new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups: [served], users: [admin, mon], log: quiet })
  const send = sessionOf(server)
  send("USERNAME admin")
  send("PASSWORD pw")
  assert.equal(send("SET VAR ups ups.status OB"), "ERR READONLY")
  assert.equal(send("SET VAR ups input.sensitivity MEDIUM"), "ERR INVALID-VALUE")
  assert.equal(send("SET VAR ups input.sensitivity extremelyhigh"), "ERR TOO-LONG")
  assert.equal(send("SET VAR ups input.sensitivity high"), "OK")
  assert.equal(send("SET VAR ups battery.charge.low 60"), "ERR INVALID-VALUE")
  assert.equal(send("SET VAR ups battery.charge.low 20"), "OK")
  assert.equal(send("SET VAR ups ups.id y"), "ERR SET-FAILED") // STRING with aux 0
  await new Promise((r) => setTimeout(r, 0))
  assert.deepEqual(writes, ["SET input.sensitivity high", "SET battery.charge.low 20"])
  const monSend = sessionOf(server)
  monSend("USERNAME mon")
  monSend("PASSWORD pw")
  assert.equal(monSend("SET VAR ups battery.charge.low 20"), "ERR ACCESS-DENIED")
  assert.equal(monSend("INSTCMD ups bogus"), "ERR CMD-NOT-SUPPORTED") // checked before rights
  assert.equal(monSend("INSTCMD ups load.off"), "ERR ACCESS-DENIED")
})

test("TRACKING reports the driver's result for SET VAR and INSTCMD", async () => {
  const { served } = fakeUps("ups", Date.now, { set: "FAILED", cmd: "SUCCESS" })
  const server = new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups: [served], users: [admin], log: quiet })
  const send = sessionOf(server)
  send("USERNAME admin")
  send("PASSWORD pw")
  assert.equal(send("SET TRACKING ON"), "OK")
  const setId = send("SET VAR ups battery.charge.low 20").replace("OK TRACKING ", "")
  const cmdId = send("INSTCMD ups load.off 5").replace("OK TRACKING ", "")
  assert.match(setId, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/)
  await new Promise((r) => setTimeout(r, 0))
  assert.equal(send(`GET TRACKING ${setId}`), "ERR FAILED")
  assert.equal(send(`GET TRACKING ${cmdId.toLowerCase()}`), "SUCCESS")
  assert.equal(send("GET TRACKING 00000000-0000-4000-8000-000000000000"), "ERR UNKNOWN")
})

test("LIST CLIENT lists logged-in clients newest first; NUMLOGINS drops on disconnect", () => {
  const { served } = fakeUps("Rack", Date.now)
  const server = new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups: [served], users: [mon], log: quiet })
  const a = server.createSession("10.0.0.1")
  const b = server.createSession("::1")
  for (const s of [a, b]) {
    s.handle(["USERNAME", "mon"])
    s.handle(["PASSWORD", "pw"])
    assert.equal(s.handle(["LOGIN", "rack"]), "OK\n")
  }
  assert.equal(server.createSession().handle(["LIST", "CLIENT", "RACK"]), "BEGIN LIST CLIENT RACK\nCLIENT Rack ::1\nCLIENT Rack 10.0.0.1\nEND LIST CLIENT RACK\n")
  b.close()
  assert.equal(server.createSession().handle(["GET", "NUMLOGINS", "rack"]), "NUMLOGINS rack 1\n")
})

test("FSD latch prefixes ups.status in GET/LIST VAR but not in LIST RW", () => {
  const { served, state } = fakeUps("ups", Date.now)
  state.setFlags("ups.status", ["RW", "STRING"])
  state.setAux("ups.status", 32)
  const server = new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups: [served], users: [admin], log: quiet })
  const send = sessionOf(server)
  send("USERNAME admin")
  send("PASSWORD pw")
  assert.equal(send("FSD ups"), "OK FSD-SET")
  state.setInfo("ups.status", "OB LB")
  assert.equal(send("GET VAR ups ups.status"), 'VAR ups ups.status "FSD OB LB"')
  assert.match(send("LIST VAR ups"), /VAR ups ups.status "FSD OB LB"/)
  assert.match(send("LIST RW ups"), /RW ups ups.status "OB LB"/)
})

async function listening(settings: Partial<ServerSettings>, extra: { idleTimeoutMs?: number; sweepMs?: number } = {}) {
  const { served } = fakeUps("ups", Date.now)
  const server = new NutServer({
    settings: { ...DEFAULT_SERVER_SETTINGS, listen: [{ host: "127.0.0.1", port: 0 }], ...settings },
    ups: [served],
    users: [admin],
    log: quiet,
    ...extra,
  })
  const [addr] = await server.listen()
  return { server, port: addr?.port ?? 0 }
}

test("NutServer upgrades to TLS on STARTTLS and refuses a second one", async () => {
  const pem = (f: string) => readFileSync(fixturePath(`tls/${f}`), "utf8")
  const { server, port } = await listening({ tls: { cert: pem("cert.pem"), key: pem("key.pem") } })
  try {
    const c = await LineClient.open(port)
    assert.equal(await c.request("STARTTLS"), "OK STARTTLS")
    await c.startTls(pem("cert.pem"))
    assert.equal(await c.request("GET VAR ups ups.status"), 'VAR ups ups.status "OL"')
    assert.equal(await c.request("STARTTLS"), "ERR ALREADY-SSL-MODE")
    c.close()
  } finally {
    await server.close()
  }
})

test("NutServer closes after LOGOUT and drops idle clients silently", async () => {
  const { server, port } = await listening({}, { idleTimeoutMs: 50, sweepMs: 20 })
  try {
    const a = await LineClient.open(port)
    assert.equal(await a.request("LOGOUT"), "OK Goodbye")
    await a.eof()
    const idle = await LineClient.open(port)
    await idle.eof() // closed by the idle sweep without a word
    assert.equal(await idle.line(), undefined)
  } finally {
    await server.close()
  }
})

test("NutServer refuses clients outside server.allow and serves those inside", async () => {
  const denied = await listening({ allow: ["10.0.0.0/8", "fd00::/8"] })
  const allowed = await listening({ allow: ["127.0.0.0/8"] })
  try {
    const c = await LineClient.open(denied.port)
    await c.eof()
    const ok = await LineClient.open(allowed.port)
    assert.equal(await ok.request("NETVER"), "1.3")
    ok.close()
  } finally {
    await denied.server.close()
    await allowed.server.close()
  }
})

test("NutServer keeps a connection usable after garbage and answers pipelined requests in order", async () => {
  const { server, port } = await listening({})
  try {
    const c = await LineClient.open(port)
    c.write("\x00\x01\xff\xfe\n" + "x".repeat(5000) + "\nVER\nNETVER\n")
    assert.equal(await c.line(), "ERR UNKNOWN-COMMAND")
    assert.equal(await c.line(), "ERR UNKNOWN-COMMAND")
    assert.equal(await c.line(), "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/")
    assert.equal(await c.line(), "1.3")
    c.close()
  } finally {
    await server.close()
  }
})

test("NutServer.reload() applies users, allowed networks and MAXAGE at once and names what needs a restart", async () => {
  const { server, port } = await listening({})
  try {
    const kept = await LineClient.open(port)
    const other: UserRecord = { name: "ops", password: "pw2", actions: new Set(["fsd"]), instcmds: new Set() }
    const settings = { ...DEFAULT_SERVER_SETTINGS, listen: [{ host: "127.0.0.1", port: 0 }], allow: ["10.0.0.0/8"], maxAge: 1 }
    const notes = server.reload({ settings: { ...settings, listen: [{ host: "::1", port: 3493 }] }, users: [other] })
    assert.deepEqual(notes, { changed: ["1 user(s)", "allowed networks: 10.0.0.0/8", "MAXAGE 1"], restart: ["LISTEN [::1]:3493"] })
    // the connected client stays; its new commands see the new users
    assert.equal(await kept.request("USERNAME admin"), "OK")
    assert.equal(await kept.request("PASSWORD pw"), "OK")
    assert.equal(await kept.request("FSD ups"), "ERR ACCESS-DENIED")
    // 127.0.0.1 is no longer allowed to connect
    const refused = await LineClient.open(port)
    await refused.eof()
    // MAXAGE is the served states' (UpsState tests cover what it does on a clock)
    assert.equal(server.context.upsList()[0]?.state.maxAgeMs, 1000)
    kept.close()
    assert.throws(() => server.reload({ settings: { ...settings, allow: ["not-a-network"] }, users: [] }))
  } finally {
    await server.close()
  }
})

test("NutServer.replaceUps() serves a new list at once: kept replies are dropped, a gone UPS is unknown and loses its logins", async () => {
  const { server, port } = await listening({})
  try {
    const ups = server.context.upsList()[0]!
    server.context.users.replace([admin, mon])
    const c = await LineClient.open(port)
    // twice: the second answer comes from the request cache
    assert.equal(await c.request("GET UPSDESC ups"), 'UPSDESC ups "Unavailable"')
    assert.equal(await c.request("GET UPSDESC ups"), 'UPSDESC ups "Unavailable"')
    assert.equal(await c.request("USERNAME mon"), "OK")
    assert.equal(await c.request("PASSWORD pw"), "OK")
    assert.equal(await c.request("LOGIN ups"), "OK")
    assert.equal(await c.request("GET NUMLOGINS ups"), "NUMLOGINS ups 1")

    // a reload gives it a description and adds a second UPS
    const { served: office } = fakeUps("office", Date.now)
    ups.desc = "Rack"
    server.replaceUps([ups, office])
    assert.equal(await c.request("GET UPSDESC ups"), 'UPSDESC ups "Rack"', "not the kept reply")
    assert.deepEqual(await c.list("LIST UPS"), ["BEGIN LIST UPS", 'UPS ups "Rack"', 'UPS office "Description unavailable"', "END LIST UPS"])
    assert.equal(await c.request("GET NUMLOGINS ups"), "NUMLOGINS ups 1", "a kept UPS keeps its logins")

    // the next reload drops it: requests get UNKNOWN-UPS even on a line the cache knew
    server.replaceUps([office])
    assert.equal(await c.request("GET UPSDESC ups"), "ERR UNKNOWN-UPS")
    assert.equal(await c.request("GET VAR office ups.status"), 'VAR office ups.status "OL"')
    // back again (the same object): its old login is gone
    server.replaceUps([ups, office])
    assert.equal(await c.request("GET NUMLOGINS ups"), "NUMLOGINS ups 0")
    c.close()
  } finally {
    await server.close()
  }
})

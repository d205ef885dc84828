import assert from "node:assert/strict"
import { test } from "node:test"
import { fixture } from "../../test/support/fixture.ts"
import { NutError, Tokenizer } from "../protocol/index.ts"
import { NutClientError } from "./errors.ts"
import { NutClient } from "./nut-client.ts"
import { createScriptedServer, type ScriptedAnswer } from "./scripted-server.ts"
import type { ClientClock } from "./types.ts"

// ----- recorded upsd replies (fixtures/nut-wire, format in its README) -----

/** Python `b'…'` literal → text. */
function pyBytes(literal: string): string {
  const body = literal.slice(2, -1)
  return body.replace(/\\(x[0-9a-f]{2}|.)/g, (_, e: string) =>
    e.startsWith("x") ? String.fromCharCode(Number.parseInt(e.slice(1), 16)) : ({ n: "\n", r: "\r", t: "\t" } as Record<string, string>)[e] ?? e,
  )
}

function words(line: string): string {
  const tok = new Tokenizer()
  for (const b of new TextEncoder().encode(line)) tok.feed(b)
  // upsd's command words and names are case-insensitive (`get var BVK UPS.STATUS`)
  return (tok.end() ?? []).join("\u0000").toLowerCase()
}

/**
 * Answers each request with the next reply recorded for the same words (so `SET VAR … 30` and
 * `SET VAR … "30"` are the same request), in transcript order.
 */
function replay(...files: string[]): ScriptedAnswer {
  const queue = new Map<string, string[][]>()
  for (const file of files) {
    let replies: string[] | undefined
    for (const line of fixture(`nut-wire/${file}`).split("\n")) {
      if (line.startsWith(">> b'")) {
        const request = pyBytes(line.slice(3)).replace(/\n$/, "")
        replies = []
        const key = words(request)
        queue.set(key, [...(queue.get(key) ?? []), replies])
      } else if (line.startsWith("  < b'") && replies) replies.push(pyBytes(line.slice(4)))
    }
  }
  return (line) => {
    const next = queue.get(words(line))?.shift()
    if (!next && line === "LOGOUT") return "OK Goodbye"
    if (!next) throw new Error(`no recorded reply for ${line}`)
    return next
  }
}

function manualClock(): ClientClock & { slept: number[] } {
  let t = 0
  const slept: number[] = []
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms)
      t += ms
    },
  }
}

async function connect(answer: ScriptedAnswer, options: { clock?: ClientClock; tls?: "off" | "try" | "require" } = {}) {
  const server = createScriptedServer(answer)
  const client = await NutClient.connect({ host: "127.0.0.1", port: 3493, dialer: server.dialer, ...options })
  return { server, client }
}

const isNutError = (code: string) => (e: unknown) => e instanceof NutError && e.code === code
const isClientError = (code: string) => (e: unknown) => e instanceof NutClientError && e.code === code

// ----- tests -----

test("NutClient reads every GET and LIST form from recorded upsd replies", async () => {
  const { client } = await connect(replay("01-anonymous-get-list.txt"))
  assert.equal(await client.ver(), "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/")
  assert.equal(await client.netver(), "1.3")
  assert.equal(await client.getVar("bvk", "ups.status"), "OL")
  assert.equal(await client.getVar("BVK", "UPS.STATUS"), "OL")
  assert.equal(await client.getVar("flip", "ups.desc"), 'quote"and#hash')
  assert.deepEqual((await client.getType("bvk", "ups.status")).words, ["RW", "STRING:32"])
  assert.equal(await client.getDesc("bvk", "ups.status"), "UPS status")
  assert.equal(await client.getCmdDesc("bvk", "beeper.enable"), "Enable the UPS beeper")
  assert.equal(await client.getUpsDesc("bvk"), 'APC Back-UPS "BVK" #1')
  assert.equal(await client.getUpsDesc("flip"), "Unavailable")
  assert.equal(await client.getNumLogins("bvk"), 0)
  assert.equal(await client.getTrackingMode(), false)
  assert.deepEqual(await client.listUps(), [
    { name: "bvk", desc: 'APC Back-UPS "BVK" #1' },
    { name: "flip", desc: "Description unavailable" },
    { name: "nodrv", desc: "never started" },
    { name: "crit", desc: "crit test" },
  ])
  assert.deepEqual(await client.listCmd("bvk"), ["load.off"])
  const rw = await client.listRw("bvk")
  assert.equal(rw.length, 32)
  assert.deepEqual(rw[0], { name: "battery.charge", value: "100" })
  assert.deepEqual(await client.listEnum("bvk", "ups.status"), [])
  assert.deepEqual(await client.listRange("bvk", "ups.status"), [])
  assert.deepEqual(await client.listClient("bvk"), [])
  const flip = await client.listVar("flip")
  assert.deepEqual(flip.find((v) => v.name === "ups.desc"), { name: "ups.desc", value: 'quote"and#hash' })
  client.close()
})

test("NutClient throws NutError with upsd's code for refusals", async () => {
  const { client } = await connect(replay("01-anonymous-get-list.txt"))
  await assert.rejects(client.getVar("bvk", "ups.bogus"), isNutError("VAR-NOT-SUPPORTED"))
  await assert.rejects(client.getVar("nosuch", "ups.status"), isNutError("UNKNOWN-UPS"))
  await assert.rejects(client.getVar("nodrv", "ups.status"), isNutError("DRIVER-NOT-CONNECTED"))
  await assert.rejects(client.listVar("nodrv"), isNutError("DRIVER-NOT-CONNECTED"))
  await assert.rejects(client.getTracking("abc"), isNutError("FEATURE-NOT-CONFIGURED"))
  // the session survives refusals
  assert.equal(await client.getVar("bvk", "ups.status"), "OL")
  client.close()
})

test("NutClient logs in like upsmon and counts logins", async () => {
  const { client, server } = await connect(replay("02-auth-upsmon-secondary.txt"))
  await assert.rejects(client.login("bvk"), isNutError("USERNAME-REQUIRED"))
  await client.password("secpass")
  await assert.rejects(client.login("bvk"), isNutError("USERNAME-REQUIRED"))
  await client.username("monsec")
  await assert.rejects(client.username("again"), isNutError("ALREADY-SET-USERNAME"))
  await client.login("bvk")
  await assert.rejects(client.login("bvk"), isNutError("ALREADY-LOGGED-IN"))
  assert.equal(await client.getNumLogins("bvk"), 1)
  assert.deepEqual(await client.listClient("bvk"), ["127.0.0.1"])
  // a secondary may not PRIMARY; MASTER is tried too, as upsmon does
  await assert.rejects(client.primary("bvk"), isNutError("ACCESS-DENIED"))
  assert.deepEqual(server.requests.slice(-2), ["PRIMARY bvk", "MASTER bvk"])
  client.close()
})

test("NutClient.primary() falls back to MASTER for NUT 2.7 servers", async () => {
  const { client } = await connect((line) => (line.startsWith("PRIMARY") ? "ERR UNKNOWN-COMMAND" : line.startsWith("MASTER") ? "OK" : "OK"))
  assert.equal(await client.primary("ups"), "MASTER")
  client.close()
})

test("NutClient.setVar() quotes the value like upsrw and returns OK without tracking", async () => {
  const { client, server } = await connect(() => "OK")
  assert.deepEqual(await client.setVar("bvk", "ups.id", 'a "b" #c'), { result: "OK" })
  assert.equal(server.requests.at(-1), 'SET VAR bvk ups.id "a \\"b\\" \\#c"')
  client.close()
})

test("NutClient.instcmd() with tracking polls GET TRACKING once a second until a result", async () => {
  const id = "98C489FD-821C-4132-9D93-4F6590B55E63"
  let polls = 0
  const clock = manualClock()
  const { client, server } = await connect((line) => {
    if (line === "SET TRACKING ON") return "OK"
    if (line.startsWith("INSTCMD")) return `OK TRACKING ${id}`
    if (line === `GET TRACKING ${id}`) return ++polls < 3 ? "PENDING" : "SUCCESS"
    return "ERR UNKNOWN-COMMAND"
  }, { clock })
  assert.deepEqual(await client.instcmd("bvk", "load.off.delay", "30", { track: true }), { result: "SUCCESS", trackingId: id })
  assert.deepEqual(server.requests, ["SET TRACKING ON", "INSTCMD bvk load.off.delay 30", `GET TRACKING ${id}`, `GET TRACKING ${id}`, `GET TRACKING ${id}`])
  assert.deepEqual(clock.slept, [1000, 1000])
  // tracking stays on for the connection: no second SET TRACKING
  polls = 3
  await client.instcmd("bvk", "beeper.disable", undefined, { track: true })
  assert.equal(server.requests.filter((r) => r === "SET TRACKING ON").length, 1)
  client.close()
})

test("NutClient.setVar() with tracking gives up as PENDING after waitMs", async () => {
  const id = "2DDC5036-F665-4D29-BE4C-0374D091D263"
  const clock = manualClock()
  const { client } = await connect((line) => (line.startsWith("SET VAR") ? `OK TRACKING ${id}` : line.startsWith("GET TRACKING") ? "PENDING" : "OK"), { clock })
  assert.deepEqual(await client.setVar("bvk", "ups.delay.shutdown", "40", { track: true, waitMs: 2500 }), { result: "PENDING", trackingId: id })
  assert.deepEqual(clock.slept, [1000, 1000, 500])
  client.close()
})

test("NutClient write results map ERR FAILED / UNKNOWN / INVALID-ARGUMENT", async () => {
  for (const [reply, result] of [["ERR FAILED", "FAILED"], ["ERR UNKNOWN", "UNKNOWN"], ["ERR INVALID-ARGUMENT", "INVALID-ARGUMENT"]] as const) {
    const { client } = await connect((line) => (line.startsWith("INSTCMD") ? "OK TRACKING 59DF2263-3F15-4601-8786-9C36E1900437" : line.startsWith("GET TRACKING") ? reply : "OK"), {
      clock: manualClock(),
    })
    assert.equal((await client.instcmd("bvk", "load.off", undefined, { track: true })).result, result)
    client.close()
  }
})

test("NutClient writes untracked on a NUT 2.7 server that refuses SET TRACKING", async () => {
  const { client } = await connect((line) => (line === "SET TRACKING ON" ? "ERR INVALID-ARGUMENT" : "OK"))
  assert.deepEqual(await client.setVar("ups", "ups.delay.shutdown", "30", { track: true }), { result: "OK" })
  client.close()
})

test("NutClient replays the recorded admin session (SET, tracking ids, FSD)", async () => {
  const { client } = await connect(replay("03-admin-set-instcmd-tracking-fsd.txt"))
  await client.authenticate("admin", "adminpass")
  await assert.rejects(client.login("bvk"), isNutError("ACCESS-DENIED"))
  await assert.rejects(client.setVar("bvk", "ups.bogus", "1"), isNutError("VAR-NOT-SUPPORTED"))
  await assert.rejects(client.setVar("bvk", "driver.name", "foo"), isNutError("READONLY"))
  assert.deepEqual(await client.setVar("bvk", "ups.delay.shutdown", "30"), { result: "OK" })
  await assert.rejects(client.instcmd("bvk", "bogus.cmd"), isNutError("CMD-NOT-SUPPORTED"))
  await assert.rejects(client.fsd("nosuch"), isNutError("UNKNOWN-UPS"))
  await client.fsd("flip")
  assert.equal(await client.getVar("flip", "ups.status"), "FSD OL")
  client.close()
})

test("NutClient.connect() with tls try goes on in clear text after ERR FEATURE-NOT-CONFIGURED", async () => {
  const { client, server } = await connect(replay("04-parser-edge-cases.txt", "01-anonymous-get-list.txt"), { tls: "try" })
  assert.equal(client.secure, false)
  assert.equal(server.requests[0], "STARTTLS")
  assert.equal(await client.netver(), "1.3")
  client.close()
})

test("NutClient.connect() with tls require fails when the server has no TLS", async () => {
  const server = createScriptedServer(() => "ERR FEATURE-NOT-CONFIGURED")
  await assert.rejects(NutClient.connect({ host: "nut.example", dialer: server.dialer, tls: "require" }), (e: unknown) => {
    assert.ok(e instanceof NutClientError)
    assert.equal(e.code, "tls-failed")
    assert.match(e.message, /nut\.example:3493/)
    return true
  })
})

test("NutClient.connect() upgrades after OK STARTTLS", async () => {
  const server = createScriptedServer((line, session) => (line === "STARTTLS" ? "OK STARTTLS" : session.tls ? "1.3" : "ERR ACCESS-DENIED"))
  const client = await NutClient.connect({ dialer: server.dialer, tls: "require" })
  assert.equal(client.secure, true)
  assert.equal(await client.netver(), "1.3")
  client.close()
  const failing = createScriptedServer(() => "OK STARTTLS", { failTls: true })
  await assert.rejects(NutClient.connect({ dialer: failing.dialer, tls: "try" }), isClientError("tls-failed"))
})

test("NutClient.connect() reports a refused connection with host:port", async () => {
  const server = createScriptedServer(() => "OK", { refuse: true })
  await assert.rejects(NutClient.connect({ host: "::1", port: 3493, dialer: server.dialer }), (e: unknown) => {
    assert.ok(e instanceof NutClientError)
    assert.equal(e.code, "connect-failed")
    assert.match(e.message, /^Cannot connect to \[::1\]:3493: /)
    return true
  })
})

test("NutClient fails pending requests with code closed when the server hangs up", async () => {
  const { client } = await connect((line) => (line.startsWith("GET") ? "<close>" : "OK"))
  await assert.rejects(client.getVar("bvk", "ups.status"), isClientError("closed"))
  await assert.rejects(client.ver(), isClientError("closed"))
})

test("NutClient fails with code timeout when no reply comes", async () => {
  const server = createScriptedServer(() => null)
  const client = await NutClient.connect({ dialer: server.dialer, timeoutMs: 20 })
  await assert.rejects(client.ver(), (e: unknown) => e instanceof NutClientError && e.code === "timeout" && /no reply to VER/.test(e.message))
})

test("NutClient fails with code protocol on a reply that does not echo the query, and never leaks a password", async () => {
  const { client } = await connect((line) => (line.startsWith("PASSWORD") ? 'VAR x y "z"' : 'VAR bvk ups.load "38"'))
  await assert.rejects(client.getVar("bvk", "ups.status"), isClientError("protocol"))
  const second = await connect((line) => (line.startsWith("PASSWORD") ? "BEGIN LIST UPS" : "OK"))
  await assert.rejects(second.client.password("s3cret"), (e: unknown) => e instanceof NutClientError && e.code === "protocol" && !e.message.includes("s3cret"))
})

test("NutClient refuses arguments with line breaks instead of sending a second request", async () => {
  const { client, server } = await connect(() => "OK")
  await assert.rejects(client.setVar("bvk", "ups.id", "x\nFSD bvk"), isClientError("invalid-request"))
  await assert.rejects(client.instcmd("bvk", "load.off\r"), isClientError("invalid-request"))
  assert.deepEqual(server.requests, [])
  client.close()
})

test("NutClient pipelines requests and matches replies in order", async () => {
  const { client } = await connect((line) => {
    const [, , ups, name] = line.split(" ")
    return `VAR ${ups} ${name} "${name}-value"`
  })
  const values = await Promise.all(["a.b", "c.d", "e.f"].map((n) => client.getVar("ups", n)))
  assert.deepEqual(values, ["a.b-value", "c.d-value", "e.f-value"])
  client.close()
})

test("NutClient.logout() waits for OK Goodbye; close() sends LOGOUT without waiting", async () => {
  const { client, server } = await connect((line) => (line === "LOGOUT" ? "OK Goodbye" : "OK"))
  await client.logout()
  assert.equal(server.clientClosed, true)
  await assert.rejects(client.ver(), isClientError("closed"))
  const other = await connect(() => "OK Goodbye")
  other.client.close()
  assert.deepEqual(other.server.requests, ["LOGOUT"])
})

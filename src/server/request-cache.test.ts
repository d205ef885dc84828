// The request cache must be invisible: the same words as the tokenizer for every line it takes,
// and, under any mix of state changes, staleness and requests, the same bytes as a server that
// runs every request afresh.
import { test } from "node:test"
import assert from "node:assert/strict"
import { Tokenizer } from "../protocol/index.ts"
import { UpsState } from "../ups/index.ts"
import { MAX_CACHED_LINES, RequestCache } from "./request-cache.ts"
import { DEFAULT_SERVER_SETTINGS, NutServer, RequestStream } from "./index.ts"
import { mulberry32 } from "../../test/support/prng.ts"

const enc = (s: string) => new TextEncoder().encode(s)

function tokenize(line: string): string[] {
  const t = new Tokenizer()
  for (const b of enc(line + "\n")) if (t.feed(b) === "line") return t.takeLine()
  throw new Error("no line")
}

test("RequestCache.line() splits plain lines exactly as the tokenizer does", () => {
  const rnd = mulberry32(7)
  const alphabet = "abcXYZ.09_-:;!$%&'()*+,/<>?@[]^`{|}~ \t\r\v\f"
  const cache = new RequestCache()
  for (let n = 0; n < 5000; n++) {
    const len = Math.floor(rnd() * 60)
    let line = ""
    for (let i = 0; i < len; i++) line += alphabet[Math.floor(rnd() * alphabet.length)]
    const bytes = enc(line)
    const cached = cache.line(bytes, 0, bytes.length)
    assert.ok(cached, `plain line refused: ${JSON.stringify(line)}`)
    assert.deepEqual(cached.words, tokenize(line), JSON.stringify(line))
  }
})

test("RequestCache.line() leaves quotes, escapes, comments, '=', control and 8-bit bytes to the tokenizer", () => {
  const cache = new RequestCache()
  for (const line of ['SET VAR ups x "a b"', "GET VAR ups a\\ b", "GET VAR ups x # c", "a=b", "GET\x01VAR", "GET VAR ups \xe9t\xe9"]) {
    const bytes = Uint8Array.from(line, (c) => c.charCodeAt(0))
    assert.equal(cache.line(bytes, 0, bytes.length), undefined, JSON.stringify(line))
  }
  assert.equal(cache.line(enc("x".repeat(201)), 0, 201), undefined)
})

test("RequestCache.line() keeps 32 words, confirms hits byte for byte and stays bounded", () => {
  const cache = new RequestCache()
  const many = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ")
  assert.equal(cache.line(enc(many), 0, many.length)?.words.length, 32)
  const a = enc("GET VAR ups ups.status")
  assert.equal(cache.line(a, 0, a.length), cache.line(enc("GET VAR ups ups.status"), 0, a.length))
  // two lines with the same FNV-1a hash: the second is not handed the first one's words
  const first = enc("GET VAR ups v907888")
  const second = enc("GET VAR ups v1340796")
  assert.equal(cache.line(first, 0, first.length)?.words[3], "v907888")
  assert.equal(cache.line(second, 0, second.length)?.words[3], "v1340796")
  for (let i = 0; i < MAX_CACHED_LINES + 10; i++) {
    const l = enc(`GET VAR ups v${i}`)
    cache.line(l, 0, l.length)
  }
  assert.ok(cache.size <= MAX_CACHED_LINES)
})

/** A served UPS with a driver stand-in, on a clock the test moves. */
function fixtureUps(clock: { t: number }) {
  const state = new UpsState({ now: () => clock.t, maxAgeMs: 15_000 })
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  state.setInfo("ups.status", "OL")
  state.setInfo("battery.charge", "100")
  state.setInfo("input.transfer.low", "170")
  state.setFlags("input.transfer.low", ["RW", "STRING"])
  state.setAux("input.transfer.low", 5)
  state.addEnum("input.transfer.low", "160")
  state.addCmd("test.battery.start.quick")
  return state
}

const REQUESTS = [
  "GET VAR ups ups.status",
  "get var UPS Ups.Status",
  "GET VAR ups battery.charge",
  "GET VAR ups battery.runtime",
  "GET TYPE ups input.transfer.low",
  "GET DESC ups battery.charge",
  "GET CMDDESC ups test.battery.start.quick",
  "GET UPSDESC ups",
  "GET NUMLOGINS ups",
  "LIST VAR ups",
  "LIST RW ups",
  "LIST CMD ups",
  "LIST ENUM ups input.transfer.low",
  "LIST RANGE ups input.transfer.low",
  "LIST UPS",
  "LIST CLIENT ups",
  "GET VAR nope ups.status",
  "GET VAR ups",
  "FROB",
  "",
  "  GET   VAR\tups ups.status  ",
  "USERNAME admin",
  'GET VAR ups "ups.status"',
]

test("a caching server answers every request as a server without the cache, whatever the state does", () => {
  const rnd = mulberry32(42)
  const clock = { t: 1_000_000 }
  const state = fixtureUps(clock)
  const served = [{ name: "ups", desc: "rack UPS", state }]
  const quiet = { debug() {}, info() {}, warn() {}, error() {} }
  const cached = new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups: served, users: [], log: quiet, now: () => clock.t })
  const plain = new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups: served, users: [], log: quiet, now: () => clock.t, cacheRequests: false })
  const streams = [0, 1, 2].map(() => ({ cached: new RequestStream(cached.createSession()), plain: new RequestStream(plain.createSession()) }))
  const changes: Array<() => void> = [
    () => state.setInfo("ups.status", rnd() < 0.5 ? "OB DISCHRG" : "OL"),
    () => state.setInfo("battery.charge", String(Math.floor(rnd() * 100))),
    () => state.setInfo("battery.runtime", String(Math.floor(rnd() * 3000))),
    () => state.delInfo("battery.runtime"),
    () => state.setFlags("input.transfer.low", rnd() < 0.5 ? ["RW", "STRING"] : ["NUMBER"]),
    () => state.addEnum("input.transfer.low", String(150 + Math.floor(rnd() * 5))),
    () => state.delEnum("input.transfer.low", "160"),
    () => state.addRange("input.transfer.low", 150, 180),
    () => state.addCmd("beeper.toggle"),
    () => state.delCmd("test.battery.start.quick"),
    () => (rnd() < 0.5 ? state.setFsd() : state.clearFsd()),
    () => (clock.t += rnd() < 0.5 ? 20_000 : 1_000), // past MAXAGE, or not
    () => state.heartbeat(),
    () => state.setDriverStale(rnd() < 0.5),
    () => state.markDisconnected(),
    () => {
      state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
      state.setInfo("ups.status", "OL")
    },
  ]
  for (let step = 0; step < 20_000; step++) {
    if (rnd() < 0.15) (changes[Math.floor(rnd() * changes.length)] as () => void)()
    const s = streams[Math.floor(rnd() * streams.length)] as (typeof streams)[number]
    // one request per read, or a few in one read (mixing plain and tokenized lines)
    const n = rnd() < 0.8 ? 1 : 2 + Math.floor(rnd() * 3)
    const lines = Array.from({ length: n }, () => REQUESTS[Math.floor(rnd() * REQUESTS.length)] as string)
    const bytes = enc(lines.map((l) => l + "\n").join(""))
    assert.equal(s.cached.process(bytes), s.plain.process(bytes), `step ${step}: ${JSON.stringify(lines)}`)
  }
  assert.ok((cached.context.requestCache?.size ?? 0) > 0)
})

test("RequestStream answers the rest of a read after LOGOUT, plain lines and tokenized ones alike", () => {
  const clock = { t: 0 }
  const state = fixtureUps(clock)
  const server = new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups: [{ name: "ups", desc: undefined, state }], users: [], log: { debug() {}, info() {}, warn() {}, error() {} }, now: () => clock.t })
  const stream = new RequestStream(server.createSession())
  const out = stream.process(enc('GET VAR ups ups.status\nLOGOUT\nGET VAR ups "battery.charge"\nVER\n'))
  assert.equal(out, 'VAR ups ups.status "OL"\nOK Goodbye\nVAR ups battery.charge "100"\nNetwork UPS Tools upsd 2.8.0 - http://www.networkupstools.org/\n')
  assert.equal(stream.action, "close")
  assert.equal(stream.process(enc("VER\n")), "")
})

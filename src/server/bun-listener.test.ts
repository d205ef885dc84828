// BunConnection against a stand-in for Bun's socket (write returns how many bytes it took, the
// rest is ours to resend on drain): every reply byte arrives, in order, whether Bun takes a string
// or the kept bytes of a repeated reply, and whatever the kernel accepts per write.
import { test } from "node:test"
import assert from "node:assert/strict"
import { UpsState } from "../ups/index.ts"
import { BunConnection } from "./bun-listener.ts"
import { DEFAULT_SERVER_SETTINGS, NutServer } from "./index.ts"

const enc = new TextEncoder()

/** Takes at most `room` bytes per write, like a full socket buffer. */
function fakeSocket(room: () => number) {
  const received: number[] = []
  let ended = false
  return {
    received,
    ended: () => ended,
    socket: {
      remoteAddress: "127.0.0.1",
      data: undefined,
      write(data: Uint8Array | string): number {
        const bytes = typeof data === "string" ? enc.encode(data) : data
        const n = Math.min(bytes.length, room())
        received.push(...bytes.subarray(0, n))
        return n
      },
      end() {
        ended = true
      },
    },
  }
}

function served() {
  const state = new UpsState()
  state.markConnected({ setvar: async () => "UNKNOWN", instcmd: async () => "UNKNOWN" })
  state.setInfo("ups.status", "OL")
  state.setInfo("ups.id", "Ünterschrank ✓")
  const quiet = { debug() {}, info() {}, warn() {}, error() {} }
  return new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups: [{ name: "ups", desc: undefined, state }], users: [], log: quiet })
}

for (const [label, room] of [
  ["takes everything", () => 1 << 20],
  ["takes 7 bytes per write", () => 7],
  ["takes 0–9 bytes per write", (() => {
    let i = 0
    return () => i++ % 10
  })()],
] as const) {
  test(`BunConnection delivers every reply byte when the socket ${label}`, () => {
    const server = served()
    const fake = fakeSocket(room)
    const conn = new BunConnection({ socket: fake.socket, session: server.createSession(), now: () => 0, warn: () => {}, onClose: () => {} })
    const requests = ["GET VAR ups ups.status", "GET VAR ups ups.status", "GET VAR ups ups.id", "GET VAR ups ups.id", "GET VAR ups ups.status", "LIST VAR ups", "LIST VAR ups"]
    let expected = ""
    const oracle = server.createSession()
    for (const r of requests) {
      conn.onData(enc.encode(r + "\n"))
      for (let i = 0; i < 50; i++) conn.onDrain()
      expected += oracle.handle(r.split(" "))
    }
    conn.onData(enc.encode("LOGOUT\n"))
    for (let i = 0; i < 50; i++) conn.onDrain()
    assert.equal(new TextDecoder().decode(Uint8Array.from(fake.received)), expected + "OK Goodbye\n")
    assert.equal(fake.ended(), true)
  })
}

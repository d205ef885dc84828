// The NUT server over a real socket in whichever runtime runs this file: node:net under Node and
// Deno, Bun.listen under Bun (src/server/bun-listener.ts, the path the shipped binary takes).
// .ci/run runs it under all three, on 127.0.0.1 only.
import { test } from "node:test"
import assert from "node:assert/strict"
import { createConnection, type Socket } from "node:net"
import { UpsState } from "../../src/ups/index.ts"
import { DEFAULT_SERVER_SETTINGS, NutServer } from "../../src/server/index.ts"

/** A line client on node:net: send a request, read reply lines until `done` says so. */
async function open(port: number) {
  const socket: Socket = createConnection({ host: "127.0.0.1", port })
  await new Promise<void>((resolve, reject) => socket.once("connect", () => resolve()).once("error", reject))
  let buffered = ""
  let closed = false
  const waiters: Array<() => void> = []
  socket.setEncoding("utf8")
  socket.on("data", (d: string) => {
    buffered += d
    waiters.splice(0).forEach((w) => w())
  })
  socket.on("close", () => {
    closed = true
    waiters.splice(0).forEach((w) => w())
  })
  const until = async (done: (text: string) => boolean): Promise<string> => {
    while (!done(buffered) && !closed) await new Promise<void>((r) => waiters.push(r))
    const text = buffered
    buffered = ""
    return text
  }
  return {
    request: (line: string, lines = 1) => {
      socket.write(line + "\n")
      return until((t) => t.split("\n").length > lines)
    },
    list: (line: string) => {
      socket.write(line + "\n")
      return until((t) => /^END LIST .*\n$/m.test(t) || t.startsWith("ERR "))
    },
    closed: () => until(() => false).then(() => closed),
  }
}

test("NutServer answers GET, repeated GET, LIST and LOGOUT over a socket in this runtime", async () => {
  const state = new UpsState()
  state.markConnected({ setvar: async () => "UNKNOWN", instcmd: async () => "UNKNOWN" })
  state.setInfo("ups.status", "OL")
  state.setInfo("battery.charge", "100")
  const quiet = { debug() {}, info() {}, warn() {}, error() {} }
  const server = new NutServer({ settings: { ...DEFAULT_SERVER_SETTINGS, listen: [{ host: "127.0.0.1", port: 0 }] }, ups: [{ name: "ups", desc: "rack", state }], users: [], log: quiet })
  const [bound] = await server.listen()
  try {
    const c = await open(bound?.port as number)
    // the same request three times: the second and third replies come from the request cache
    for (let i = 0; i < 3; i++) assert.equal(await c.request("GET VAR ups ups.status"), 'VAR ups ups.status "OL"\n')
    state.setInfo("ups.status", "OB DISCHRG")
    assert.equal(await c.request("GET VAR ups ups.status"), 'VAR ups ups.status "OB DISCHRG"\n')
    assert.equal(await c.request('GET VAR ups "battery.charge"'), 'VAR ups battery.charge "100"\n')
    assert.equal(await c.list("LIST VAR ups"), 'BEGIN LIST VAR ups\nVAR ups battery.charge "100"\nVAR ups ups.status "OB DISCHRG"\nEND LIST VAR ups\n')
    assert.equal(await c.request("GET VAR ups"), "ERR INVALID-ARGUMENT\n")
    assert.equal(await c.request("LOGOUT"), "OK Goodbye\n")
    assert.equal(await c.closed(), true)
  } finally {
    await server.close()
  }
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { UpsState, type UpsWriter, type WriteResult } from "../../ups/index.ts"
import { DriverSocketServer } from "./driver-socket-server.ts"
import { settle } from "./manual-timers.ts"
import { MemorySocketNetwork } from "./memory-socket.ts"
import type { SocketLink } from "./types.ts"

const PATH = "/run/nut/dummy-ups-rack"

/** A scripted upsd connection: records every line the driver sends. */
async function connectUpsd(net: MemorySocketNetwork): Promise<{ lines: string[]; link: SocketLink; send(text: string): void; take(): string[] }> {
  const lines: string[] = []
  let buf = ""
  const link = await net.connect(PATH, {
    onData(bytes) {
      buf += new TextDecoder().decode(bytes)
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        lines.push(buf.slice(0, i))
        buf = buf.slice(i + 1)
      }
    },
    onClose() {},
  })
  return {
    lines,
    link,
    send: (text) => link.write(text),
    take: () => lines.splice(0),
  }
}

/** A writer that records SET/INSTCMD and answers from a table. */
function recordingWriter(answer: WriteResult = "SUCCESS"): UpsWriter & { calls: string[] } {
  const calls: string[] = []
  return {
    calls,
    async setvar(name, value) {
      calls.push(`setvar ${name}=${value}`)
      return answer
    },
    async instcmd(name, param) {
      calls.push(param === undefined ? `instcmd ${name}` : `instcmd ${name} ${param}`)
      return answer
    },
  }
}

async function setup(writer: UpsWriter = recordingWriter()) {
  let now = 1_000_000
  const state = new UpsState({ maxAgeMs: 15_000, now: () => now })
  // what dummy-ups 2.8.0 answered to DUMPALL in a live probe, in a different insertion order
  state.setInfo("ups.status", "OL CHRG")
  state.setFlags("ups.status", ["RW", "STRING"])
  state.setAux("ups.status", 32)
  state.setInfo("battery.charge", "50")
  state.setFlags("battery.charge", ["RW"])
  state.setInfo("ups.model", 'a"b\\c#d')
  state.setAux("ups.model", 32)
  state.setFlags("ups.model", ["RW", "STRING"])
  state.setInfo("input.sensitivity", "medium")
  state.addEnum("input.sensitivity", "low")
  state.addEnum("input.sensitivity", "medium")
  state.setInfo("battery.charge.low", "10")
  state.addRange("battery.charge.low", 5, 50)
  state.addCmd("load.off")
  state.addCmd("beeper.on")
  state.markConnected(writer)
  const net = new MemorySocketNetwork()
  const logs: string[] = []
  const server = new DriverSocketServer({ state, path: PATH, listen: net.listen, log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) } })
  await server.listen()
  return { state, net, server, logs, advance: (ms: number) => (now += ms) }
}

const DUMP = [
  'SETINFO battery.charge "50"',
  "SETFLAGS battery.charge RW",
  'SETINFO battery.charge.low "10"',
  "ADDRANGE battery.charge.low 5 50",
  'SETINFO input.sensitivity "medium"',
  'ADDENUM input.sensitivity "low"',
  'ADDENUM input.sensitivity "medium"',
  'SETINFO ups.model "a\\"b\\\\c\\#d"',
  "SETAUX ups.model 32",
  "SETFLAGS ups.model RW STRING",
  'SETINFO ups.status "OL CHRG"',
  "SETAUX ups.status 32",
  "SETFLAGS ups.status RW STRING",
  "ADDCMD beeper.on",
  "ADDCMD load.off",
]

test("DriverSocketServer answers DUMPALL like dstate.c: sorted variables, commands, DATAOK, DUMPDONE", async () => {
  const t = await setup()
  const upsd = await connectUpsd(t.net)
  upsd.send("DUMPALL\n")
  await settle()
  assert.deepEqual(upsd.take(), [...DUMP, "DATAOK", "DUMPDONE"])
  upsd.send("ping\n")
  await settle()
  assert.deepEqual(upsd.take(), ["PONG"])
  await t.server.close()
})

test("DriverSocketServer puts DATASTALE first in the dump of stale data, and flips it on PING", async () => {
  const t = await setup()
  const upsd = await connectUpsd(t.net)
  t.advance(15_001)
  upsd.send("PING\n")
  await settle()
  assert.deepEqual(upsd.take(), ["DATASTALE", "PONG"])
  upsd.send("DUMPALL\n")
  await settle()
  assert.deepEqual(upsd.take(), ["DATASTALE", ...DUMP, "DUMPDONE"])
  t.state.heartbeat()
  await settle()
  assert.deepEqual(upsd.take(), ["DATAOK"])
  await t.server.close()
})

test("DriverSocketServer broadcasts every change to every upsd connection", async () => {
  const t = await setup()
  const a = await connectUpsd(t.net)
  const b = await connectUpsd(t.net)
  t.state.setInfo("ups.status", "OB DISCHRG")
  t.state.setInfo("ups.load", "12")
  t.state.setFlags("ups.load", ["RW"])
  t.state.setFlags("ups.load", [])
  t.state.setAux("ups.model", 20)
  t.state.delEnum("input.sensitivity", "low")
  t.state.addEnum("input.sensitivity", "high")
  t.state.delRange("battery.charge.low", 5, 50)
  t.state.addRange("battery.charge.low", 10, 20)
  t.state.delInfo("ups.load")
  t.state.delCmd("beeper.on")
  t.state.addCmd("test.battery.start")
  t.state.setFsd()
  await settle()
  const expected = [
    'SETINFO ups.status "OB DISCHRG"',
    'SETINFO ups.load "12"',
    "SETFLAGS ups.load RW",
    "SETFLAGS ups.load NUMBER",
    "SETAUX ups.model 20",
    'DELENUM input.sensitivity "low"',
    'ADDENUM input.sensitivity "high"',
    "DELRANGE battery.charge.low 5 50",
    "ADDRANGE battery.charge.low 10 20",
    "DELINFO ups.load",
    "DELCMD beeper.on",
    "ADDCMD test.battery.start",
  ]
  assert.deepEqual(a.take(), expected)
  assert.deepEqual(b.take(), expected)
  assert.equal(t.server.connectionCount, 2)
  b.link.close()
  await settle()
  assert.equal(t.server.connectionCount, 1)
  await t.server.close()
})

test("DriverSocketServer tells upsd to forget everything when the nutctl driver disconnects", async () => {
  const t = await setup()
  const upsd = await connectUpsd(t.net)
  t.state.markDisconnected()
  await settle()
  assert.deepEqual(upsd.take(), [
    "DELINFO battery.charge",
    "DELINFO battery.charge.low",
    "DELINFO input.sensitivity",
    "DELINFO ups.model",
    "DELINFO ups.status",
    "DELCMD beeper.on",
    "DELCMD load.off",
    "DATASTALE",
  ])
  upsd.send("DUMPALL\n")
  await settle()
  assert.deepEqual(upsd.take(), ["DATASTALE", "DUMPDONE"])
  t.state.setInfo("ups.status", "OL")
  t.state.markConnected(recordingWriter())
  await settle()
  assert.deepEqual(upsd.take(), ['SETINFO ups.status "OL"', "DATAOK"])
  await t.server.close()
})

test("DriverSocketServer hands SET and INSTCMD to the writer and answers TRACKING", async () => {
  const writer = recordingWriter("INVALID-ARGUMENT")
  const t = await setup(writer)
  const upsd = await connectUpsd(t.net)
  upsd.send(
    [
      'SET ups.model "x \\"y\\"" TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263',
      'SET ups.model "plain"',
      "INSTCMD load.off",
      "INSTCMD load.off 5",
      "INSTCMD beeper.on TRACKING id-2",
      'INSTCMD beeper.on "p 1" TRACKING id-3',
      "INSTCMD load.off p 1", // upsd 2.8.0 sends a parameter with spaces unquoted: malformed
      "SET ups.model a b c", // five words that do not end in TRACKING <id>
      "HELLO",
      "",
    ].join("\n"),
  )
  await settle()
  assert.deepEqual(writer.calls, [
    'setvar ups.model=x "y"',
    "setvar ups.model=plain",
    "instcmd load.off",
    "instcmd load.off 5",
    "instcmd beeper.on",
    "instcmd beeper.on p 1",
  ])
  assert.deepEqual(upsd.take(), ["TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263 2", "TRACKING id-2 2", "TRACKING id-3 2"])
  assert.equal(t.logs.filter((l) => /Malformed INSTCMD|unsupported parameters|Unknown command/.test(l)).length, 3)
  await t.server.close()
})

test("DriverSocketServer answers TRACKING 3 when the writer throws", async () => {
  const writer: UpsWriter = {
    setvar: async () => {
      throw new Error("device gone")
    },
    instcmd: async () => "SUCCESS",
  }
  const t = await setup(writer)
  const upsd = await connectUpsd(t.net)
  upsd.send('SET ups.model "x" TRACKING t1\n')
  await settle()
  assert.deepEqual(upsd.take(), ["TRACKING t1 3"])
  await t.server.close()
  assert.equal(t.net.has(PATH), false)
})

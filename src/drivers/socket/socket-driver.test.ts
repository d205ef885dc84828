import { test } from "node:test"
import assert from "node:assert/strict"
import { UpsState, describeType } from "../../ups/index.ts"
import { ManualTimers, settle } from "./manual-timers.ts"
import { MemorySocketNetwork } from "./memory-socket.ts"
import { SocketDriver, type SocketTrackingMode } from "./socket-driver.ts"
import type { SocketLink, SocketListener } from "./types.ts"

const PATH = "/run/nut/snmp-ups-rack"

/** A scripted NUT driver process on the memory network: records lines, lets the test answer. */
class FakeDriver {
  readonly received: string[] = []
  readonly links: SocketLink[] = []
  #listener: SocketListener | undefined
  readonly #net: MemorySocketNetwork

  constructor(net: MemorySocketNetwork) {
    this.#net = net
  }

  async listen(): Promise<void> {
    this.#listener = await this.#net.listen(PATH, (link) => {
      this.links.push(link)
      let buf = ""
      return {
        onData: (bytes) => {
          buf += new TextDecoder().decode(bytes)
          for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
            this.received.push(buf.slice(0, i))
            buf = buf.slice(i + 1)
          }
        },
        onClose: () => {},
      }
    })
  }

  /** Write to the newest connection. */
  send(text: string): void {
    this.links.at(-1)?.write(text)
  }

  async stop(): Promise<void> {
    await this.#listener?.close()
  }
}

function setup(options: { tracking?: SocketTrackingMode } = {}) {
  const timers = new ManualTimers()
  const net = new MemorySocketNetwork()
  const logs: string[] = []
  const log = { info: (m: string) => logs.push(`info: ${m}`), warn: (m: string) => logs.push(`warn: ${m}`) }
  const state = new UpsState({ maxAgeMs: 15_000, now: () => timers.now() })
  let n = 0
  const driver = new SocketDriver({
    driver: "snmp-ups",
    upsName: "rack",
    path: PATH,
    connect: net.connect,
    log,
    timers,
    nextId: () => `ID-${++n}`,
    ...(options.tracking ? { tracking: options.tracking } : {}),
  })
  const fake = new FakeDriver(net)
  const abort = new AbortController()
  return {
    timers,
    net,
    logs,
    state,
    driver,
    fake,
    run: () => driver.start(state, abort.signal),
    abort: () => abort.abort(),
  }
}

const DUMP = [
  'SETINFO driver.version "2.8.0"',
  'SETINFO ups.status "OL"',
  'SETINFO input.sensitivity "medium"',
  'ADDENUM input.sensitivity "low"',
  'ADDENUM input.sensitivity "medium"',
  "SETFLAGS input.sensitivity RW STRING",
  "SETAUX input.sensitivity 10",
  "ADDCMD load.off",
  "DATAOK",
  "DUMPDONE",
  "",
].join("\n")

test("SocketDriver sends DUMPALL, reads WAIT until the dump arrives, then publishes it", async () => {
  const t = setup()
  await t.fake.listen()
  const running = t.run()
  await settle()
  assert.deepEqual(t.fake.received, ["DUMPALL"])
  assert.equal(t.state.availability(), "ok")
  assert.equal(t.state.value("ups.status"), "WAIT")
  assert.equal(t.driver.connected, true)
  t.fake.send(DUMP)
  await settle()
  assert.equal(t.state.value("ups.status"), "OL")
  assert.equal(describeType(t.state.get("input.sensitivity")!), "RW ENUM STRING:10")
  assert.deepEqual(t.state.commands(), ["load.off"])
  assert.equal(t.state.availability(), "ok")
  t.abort()
  await running
  assert.equal(t.state.availability(), "not-connected")
  assert.equal(t.state.variables().length, 0)
})

test("SocketDriver ignores DATASTALE until DUMPDONE, then follows DATAOK/DATASTALE", async () => {
  const t = setup()
  await t.fake.listen()
  const running = t.run()
  await settle()
  t.fake.send('DATASTALE\nSETINFO ups.status "OB"\n')
  await settle()
  assert.equal(t.state.availability(), "ok")
  t.fake.send("DUMPDONE\n")
  await settle()
  assert.equal(t.state.availability(), "stale")
  t.fake.send("DATAOK\n")
  await settle()
  assert.equal(t.state.availability(), "ok")
  t.fake.send("DATASTALE\n")
  await settle()
  assert.equal(t.state.availability(), "stale")
  t.abort()
  await running
})

test("SocketDriver pings after MAXAGE/3 of silence and goes stale after MAXAGE", async () => {
  const t = setup()
  await t.fake.listen()
  const running = t.run()
  await settle()
  t.fake.send(DUMP)
  await settle()
  await t.timers.advance(5000)
  assert.deepEqual(t.fake.received, ["DUMPALL"])
  await t.timers.advance(1)
  assert.deepEqual(t.fake.received, ["DUMPALL", "PING"])
  await t.timers.advance(5000)
  assert.deepEqual(t.fake.received, ["DUMPALL", "PING"])
  await t.timers.advance(1)
  assert.deepEqual(t.fake.received, ["DUMPALL", "PING", "PING"])
  assert.equal(t.state.availability(), "ok")
  await t.timers.advance(4999)
  assert.equal(t.state.availability(), "stale")
  t.fake.send("PONG\n")
  await settle()
  assert.equal(t.state.availability(), "ok")
  // heard from just now: the next PING waits another MAXAGE/3
  await t.timers.advance(5000)
  assert.equal(t.fake.received.filter((l) => l === "PING").length, 2)
  await t.timers.advance(1)
  assert.equal(t.fake.received.filter((l) => l === "PING").length, 3)
  t.abort()
  await running
})

test("SocketDriver sends SET and INSTCMD with TRACKING and resolves the driver's answer", async () => {
  const t = setup()
  await t.fake.listen()
  const running = t.run()
  await settle()
  t.fake.send(DUMP)
  await settle()
  const set = t.state.setvar("input.sensitivity", 'a "b" #c')
  const cmd = t.state.instcmd("load.off", "p 1")
  const plain = t.state.instcmd("load.off")
  await settle()
  assert.deepEqual(t.fake.received.slice(1), [
    'SET input.sensitivity "a \\"b\\" \\#c" TRACKING ID-1',
    'INSTCMD load.off "p 1" TRACKING ID-2',
    "INSTCMD load.off TRACKING ID-3",
  ])
  t.fake.send("TRACKING ID-2 1\nTRACKING ID-1 2\nTRACKING ID-3 0\n")
  assert.equal(await set, "INVALID-ARGUMENT")
  assert.equal(await cmd, "UNKNOWN")
  assert.equal(await plain, "SUCCESS")
  const lost = t.state.instcmd("load.off")
  await t.timers.advance(10_000)
  assert.equal(await lost, "FAILED")
  t.abort()
  await running
})

test("SocketDriver sends no TRACKING to drivers older than 2.8 and reports SUCCESS once sent", async () => {
  const t = setup()
  await t.fake.listen()
  const running = t.run()
  await settle()
  t.fake.send('SETINFO driver.version "2.7.4"\nSETINFO ups.id "x"\nSETFLAGS ups.id RW STRING\nSETAUX ups.id 8\nDATAOK\nDUMPDONE\n')
  await settle()
  assert.equal(await t.state.setvar("ups.id", "y"), "SUCCESS")
  assert.equal(await t.state.instcmd("beeper.on", "5"), "SUCCESS")
  await settle()
  assert.deepEqual(t.fake.received.slice(1), ['SET ups.id "y"', 'INSTCMD beeper.on "5"'])
  t.abort()
  await running
})

test("SocketDriver with tracking: always tracks drivers that publish no version", async () => {
  const t = setup({ tracking: "always" })
  await t.fake.listen()
  const running = t.run()
  await settle()
  const r = t.state.instcmd("beeper.on")
  await settle()
  assert.deepEqual(t.fake.received.slice(1), ["INSTCMD beeper.on TRACKING ID-1"])
  t.fake.send("TRACKING ID-1 3\n")
  assert.equal(await r, "FAILED")
  t.abort()
  await running
})

test("SocketDriver clears the state when the socket drops, and reconnects every 2 s", async () => {
  const t = setup()
  await t.fake.listen()
  const running = t.run()
  await settle()
  t.fake.send(DUMP)
  await settle()
  const pending = t.state.instcmd("load.off")
  await settle()
  await t.fake.stop()
  await settle()
  assert.equal(await pending, "FAILED")
  assert.equal(t.state.availability(), "not-connected")
  assert.equal(t.state.variables().length, 0)
  assert.equal(t.driver.connected, false)
  assert.equal(await t.state.setvar("ups.id", "x"), "FAILED")
  // the driver is being restarted: nothing listens for a while
  for (let i = 0; i < 5; i++) await t.timers.advance(2000)
  assert.equal(t.logs.filter((l) => l.includes("Cannot connect")).length, 1)
  const fake2 = new FakeDriver(t.net)
  await fake2.listen()
  await t.timers.advance(2000)
  assert.deepEqual(fake2.received, ["DUMPALL"])
  assert.equal(t.state.value("ups.status"), "WAIT")
  assert.equal(t.state.availability(), "ok")
  t.abort()
  await running
})

test("SocketDriver logs \"Cannot connect\" at most every 300 s", async () => {
  const t = setup()
  const running = t.run()
  await settle()
  for (let i = 0; i < 149; i++) await t.timers.advance(2000)
  assert.equal(t.logs.filter((l) => l.includes("Cannot connect")).length, 1)
  await t.timers.advance(2000)
  assert.equal(t.logs.filter((l) => l.includes("Cannot connect")).length, 2)
  assert.match(t.logs[0] ?? "", /^warn: Cannot connect to UPS \[rack\] \(\/run\/nut\/snmp-ups-rack\)/)
  assert.equal(t.state.availability(), "not-connected")
  t.abort()
  await running
  assert.equal(t.timers.pending, 0)
})

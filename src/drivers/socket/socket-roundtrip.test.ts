import { test } from "node:test"
import assert from "node:assert/strict"
import { UpsState, describeType, type UpsWriter } from "../../ups/index.ts"
import { DriverSocketServer } from "./driver-socket-server.ts"
import { ManualTimers, settle } from "./manual-timers.ts"
import { MemorySocketNetwork } from "./memory-socket.ts"
import { SocketDriver } from "./socket-driver.ts"

const PATH = "/run/nut/usbhid-ups-rack"

/** Everything a NUT client can see of a state. */
function snapshot(state: UpsState): unknown {
  return {
    vars: state.variables().map((v) => ({ name: v.name, value: v.value, type: describeType(v), enums: [...v.enums], ranges: [...v.ranges] })),
    cmds: [...state.commands()],
  }
}

test("SocketDriver mirrors a DriverSocketServer's state, its changes and its writes", async () => {
  const timers = new ManualTimers()
  const net = new MemorySocketNetwork()
  const log = { info: () => {}, warn: () => {} }
  const source = new UpsState({ now: () => timers.now() })
  const calls: string[] = []
  const writer: UpsWriter = {
    async setvar(name, value) {
      calls.push(`${name}=${value}`)
      source.setInfo(name, value)
      return "SUCCESS"
    },
    async instcmd(name) {
      return name === "beeper.off" ? "SUCCESS" : "UNKNOWN"
    },
  }
  source.setInfo("driver.version", "2.8.0")
  source.setInfo("ups.status", "OL")
  source.setInfo("ups.delay.shutdown", "20")
  source.setFlags("ups.delay.shutdown", ["RW"])
  source.addRange("ups.delay.shutdown", 0, 600)
  source.setInfo("input.sensitivity", "medium")
  source.setFlags("input.sensitivity", ["RW", "STRING"])
  source.setAux("input.sensitivity", 10)
  source.addEnum("input.sensitivity", "low")
  source.addEnum("input.sensitivity", "medium")
  source.setInfo("ups.mfr", 'Quote " Hash # Backslash \\')
  source.addCmd("beeper.off")
  source.markConnected(writer)
  const server = new DriverSocketServer({ state: source, path: PATH, listen: net.listen, log })
  await server.listen()

  const mirror = new UpsState({ now: () => timers.now() })
  const driver = new SocketDriver({ driver: "usbhid-ups", upsName: "rack", path: PATH, connect: net.connect, log, timers })
  const abort = new AbortController()
  const running = driver.start(mirror, abort.signal)
  await settle()
  assert.deepEqual(snapshot(mirror), snapshot(source))
  assert.equal(mirror.availability(), "ok")

  source.setInfo("ups.status", "OB DISCHRG")
  source.delEnum("input.sensitivity", "low")
  source.addCmd("test.battery.start.quick")
  await settle()
  assert.deepEqual(snapshot(mirror), snapshot(source))

  assert.equal(await mirror.setvar("input.sensitivity", "low"), "SUCCESS")
  assert.equal(await mirror.instcmd("beeper.off"), "SUCCESS")
  assert.equal(await mirror.instcmd("test.battery.start.quick"), "UNKNOWN")
  await settle()
  assert.deepEqual(calls, ["input.sensitivity=low"])
  assert.equal(mirror.value("input.sensitivity"), "low")

  // nutctl's driver loses its device: a real upsd (and the mirror) see stale, empty data
  source.markDisconnected()
  await settle()
  assert.equal(mirror.availability(), "stale")
  assert.equal(mirror.variables().length, 0)

  await server.close()
  await settle()
  assert.equal(mirror.availability(), "not-connected")
  abort.abort()
  await running
})

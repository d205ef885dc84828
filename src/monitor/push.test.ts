/**
 * Push between nutctl nodes (issue 4 item 8), in process on real sockets (127.0.0.1): the network
 * link opts in with NUTCTL PUSH and the loop acts on a pushed FSD without waiting for its next poll;
 * the local link pushes the primary's own UPS the same way. The secondaries' clocks never move:
 * whatever they do after their first poll round, a push made them do it.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { eventually } from "../../test/support/eventually.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { NutServer, type ServedUps, type UserRecord } from "../server/index.ts"
import { UpsState } from "../ups/index.ts"
import {
  createLocalLink,
  createMonitorLoop,
  createNetworkLink,
  monitorConfigFromUpsmonConf,
  type LocalUps,
  type MonitorOutcome,
  type PollResult,
  type SupplyConfig,
  type SupplyLink,
} from "./index.ts"
import { parseUpsmonConf } from "../config/index.ts"

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const USERS: UserRecord[] = [
  { name: "monpri", password: "pri", actions: new Set(["login", "primary", "master", "fsd"]), instcmds: new Set() },
  { name: "monsec", password: "sec", actions: new Set(["login"]), instcmds: new Set() },
]

async function startServer(): Promise<{ server: NutServer; ups: ServedUps; port: number }> {
  const state = new UpsState()
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  state.setInfo("ups.status", "OL")
  const ups: ServedUps = { name: "rack", desc: undefined, state }
  const server = new NutServer({ settings: { listen: [{ host: "127.0.0.1", port: 0 }], maxAge: 15, maxConn: 64, trackingDelay: 3600 }, ups: [ups], users: USERS, log: quiet })
  const [addr] = await server.listen()
  return { server, ups, port: addr?.port ?? 0 }
}

function supplyAt(port: number, role: "primary" | "secondary"): SupplyConfig {
  return { system: `rack@127.0.0.1:${port}`, ups: "rack", host: "127.0.0.1", port, powerValue: 1, role, user: role === "primary" ? "monpri" : "monsec", password: role === "primary" ? "pri" : "sec" }
}

function configFor(supply: SupplyConfig) {
  return monitorConfigFromUpsmonConf(
    parseUpsmonConf(`MONITOR ${supply.system} 1 ${supply.user} ${supply.password} ${supply.role}\nPOLLFREQ 5\nPOLLFREQALERT 5\nHOSTSYNC 15\nFINALDELAY 0\n`),
  )
}

test("createNetworkLink() opts in to push on a nutctl server and hands over the FSD before the next poll", async () => {
  const { server, ups, port } = await startServer()
  const logs: string[] = []
  const link = createNetworkLink({ supply: supplyAt(port, "secondary"), log: (_l, m) => logs.push(m) })
  try {
    const pushed: PollResult[] = []
    const unwatch = link.watch?.((r) => pushed.push(r))
    assert.ok(unwatch, "the network link can watch")
    assert.deepEqual(await link.poll(), { kind: "status", status: "OL" })
    assert.match(logs.join("\n"), /the server pushes status changes/)
    ups.state.setFsd()
    await eventually(() => pushed.length > 0, "a pushed update", { intervalMs: 5 })
    assert.deepEqual(pushed, [{ kind: "status", status: "FSD OL" }])
    unwatch()
    ups.state.setInfo("ups.status", "OB")
    assert.deepEqual(await link.poll(), { kind: "status", status: "FSD OB" }, "polling goes on beside the push")
    assert.deepEqual(pushed, [{ kind: "status", status: "FSD OL" }], "nothing after unwatch")
  } finally {
    link.close()
    await server.close()
  }
})

test("createNetworkLink() with push off sends no NUTCTL PUSH (the server pushes nothing)", async () => {
  const { server, ups, port } = await startServer()
  const link = createNetworkLink({ supply: supplyAt(port, "secondary"), log: () => {}, push: false })
  try {
    const pushed: PollResult[] = []
    link.watch?.((r) => pushed.push(r))
    await link.poll()
    ups.state.setFsd()
    assert.deepEqual(await link.poll(), { kind: "status", status: "FSD OL" })
    assert.deepEqual(pushed, [])
  } finally {
    link.close()
    await server.close()
  }
})

test("createLocalLink() watch() delivers each change of the served status once, one per driver update", async () => {
  const { server, ups, port } = await startServer()
  const local: LocalUps = { state: ups.state, numLogins: () => 1, login: () => () => {} }
  const link = createLocalLink({ supply: supplyAt(port, "primary"), ups: local, log: () => {} })
  const pushed: PollResult[] = []
  const unwatch = link.watch?.((r) => pushed.push(r))
  ups.state.setInfo("ups.status", "OB")
  ups.state.setInfo("ups.status", "OB LB")
  ups.state.setInfo("battery.charge", "9")
  await Promise.resolve()
  ups.state.markDisconnected()
  await Promise.resolve()
  unwatch?.()
  assert.deepEqual(pushed, [
    { kind: "status", status: "OB LB" },
    { kind: "failed", error: "DRIVER-NOT-CONNECTED" },
  ])
  await server.close()
})

test("nutctl primary (local link) + two nutctl secondaries: OB LB → FSD pushed → both secondaries shut down with their clocks stopped", async () => {
  const { server, ups, port } = await startServer()
  const ctx = server.context
  const localUps: LocalUps = {
    state: ups.state,
    numLogins: () => ctx.numLogins(ups),
    login: () => {
      const client = { address: "127.0.0.1", seq: 0 }
      ctx.login(ups, client)
      return () => ctx.logout(ups, client)
    },
  }
  const shutdowns: string[] = []
  const host = (label: string, link: SupplyLink, supply: SupplyConfig, clock: ManualClock) =>
    createMonitorLoop({
      config: configFor(supply),
      links: [link],
      clock,
      log: () => {},
      shutdown: {
        async run() {
          shutdowns.push(label)
          return { ok: true, failures: [] }
        },
      },
    })
  const primaryClock = new ManualClock(1_000_000)
  const primarySupply = supplyAt(port, "primary")
  const primary = host("primary", createLocalLink({ supply: primarySupply, ups: localUps, log: () => {} }), primarySupply, primaryClock)
  const secondaries = [1, 2].map((i) => {
    const supply = supplyAt(port, "secondary")
    return host(`secondary ${i}`, createNetworkLink({ supply, log: () => {} }), supply, new ManualClock(1_000_000))
  })
  const abort = new AbortController()
  const runs: Promise<MonitorOutcome>[] = [primary, ...secondaries].map((l) => l.run(abort.signal))
  try {
    // every host did its first poll round (and the secondaries opted in to push)
    await eventually(() => ctx.numLogins(ups) === 3, "NUMLOGINS 3", { intervalMs: 5 })
    await eventually(() => secondaries.every((s) => s.state.supplies[0]?.flags.ol === true), "the secondaries' first poll", { intervalMs: 5 })
    ups.state.setInfo("ups.status", "OB LB")
    const [, s1, s2] = runs
    assert.equal((await s1)?.kind, "shutdown")
    assert.equal((await s2)?.kind, "shutdown")
    assert.deepEqual(shutdowns.sort(), ["secondary 1", "secondary 2"], "the secondaries first, the primary still waits")
    // the primary asks NUMLOGINS every 250 ms of its own clock; the secondaries have left
    await eventually(() => ctx.numLogins(ups) === 1, "the secondaries' logins gone", { intervalMs: 5 })
    for (let i = 0; i < 8 && !shutdowns.includes("primary"); i++) {
      await primaryClock.advance(250)
      await new Promise((r) => setImmediate(r))
    }
    assert.equal((await runs[0])?.kind, "shutdown")
    assert.deepEqual(shutdowns.at(-1), "primary")
    assert.ok(primaryClock.now() - 1_000_000 < 15_000, "the primary saw the secondaries leave, no HOSTSYNC")
  } finally {
    abort.abort()
    await Promise.all(runs)
    await server.close()
  }
})

test("createMonitorLoop() ignores a poll reply that a push overtook in the same round", async () => {
  let resolvePoll: ((r: PollResult) => void) | undefined
  let push: ((r: PollResult) => void) | undefined
  const link: SupplyLink = {
    system: "rack@127.0.0.1:3493",
    poll: () => new Promise((resolve) => (resolvePoll = resolve)),
    setFsd: async () => {},
    numLogins: async () => 1,
    drop() {},
    close() {},
    watch(deliver) {
      push = deliver
      return () => (push = undefined)
    },
  }
  const clock = new ManualClock(1_000_000)
  const shutdowns: string[] = []
  const loop = createMonitorLoop({
    config: configFor({ ...supplyAt(3493, "secondary"), system: "rack@127.0.0.1:3493" }),
    links: [link],
    clock,
    log: () => {},
    shutdown: {
      async run() {
        shutdowns.push("shutdown")
        return { ok: true, failures: [] }
      },
    },
  })
  const abort = new AbortController()
  const run = loop.run(abort.signal)
  await eventually(() => resolvePoll !== undefined, "the first poll", { intervalMs: 1 })
  // the reply was read (OL) before the push (OB) arrived, but the round is fed after the push
  push?.({ kind: "status", status: "OB" })
  await new Promise((r) => setImmediate(r))
  resolvePoll?.({ kind: "status", status: "OL" })
  await new Promise((r) => setImmediate(r))
  assert.equal(loop.state.supplies[0]?.flags.ob, true, "still on battery: the older reply was not fed")
  abort.abort()
  await run
})

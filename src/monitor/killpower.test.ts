/**
 * Killpower's decision table and its command chain, against fakes, the dummy driver and an
 * in-process server (127.0.0.1): nothing here can reach a real UPS or reboot anything.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { fixturePath } from "../../test/support/fixture.ts"
import { createDriver, type Driver } from "../drivers/index.ts"
import { NutServer, type ServedUps, type UserRecord } from "../server/index.ts"
import { UpsState, type WriteResult } from "../ups/index.ts"
import {
  KILLPOWER_CHAIN,
  driverKillpowerRoute,
  killpowerChain,
  killpowerDecision,
  nutKillpowerRoute,
  runKillpower,
  type KillpowerAnswer,
  type KillpowerOptions,
  type KillpowerRoute,
  type LogLevel,
} from "./index.ts"

const SET = { configured: true, path: "/etc/killpower", status: "set" } as const

test("killpowerDecision(): only a configured flag holding upsmon's magic cuts the power", () => {
  assert.equal(killpowerDecision({ configured: false }).kill, false)
  assert.deepEqual(killpowerDecision(SET), { kill: true })
  const absent = killpowerDecision({ ...SET, status: "absent" })
  assert.equal(absent.kill === false && absent.reason, "flag-absent")
  const foreign = killpowerDecision({ ...SET, status: "foreign" })
  assert.equal(foreign.kill === false && foreign.reason, "flag-foreign")
})

test("killpowerChain(): usbhid-ups's default order, or the UPS's own sdcommands", () => {
  assert.deepEqual(killpowerChain({}), ["shutdown.return", "shutdown.reboot", "load.off.delay", "shutdown.stayoff"])
  assert.deepEqual(killpowerChain({ sdcommands: " load.off.delay , shutdown.stayoff" }), ["load.off.delay", "shutdown.stayoff"])
  assert.deepEqual(killpowerChain({ sdcommands: "" }), KILLPOWER_CHAIN)
})

/** A fake route: a UPS listing `commands`, answering from `answers` (default SUCCESS). */
function fakeRoute(
  description: string,
  ups: { commands: string[]; answers?: Record<string, KillpowerAnswer | "refuse">; status?: string; down?: boolean; probeWhenDry?: boolean },
  sent: string[],
): KillpowerRoute {
  return {
    description,
    probeWhenDry: ups.probeWhenDry ?? true,
    async open() {
      if (ups.down) throw new Error("connection refused")
      sent.push(`${description}: open`)
      return {
        commands: async () => ups.commands,
        status: async () => ups.status,
        async instcmd(cmd) {
          sent.push(`${description}: ${cmd}`)
          const a = ups.answers?.[cmd] ?? "SUCCESS"
          if (a === "refuse") throw new Error("ERR ACCESS-DENIED")
          return a
        },
        async close() {
          sent.push(`${description}: close`)
        },
      }
    },
  }
}

function run(routes: KillpowerRoute[], extra: Partial<KillpowerOptions> = {}) {
  const logs: { level: LogLevel; message: string }[] = []
  const outcome = runKillpower({
    flag: SET,
    targets: [{ ups: "rack", chain: KILLPOWER_CHAIN, routes }],
    clock: new ManualClock(0),
    log: (level, message) => logs.push({ level, message }),
    ...extra,
  })
  return { outcome, logs }
}

test("runKillpower() sends shutdown.return first and stops at the first handled command (APC BX after nut#3566)", async () => {
  const sent: string[] = []
  const { outcome } = run([fakeRoute("server", { commands: ["load.off.delay", "shutdown.reboot", "shutdown.return", "beeper.mute"] }, sent)])
  assert.deepEqual(await outcome, { kind: "killed", results: [{ ups: "rack", command: "shutdown.return", route: "server" }], rebooted: false })
  assert.deepEqual(sent, ["server: open", "server: shutdown.return", "server: close"])
})

test("runKillpower() follows the chain: skips unlisted commands, goes on after FAILED / UNKNOWN", async () => {
  const sent: string[] = []
  // APC Back-UPS on 2.8.0: no shutdown.return; here its shutdown.reboot fails and load.off.delay works
  const ups = { commands: ["shutdown.reboot", "load.off.delay", "shutdown.stop"], answers: { "shutdown.reboot": "FAILED" as const } }
  const { outcome } = run([fakeRoute("server", ups, sent)])
  assert.equal((await outcome).kind, "killed")
  assert.deepEqual(sent, ["server: open", "server: shutdown.reboot", "server: load.off.delay", "server: close"])
})

test("runKillpower() falls back from the server to the device when the server is gone or refuses", async () => {
  const sent: string[] = []
  const device = fakeRoute("device", { commands: ["shutdown.return"] }, sent)
  const gone = run([fakeRoute("server", { commands: [], down: true }, sent), device])
  assert.deepEqual(await gone.outcome, { kind: "killed", results: [{ ups: "rack", command: "shutdown.return", route: "device" }], rebooted: false })
  assert.match(gone.logs.map((l) => l.message).join("\n"), /cannot use server: connection refused/)
  sent.length = 0
  const refused = run([fakeRoute("server", { commands: ["shutdown.return"], answers: { "shutdown.return": "refuse" } }, sent), device])
  assert.equal((await refused.outcome).kind, "killed")
  assert.deepEqual(sent, ["server: open", "server: shutdown.return", "server: close", "device: open", "device: shutdown.return", "device: close"])
})

test("runKillpower() fails when no route takes any command, and sends nothing without the flag", async () => {
  const sent: string[] = []
  const none = run([fakeRoute("server", { commands: ["beeper.mute"] }, sent)])
  assert.deepEqual(await none.outcome, { kind: "failed", results: [{ ups: "rack" }] })
  sent.length = 0
  for (const flag of [{ configured: false } as const, { ...SET, status: "absent" } as const, { ...SET, status: "foreign" } as const]) {
    const r = run([fakeRoute("server", { commands: ["shutdown.return"] }, sent)], { flag })
    assert.equal((await r.outcome).kind, "not-set")
  }
  assert.deepEqual(sent, [], "never opened")
})

test("runKillpower() POWEROFF_WAIT: still alive after the wait means the power stayed on: reboot", async () => {
  const clock = new ManualClock(0)
  let rebooted = 0
  const sent: string[] = []
  const { outcome, logs } = run([fakeRoute("server", { commands: ["shutdown.return"], status: "OL" }, sent)], {
    clock,
    powerOffWaitMs: 120_000,
    reboot: async () => void rebooted++,
  })
  for (let i = 0; i < 10 && clock.pending === 0; i++) await new Promise((r) => setImmediate(r))
  assert.equal(rebooted, 0, "not before POWEROFF_WAIT")
  await clock.advance(120_000)
  assert.deepEqual(await outcome, { kind: "killed", results: [{ ups: "rack", command: "shutdown.return", route: "server" }], rebooted: true })
  assert.equal(rebooted, 1)
  const text = logs.map((l) => l.message).join("\n")
  assert.match(text, /on line power again \(OL\): cutting the power anyway/)
  assert.match(text, /still on 120 s after the shutdown command .*: rebooting/)
})

test("runKillpower() dry run: looks at the server, opens no device, sends, waits for and reboots nothing", async () => {
  const sent: string[] = []
  let rebooted = false
  const dry = run([fakeRoute("server", { commands: ["shutdown.return"] }, sent), fakeRoute("device", { commands: ["shutdown.return"], probeWhenDry: false }, sent)], {
    dryRun: true,
    powerOffWaitMs: 60_000,
    reboot: async () => void (rebooted = true),
  })
  assert.deepEqual(await dry.outcome, { kind: "killed", results: [{ ups: "rack", command: "shutdown.return", route: "server", dryRun: true }], rebooted: false })
  assert.deepEqual(sent, ["server: open", "server: close"])
  assert.equal(rebooted, false)
  sent.length = 0
  const deviceOnly = run([fakeRoute("server", { commands: [], down: true }, sent), fakeRoute("device", { commands: ["shutdown.return"], probeWhenDry: false }, sent)], { dryRun: true })
  assert.deepEqual(await deviceOnly.outcome, { kind: "killed", results: [{ ups: "rack", route: "device", dryRun: true }], rebooted: false })
  assert.deepEqual(sent, [], "the device is never opened in a dry run")
})

// ----- the routes -----

const quiet = { debug() {}, info() {}, warn() {}, error() {} }

async function serverWith(commands: string[], result: WriteResult) {
  const state = new UpsState()
  const received: string[] = []
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async (c) => (received.push(c), result) })
  state.setInfo("ups.status", "OB LB")
  for (const c of commands) state.addCmd(c)
  const ups: ServedUps = { name: "rack", desc: undefined, state }
  const users: UserRecord[] = [
    { name: "admin", password: "pw", actions: new Set(), instcmds: new Set(["shutdown.return", "load.off.delay"]) },
    { name: "mon", password: "pw", actions: new Set(["login"]), instcmds: new Set() },
  ]
  const server = new NutServer({ settings: { listen: [{ host: "127.0.0.1", port: 0 }], maxAge: 15, maxConn: 8, trackingDelay: 3600 }, ups: [ups], users, log: quiet })
  const [addr] = await server.listen()
  return { server, received, port: addr?.port ?? 0 }
}

test("nutKillpowerRoute(): tracked INSTCMD over NUT with the configured user; the driver's answer decides", async () => {
  const { server, received, port } = await serverWith(["load.off.delay", "shutdown.return"], "SUCCESS")
  try {
    const route = nutKillpowerRoute({ host: "127.0.0.1", port, ups: "rack", user: "admin", password: "pw" })
    const session = await route.open()
    assert.deepEqual(await session.commands(), ["load.off.delay", "shutdown.return"])
    assert.equal(await session.status(), "OB LB")
    assert.equal(await session.instcmd("shutdown.return"), "SUCCESS")
    await session.close()
    assert.deepEqual(received, ["shutdown.return"])
    const denied = await nutKillpowerRoute({ host: "127.0.0.1", port, ups: "rack", user: "mon", password: "pw" }).open()
    await assert.rejects(denied.instcmd("shutdown.return"), /ACCESS-DENIED/)
    await denied.close()
    await assert.rejects(nutKillpowerRoute({ host: "127.0.0.1", port, ups: "nope" }).open(), /UNKNOWN-UPS/)
  } finally {
    await server.close()
  }
})

test("runKillpower() through the server: FAILED from the driver moves on to load.off.delay", async () => {
  const { server, received, port } = await serverWith(["load.off.delay", "shutdown.return"], "FAILED")
  try {
    const route = nutKillpowerRoute({ host: "127.0.0.1", port, ups: "rack", user: "admin", password: "pw", waitMs: 2000 })
    const outcome = await runKillpower({ flag: SET, targets: [{ ups: "rack", chain: KILLPOWER_CHAIN, routes: [route] }], clock: new ManualClock(0), log: () => {} })
    assert.equal(outcome.kind, "failed")
    assert.deepEqual(received, ["shutdown.return", "load.off.delay"])
  } finally {
    await server.close()
  }
})

/** A driver that publishes an APC BX after nut#3566 and records what it was told. */
function fakeBx(received: string[]): Driver {
  return {
    name: "usbhid-ups",
    async start(state, signal) {
      state.markConnected(this)
      state.setInfo("ups.status", "OB LB")
      for (const c of ["beeper.mute", "load.off.delay", "shutdown.reboot", "shutdown.return", "shutdown.stop"]) state.addCmd(c)
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }))
      state.markDisconnected()
    },
    setvar: async () => "SUCCESS",
    async instcmd(cmd) {
      received.push(cmd)
      return "SUCCESS"
    },
  }
}

test("driverKillpowerRoute(): opens the device through its driver, sends the chain, stops the driver", async () => {
  const received: string[] = []
  const route = driverKillpowerRoute({ description: "the device", create: () => fakeBx(received), clock: new ManualClock(0) })
  const outcome = await runKillpower({ flag: SET, targets: [{ ups: "rack", chain: KILLPOWER_CHAIN, routes: [route] }], clock: new ManualClock(0), log: () => {} })
  assert.deepEqual(outcome, { kind: "killed", results: [{ ups: "rack", command: "shutdown.return", route: "the device" }], rebooted: false })
  assert.deepEqual(received, ["shutdown.return"])
})

test("driverKillpowerRoute() with the registry's dummy-ups: the device opens, but it handles no command", async () => {
  const clock = new ManualClock(0)
  const spec = { name: "rack", driver: "dummy-ups", port: fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev"), params: {}, baseDir: "/" }
  const route = driverKillpowerRoute({ description: "the device (dummy-ups)", create: () => createDriver(spec, { info() {}, warn() {} }), clock })
  const session = await route.open()
  assert.equal(await session.status(), "OL")
  assert.equal(await session.instcmd("shutdown.return"), "UNKNOWN")
  await session.close()
  const failing = driverKillpowerRoute({ description: "a missing file", create: () => createDriver({ ...spec, port: "/nonexistent/ups.dev" }, { info() {}, warn() {} }), clock, readyTimeoutMs: 1000 })
  const opening = failing.open()
  for (let i = 0; i < 10 && clock.pending === 0; i++) await new Promise((r) => setImmediate(r))
  await clock.advance(1000)
  await assert.rejects(opening)
})

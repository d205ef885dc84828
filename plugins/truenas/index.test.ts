/** The truenas executor against the middleware simulator (never a real NAS, never a real midclt). */
import assert from "node:assert/strict"
import { after, test } from "node:test"
import { fixture } from "../../test/support/fixture.ts"
import { SIM_API_KEY, startTrueNasSimulator, type TrueNasSim, type TrueNasSimOptions } from "../../test/sim/truenas/index.ts"
import { systemClock } from "../../src/monitor/index.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { buildPlan, configureExecutor, runPlan, type PowerControl } from "../../src/shutdown/index.ts"
import truenas, { createTrueNasExecutor, type CommandRunner, type TrueNasDeps } from "./index.ts"
import { openSession } from "./session.ts"
import { connectWebSocket } from "./ws/connect.ts"

const sims: TrueNasSim[] = []
after(async () => {
  for (const s of sims) await s.close()
})

async function sim(options: TrueNasSimOptions = {}): Promise<TrueNasSim> {
  const s = await startTrueNasSimulator(options)
  sims.push(s)
  return s
}

/** Never the real midclt: a loopback URL means "on the NAS", whose fallback would run it. */
const noMidclt: CommandRunner = async () => Promise.reject(new Error("no midclt in tests"))

async function run(raw: Record<string, unknown>, options: { dryRun?: boolean; deps?: Partial<TrueNasDeps>; power?: PowerControl } = {}) {
  const executor = createTrueNasExecutor({ runCommand: noMidclt, ...options.deps })
  const config = await configureExecutor(executor, raw, "test")
  const lines: string[] = []
  const plan = await buildPlan({
    host: "truenas",
    executors: [{ executor: executor as never, config }],
    clock: systemClock,
    log: (level, m) => void lines.push(`${level} ${m}`),
    dryRun: options.dryRun === true,
    ...(options.power ? { power: options.power } : {}),
  })
  const result = await runPlan(plan, { clock: systemClock, tickMs: 0 })
  return { plan, result, lines }
}

test("truenas executor on 25.04 calls system.shutdown(reason, {delay: null}) over JSON-RPC /api/current", async () => {
  const nas = await sim({ version: "25.04" })
  const { plan, result } = await run({ url: nas.url, apiKey: SIM_API_KEY })
  assert.deepEqual(plan.parts[0]?.steps.map((s) => [s.id, s.pointOfNoReturn === true]), [["poweroff", true]])
  assert.equal(result.state, "done", result.failures.join())
  assert.deepEqual(nas.shutdowns, [{ params: ["UPS power failure (nutctl)", { delay: null }], protocol: "jsonrpc" }])
  assert.deepEqual(nas.calls.map((c) => c.method), ["auth.login_with_api_key", "system.version", "system.shutdown"])
  assert.match(result.steps[0]?.note ?? "", /on \/api\/current: job 1/)
  await nas.whenOff()
  assert.equal(nas.state, "OFF")
})

test("truenas executor on 24.10 falls back to /websocket and calls system.shutdown() without a reason", async () => {
  const nas = await sim({ version: "24.10" })
  const { result } = await run({ url: nas.url, apiKey: SIM_API_KEY, delay: 5 })
  assert.equal(result.state, "done", result.failures.join())
  assert.deepEqual(nas.shutdowns, [{ params: [{ delay: 5 }], protocol: "ddp" }])
  assert.ok(nas.calls.every((c) => c.endpoint === "/websocket"))
})

test("truenas executor takes the legacy /websocket with the 25.04 signature when /api/current is broken", async () => {
  const nas = await sim({ version: "25.04", currentApi: "broken" })
  const { result } = await run({ url: nas.url, apiKey: SIM_API_KEY })
  assert.equal(result.state, "done", result.failures.join())
  assert.deepEqual(nas.shutdowns, [{ params: ["UPS power failure (nutctl)", { delay: null }], protocol: "ddp" }])
})

test("truenas executor treats the connection dropping after system.shutdown as the NAS going down", async () => {
  const nas = await sim({ version: "25.10", onShutdown: "drop" })
  const { result } = await run({ url: nas.url, apiKey: SIM_API_KEY })
  assert.equal(result.state, "done", result.failures.join())
  assert.match(result.steps[0]?.note ?? "", /connection dropped \(expected/)
  await nas.whenOff()
})

test("truenas executor retries with the other signature when the version was misread (invalid params)", async () => {
  const nas = await sim({ version: "24.10" })
  const s = await openSession({ url: nas.url, apiKey: SIM_API_KEY, api: "auto", timeoutMs: 5000 }, { connect: connectWebSocket, clock: systemClock, log: { debug() {}, info() {}, warn() {}, error() {} } })
  const { requestShutdown } = await import("./shutdown-call.ts")
  const ack = await requestShutdown({ ...s, version: undefined }, { reason: "test", delay: undefined, timeoutMs: 5000 })
  s.close()
  assert.match(ack.note, /system\.shutdown\(\) on \/websocket: job 1/)
  assert.deepEqual(nas.calls.filter((c) => c.method === "system.shutdown").map((c) => c.params), [["test", { delay: null }], []])
})

test("truenas executor refuses a wrong key on every endpoint and fails the step", async () => {
  const nas = await sim({ version: "25.04" })
  const { result } = await run({ url: nas.url, apiKey: "1-wrong" })
  assert.equal(result.state, "failed")
  assert.match(result.failures[0] ?? "", /refused the API key .*; the fallback failed too: Cannot power TrueNAS off with midclt: .*no midclt in tests/)
  assert.equal(nas.shutdowns.length, 0)
  assert.deepEqual(nas.calls.map((c) => c.endpoint), ["/api/current"])
})

test("truenas executor uses midclt on the NAS itself when the API is unreachable (fake runner)", async () => {
  const nas = await sim({ version: "25.04" })
  await nas.close() // nothing listens on its port any more
  const ran: string[][] = []
  const runCommand: CommandRunner = async (argv) => {
    ran.push([...argv])
    return argv[2] === "system.version" ? { exitCode: 0, stdout: '"TrueNAS-25.04.2.6"\n', stderr: "" } : { exitCode: 0, stdout: "null\n", stderr: "" }
  }
  const { result } = await run({ url: nas.url, apiKey: SIM_API_KEY, timeout: 2 }, { deps: { runCommand } })
  assert.equal(result.state, "done", result.failures.join())
  assert.equal(result.steps[0]?.via, "fallback")
  assert.deepEqual(ran, [
    ["midclt", "call", "system.version"],
    ["midclt", "call", "system.shutdown", "UPS power failure (nutctl)"],
  ])
})

test("truenas config refuses an API key over plain ws:// to a host that is not loopback", async () => {
  await assert.rejects(configureExecutor(truenas, { url: "ws://nas.lan", apiKey: SIM_API_KEY }, "nutctl.yaml executors.truenas"), /url: wss:\/\/ \(TrueNAS revokes an API key/)
  const connect: TrueNasDeps["connect"] = async () => assert.fail("must not connect")
  await assert.rejects(
    openSession({ url: "ws://10.0.0.5", apiKey: SIM_API_KEY, api: "auto", timeoutMs: 1000 }, { connect, clock: systemClock, log: { debug() {}, info() {}, warn() {}, error() {} } }),
    (e: unknown) => (e as { code?: string }).code === "TRUENAS_INSECURE",
  )
})

test("the simulator revokes a key sent over plain ws:// from a remote peer (what the refusal prevents)", async () => {
  const nas = await sim({ version: "25.04", peersAreRemote: true })
  const { result } = await run({ url: nas.url, apiKey: SIM_API_KEY })
  assert.equal(result.state, "failed")
  assert.deepEqual(nas.revokedKeys, [SIM_API_KEY])
})

test("truenas executor over wss:// with a pinned certificate, and refuses a wrong pin", async () => {
  const tls = { cert: fixture("tls/cert.pem"), key: fixture("tls/key.pem") }
  const nas = await sim({ version: "25.04", tls })
  const pin = "01:13:6F:79:77:A7:1B:D3:C4:57:38:BF:23:33:30:51:63:2F:F8:E2:F2:A8:20:7F:FA:5B:1E:74:55:AD:A9:96"
  const bad = await run({ url: nas.url, apiKey: SIM_API_KEY, fingerprint: pin.replace("01:", "02:"), onNas: false, confirmOff: false }, { dryRun: true })
  assert.match(bad.result.failures[0] ?? "", /is not the pinned 02:13/)
  assert.equal(nas.calls.length, 0, "nothing was sent before the pin matched")
  const viaCa = await run({ url: nas.url.replace("127.0.0.1", "localhost"), apiKey: SIM_API_KEY, ca: tls.cert, onNas: false, confirmOff: false }, { dryRun: true })
  assert.equal(viaCa.result.state, "done", viaCa.result.failures.join())
  const good = await run({ url: nas.url, apiKey: SIM_API_KEY, fingerprint: pin, onNas: false })
  assert.equal(good.result.state, "done", good.result.failures.join())
  assert.deepEqual(good.result.steps.map((s) => [s.key, s.state]), [["truenas/poweroff", "done"], ["truenas/wait-off", "done"]])
  assert.equal(nas.state, "OFF")
})

test("truenas executor in a dry run only logs in and reads; the NAS stays up", async () => {
  const nas = await sim({ version: "25.04" })
  const { result } = await run({ url: nas.url, apiKey: SIM_API_KEY }, { dryRun: true, power: { secondaries: async () => 2, killPower: async () => assert.fail("dry run") } })
  assert.equal(result.state, "done", result.failures.join())
  assert.deepEqual(nas.calls.map((c) => c.method), ["auth.login_with_api_key", "system.version", "system.state"])
  assert.deepEqual(result.steps.map((s) => [s.key, s.note]), [
    ["truenas/wait-secondaries", "2 secondaries logged in now; would wait for them"],
    ["truenas/poweroff", `TrueNAS TrueNAS-25.04.2.6 via /api/current: API key accepted, state READY; would call system.shutdown("UPS power failure (nutctl)", {"delay":null})`],
    ["truenas/kill-power", "would send shutdown.return to the UPS"],
  ])
  assert.equal(nas.state, "READY")
})

test("truenas executor on a primary waits for the secondaries, powers the NAS off, then kills the UPS power", async () => {
  const nas = await sim({ version: "25.04" })
  const clock = new ManualClock(Date.now())
  const order: string[] = []
  let loggedIn = 3
  const power: PowerControl = {
    secondaries: async () => {
      order.push(`secondaries=${loggedIn}`)
      return loggedIn
    },
    killPower: async () => void order.push(`kill (NAS ${nas.state})`),
  }
  const executor = createTrueNasExecutor({ runCommand: noMidclt })
  const config = await configureExecutor(executor, { url: nas.url, apiKey: SIM_API_KEY }, "test")
  const plan = await buildPlan({ host: "truenas", executors: [{ executor: executor as never, config }], clock, log: () => {}, dryRun: false, power })
  const running = runPlan(plan, { clock, tickMs: 0 })
  for (const left of [2, 0]) {
    await new Promise((r) => setTimeout(r, 5))
    loggedIn = left
    await clock.advance(2000)
  }
  const result = await running
  assert.equal(result.state, "done", result.failures.join())
  assert.deepEqual(order, ["secondaries=3", "secondaries=2", "secondaries=0", "kill (NAS SHUTTING_DOWN)"])
  assert.deepEqual(result.steps.map((s) => s.key), ["truenas/wait-secondaries", "truenas/poweroff", "truenas/kill-power"])
  assert.equal(result.pointOfNoReturn?.step, "truenas/poweroff")
})

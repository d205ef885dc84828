/** The truenas probe against the middleware simulator (never a real NAS, never a real midclt). */
import assert from "node:assert/strict"
import { after, test } from "node:test"
import { systemClock } from "../../src/monitor/index.ts"
import { configureExecutor, probeExecutor, type ProbeContext, type ProbeResult } from "../../src/shutdown/index.ts"
import { fixture } from "../../test/support/fixture.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { SIM_API_KEY, startTrueNasSimulator, type TrueNasSim, type TrueNasSimOptions } from "../../test/sim/truenas/index.ts"
import { createTrueNasExecutor, type CommandRunner, type TrueNasConfig, type TrueNasDeps } from "./index.ts"
import { probeTrueNas } from "./probe.ts"

const sims: TrueNasSim[] = []
after(async () => {
  for (const s of sims) await s.close()
})

async function sim(options: TrueNasSimOptions = {}): Promise<TrueNasSim> {
  const s = await startTrueNasSimulator(options)
  sims.push(s)
  return s
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const noMidclt: CommandRunner = async () => assert.fail("midclt must not run while the API works")
const midcltAnswers: CommandRunner = async (argv) => {
  assert.deepEqual(argv, ["midclt", "call", "system.version"], "only the read-only version call")
  return { exitCode: 0, stdout: '"TrueNAS-25.04.2.6"\n', stderr: "" }
}
const midcltFails: CommandRunner = async () => ({ exitCode: 1, stdout: "", stderr: "Failed connecting to middlewared" })

function ctx(config: TrueNasConfig, clock: ProbeContext<TrueNasConfig>["clock"] = systemClock): ProbeContext<TrueNasConfig> {
  return { config, host: "truenas", clock, log: quiet, findProgram: async () => undefined }
}

async function probe(raw: Record<string, unknown>, deps: Partial<TrueNasDeps> = {}): Promise<ProbeResult | undefined> {
  const executor = createTrueNasExecutor({ runCommand: noMidclt, ...deps })
  const config = await configureExecutor(executor, { timeout: 5, ...raw }, "test")
  return probeExecutor(executor, ctx(config), new AbortController().signal)
}

test("truenas probe: logs in over /api/current, reads the version and the key's roles (OK); nothing changes", async () => {
  const nas = await sim({ version: "25.04" })
  const r = await probe({ url: nas.url, apiKey: SIM_API_KEY })
  assert.deepEqual(r, { state: "ok", text: `TrueNAS TrueNAS-25.04.2.6 at ${new URL(nas.url).host} via /api/current: API key accepted, user truenas_admin has FULL_ADMIN` })
  assert.deepEqual(nas.calls.map((c) => c.method), ["auth.login_with_api_key", "system.version", "auth.me"])
  assert.equal(nas.state, "READY")
  assert.deepEqual(nas.shutdowns, [])
  // 24.10: the legacy /websocket, no roles on system.shutdown
  const old = await sim({ version: "24.10" })
  assert.deepEqual(await probe({ url: old.url, apiKey: SIM_API_KEY }), { state: "ok", text: `TrueNAS TrueNAS-SCALE-24.10.2.4 at ${new URL(old.url).host} via /websocket: API key accepted` })
})

test("truenas probe: a key whose user lacks FULL_ADMIN is CRITICAL", async () => {
  const nas = await sim({ version: "25.10", apiKeys: [{ key: SIM_API_KEY, username: "ups", fullAdmin: false }] })
  assert.deepEqual(await probe({ url: nas.url, apiKey: SIM_API_KEY }), {
    state: "critical",
    text: `TrueNAS TrueNAS-25.10.1 at ${new URL(nas.url).host} via /api/current: API key accepted, but its user ups lacks the FULL_ADMIN role system.shutdown needs (has READONLY_ADMIN): the shutdown would be refused`,
  })
})

test("truenas probe: a refused key is CRITICAL, WARNING on the NAS when midclt answers", async () => {
  const nas = await sim({ version: "25.04" })
  const host = new URL(nas.url).host
  assert.deepEqual(await probe({ url: nas.url, apiKey: "1-wrong", onNas: false }), { state: "critical", text: `the API key was refused by TrueNAS at ${host} (wrong, expired or revoked)` })
  assert.deepEqual(await probe({ url: nas.url, apiKey: "1-wrong" }, { runCommand: midcltAnswers }), {
    state: "warning",
    text: `the API key was refused by TrueNAS at ${host} (wrong, expired or revoked); midclt reaches TrueNAS TrueNAS-25.04.2.6 on the NAS itself: the fallback would power it off`,
  })
  const both = await probe({ url: nas.url, apiKey: "1-wrong" }, { runCommand: midcltFails })
  assert.equal(both?.state, "critical")
  assert.match(both?.text ?? "", /; midclt call system\.version failed too, so the fallback would not work$/)
  assert.ok(!JSON.stringify(both).includes("1-wrong"))
})

test("truenas probe: a NAS that does not answer is CRITICAL, WARNING on the NAS when midclt answers", async () => {
  const nas = await sim({ version: "25.04" })
  await nas.close()
  const away = await probe({ url: nas.url, apiKey: SIM_API_KEY, onNas: false })
  assert.equal(away?.state, "critical")
  assert.match(away?.text ?? "", /^Cannot reach TrueNAS at 127\.0\.0\.1:\d+: .*ECONNREFUSED/)
  assert.equal((await probe({ url: nas.url, apiKey: SIM_API_KEY }, { runCommand: midcltAnswers }))?.state, "warning")
})

test("truenas probe: a certificate that matches no pin is CRITICAL, and the key is never sent", async () => {
  const nas = await sim({ version: "25.04", tls: { cert: fixture("tls/cert.pem"), key: fixture("tls/key.pem") } })
  const pin = "02:13:6F:79:77:A7:1B:D3:C4:57:38:BF:23:33:30:51:63:2F:F8:E2:F2:A8:20:7F:FA:5B:1E:74:55:AD:A9:96"
  const r = await probe({ url: nas.url, apiKey: SIM_API_KEY, fingerprint: pin, onNas: false })
  assert.equal(r?.state, "critical")
  assert.match(r?.text ?? "", /^TLS pin mismatch: .*is not the pinned 02:13/)
  assert.equal(nas.calls.length, 0)
})

test("truenas probe: refuses the key over plain ws:// to a host that is not loopback, as the executor does", async () => {
  const connect: TrueNasDeps["connect"] = async () => assert.fail("must not connect")
  const config = { url: "ws://10.0.0.5", apiKey: SIM_API_KEY, api: "auto", timeout: 5000, midclt: "midclt", onNas: true } as TrueNasConfig
  const r = await probeTrueNas(ctx(config), new AbortController().signal, { connect, runCommand: noMidclt })
  assert.equal(r.state, "critical")
  assert.match(r.text, /^Refusing to send the TrueNAS API key over plain ws:\/\/ to 10\.0\.0\.5/)
})

test("truenas probe: stops when its time is up and says so (no midclt then)", async () => {
  // a NAS that accepts the connection and never answers; the clock never moves, only the signal ends it
  const silent: TrueNasDeps["connect"] = async () => ({ isOpen: true, send() {}, close() {}, setHandlers() {} })
  const time = new AbortController()
  const config = { url: "wss://nas.lan", apiKey: SIM_API_KEY, api: "auto", timeout: 30_000, midclt: "midclt", onNas: true } as TrueNasConfig
  const running = probeTrueNas(ctx(config, new ManualClock()), time.signal, { connect: silent, runCommand: noMidclt })
  await new Promise((r) => setImmediate(r))
  time.abort(new Error("probe timeout"))
  assert.deepEqual(await running, { state: "critical", text: "no answer from TrueNAS at nas.lan in time; midclt not tried" })
})

/**
 * `nutctl check` probing this host's executors end to end: the Proxmox VE and TrueNAS simulators
 * on 127.0.0.1 behind the real plugins (token refused, privilege missing, API down), a probe that
 * runs out of time, `--no-probe` without loading a plugin, and secrets kept out of the output.
 */
import assert from "node:assert/strict"
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { runCommand } from "citty"
import { z } from "zod"
import { systemClock } from "../monitor/index.ts"
import { defineExecutor, type Executor, type ExecutorCatalog, type ProgramLookup } from "../shutdown/index.ts"
import { ALL_PRIVILEGES } from "../../test/sim/proxmox/privileges.ts"
import { ProxmoxSim, SIM_TOKEN, SIM_TOKEN_ID, SIM_TOKEN_SECRET, standardCluster } from "../../test/sim/proxmox/index.ts"
import { SIM_API_KEY, startTrueNasSimulator } from "../../test/sim/truenas/index.ts"
import { ON_LINE, startFakeUpsServer, type FakeUpsServer } from "../../test/support/fake-ups-server.ts"
import { nodeFindProgram, redact, secretsOf } from "./_check-probes.ts"
import check from "./check.ts"

const dir = mkdtempSync(join(tmpdir(), "nutctl-check-probes-"))
const cleanup: Array<() => Promise<void>> = []
after(async () => {
  for (const c of cleanup) await c()
  rmSync(dir, { recursive: true, force: true })
})

async function ups(): Promise<FakeUpsServer> {
  const s = await startFakeUpsServer({ vars: ON_LINE })
  cleanup.push(() => s.close())
  return s
}

/** A config whose role for this host (pve1) monitors the fake UPS and shuts down with `executors`. */
function cluster(port: number, executors: string, shutdown: string[]): string {
  return `roles:\n  - { hosts: pve1, role: secondary, monitor: ["rack@127.0.0.1:${port}"], shutdown: [${shutdown.join(", ")}] }\nexecutors:\n${executors}`
}

interface CheckEnvForTest {
  readonly findProgram?: (name: string) => Promise<ProgramLookup | undefined>
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly catalog?: ExecutorCatalog
}

async function runCheck(config: string, args: string[] = [], env: CheckEnvForTest = {}): Promise<{ code: unknown; out: string }> {
  let out = ""
  const { result } = await runCommand(check, {
    // no upsmon logs in to the fake UPS here
    rawArgs: ["--config", "/etc/nutctl/nutctl.yaml", "--expect-logins", "0", ...args],
    data: {
      io: { out: (t: string) => void (out += t), err: (t: string) => void (out += t) },
      env: {},
      readFile: async (p: string) => {
        if (p === "/etc/nutctl/nutctl.yaml") return config
        throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: "ENOENT" })
      },
      hostname: "pve1",
      findProgram: env.findProgram ?? (async () => undefined),
      ...(env.sleep === undefined ? {} : { sleep: env.sleep }),
      ...(env.catalog === undefined ? {} : { catalog: env.catalog }),
    },
  })
  process.exitCode = undefined
  return { code: result, out }
}

async function pve(spec = standardCluster()): Promise<ProxmoxSim> {
  const sim = await ProxmoxSim.start({ ...spec, authDelayMs: 0 }, { clock: systemClock })
  cleanup.push(() => sim.stop())
  return sim
}

const proxmox = (url: string, token = SIM_TOKEN): string => `  proxmox: { url: "${url}", token: "${token}", requestTimeout: 5 }\n`

test("nutctl check probes the proxmox executor: OK with the token's privileges, its time in the perfdata", async () => {
  const s = await ups()
  const sim = await pve()
  const r = await runCheck(cluster(s.port, proxmox(sim.url("pve1")), ["proxmox"]), ["--json"])
  assert.equal(r.code, 0, r.out)
  const doc = JSON.parse(r.out) as { state: string; probes: Array<{ executor: string; plugin: string; state: string; text: string; ms: number }>; perfdata: Array<{ label: string }> }
  assert.equal(doc.probes[0]?.state, "OK")
  assert.match(doc.probes[0]?.text ?? "", /^executor proxmox: Proxmox VE 9\.1\.4 at http:\/\/127\.0\.0\.1:\d+: token accepted, privileges cover 59 guests, 3 nodes, HA \(disarm\)$/)
  assert.deepEqual(doc.perfdata.map((p) => p.label), ["probe_proxmox"])
  assert.deepEqual(sim.writes, [])
  const line = await runCheck(cluster(s.port, proxmox(sim.url("pve1")), ["proxmox"]))
  assert.match(line.out, /^UPS OK - rack@127\.0\.0\.1:\d+: online, charge 100 %, runtime 38 min \| .* probe_proxmox=[\d.]+s;;5;0\n$/)
})

test("nutctl check: a refused token, a missing privilege and an API that is down are CRITICAL, with the secret nowhere", async () => {
  const s = await ups()
  const sim = await pve()
  const bad = `${SIM_TOKEN_ID}=00000000-0000-4000-8000-0000deadbeef`
  const refused = await runCheck(cluster(s.port, proxmox(sim.url("pve1"), bad), ["proxmox"]))
  assert.equal(refused.code, 2, refused.out)
  assert.match(refused.out, /^UPS CRITICAL - rack@127\.0\.0\.1:\d+: online, charge 100 %, runtime 38 min, executor proxmox: the API token was refused by http:\/\/127\.0\.0\.1:\d+ \(401: /)
  assert.ok(!refused.out.includes("0000deadbeef"), refused.out)
  // on a PVE node qm/pct would take over: WARNING
  const onNode = await runCheck(cluster(s.port, proxmox(sim.url("pve1"), bad), ["proxmox"]), [], { findProgram: async (n) => (n === "qm" || n === "pct" ? { path: `/usr/sbin/${n}`, executable: true } : undefined) })
  assert.equal(onNode.code, 1, onNode.out)
  assert.match(onNode.out, /the local fallback would take over/)
  const weak = await pve({ ...standardCluster(), tokens: { [SIM_TOKEN_ID]: { secret: SIM_TOKEN_SECRET, privs: ALL_PRIVILEGES.filter((p) => p !== "VM.PowerMgmt") } } })
  const lacking = await runCheck(cluster(s.port, proxmox(weak.url("pve1")), ["proxmox"]))
  assert.equal(lacking.code, 2)
  assert.match(lacking.out, /executor proxmox: Proxmox VE 9\.1\.4 at .*: token accepted, but it lacks VM\.PowerMgmt on \/vms\/100, \/vms\/101, \/vms\/102 \(\+56 more\)/)
  weak.cluster.setApiUp("pve1", false)
  const down = await runCheck(cluster(s.port, proxmox(weak.url("pve1")), ["proxmox"]))
  assert.equal(down.code, 2)
  assert.match(down.out, /executor proxmox: the API at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\); no local fallback on this host/)
  assert.ok(!down.out.includes(SIM_TOKEN_SECRET))
})

test("nutctl check probes the truenas executor: OK, and CRITICAL for a refused key", async () => {
  const s = await ups()
  const nas = await startTrueNasSimulator({ version: "25.04" })
  cleanup.push(() => nas.close())
  const truenas = (key: string): string => `  truenas: { url: "${nas.url}", apiKey: "${key}", onNas: false, timeout: 5 }\n`
  const ok = await runCheck(cluster(s.port, truenas(SIM_API_KEY), ["truenas"]), ["--json"])
  assert.equal(ok.code, 0, ok.out)
  assert.match(ok.out, /"text": "executor truenas: TrueNAS TrueNAS-25\.04\.2\.6 at 127\.0\.0\.1:\d+ via \/api\/current: API key accepted, user truenas_admin has FULL_ADMIN"/)
  const refused = await runCheck(cluster(s.port, truenas("7-wrongwrongwrongwrong"), ["truenas"]))
  assert.equal(refused.code, 2)
  assert.match(refused.out, /executor truenas: the API key was refused by TrueNAS at 127\.0\.0\.1:\d+ \(wrong, expired or revoked\)/)
  assert.ok(!refused.out.includes("wrongwrongwrongwrong"))
  assert.deepEqual(nas.shutdowns, [])
})

/** A plugin whose probe is slow: it answers when its signal aborts, or never. */
function slowPlugin(honoursSignal: boolean): Executor<never> {
  return defineExecutor({
    name: "slow",
    config: z.object({}),
    plan: () => [],
    probe: (_ctx, signal) =>
      new Promise((resolve) => {
        if (honoursSignal) signal.addEventListener("abort", () => resolve({ state: "warning", text: "gave up waiting; the fallback is there" }), { once: true })
      }),
  }) as Executor<never>
}

test("nutctl check --probe-timeout: at the limit a probe is told to stop and may answer; one that does not is CRITICAL", async () => {
  const s = await ups()
  const config = cluster(s.port, "  slow: {}\n", ["slow"])
  // the limit comes at once; the grace after it never ends, so only the probe's own answer counts
  const limitOnly = (ms: number, signal?: AbortSignal): Promise<void> => (ms === 250 ? Promise.resolve() : new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true })))
  const polite = await runCheck(config, ["--probe-timeout", "0.25"], { catalog: { slow: slowPlugin(true) }, sleep: limitOnly })
  assert.equal(polite.code, 1, polite.out)
  assert.match(polite.out, /executor slow: gave up waiting; the fallback is there/)
  const deaf = await runCheck(config, ["--probe-timeout", "0.25"], { catalog: { slow: slowPlugin(false) }, sleep: async () => {} })
  assert.equal(deaf.code, 2, deaf.out)
  assert.match(deaf.out, /executor slow: no answer within 0\.25 s \(--probe-timeout\)/)
  const bad = await runCheck(config, ["--probe-timeout", "0"])
  assert.equal(bad.code, 3)
})

test("nutctl check --no-probe loads no plugin; a role without executors loads none either", async () => {
  const s = await ups()
  const loaded: string[] = []
  const catalog: ExecutorCatalog = { slow: async () => (loaded.push("slow"), slowPlugin(true)) }
  const skipped = await runCheck(cluster(s.port, "  slow: {}\n", ["slow"]), ["--no-probe", "--json"], { catalog })
  assert.equal(skipped.code, 0, skipped.out)
  assert.deepEqual(loaded, [])
  const none = await runCheck(cluster(s.port, "  slow: {}\n", []), [], { catalog })
  assert.equal(none.code, 0, none.out)
  assert.deepEqual(loaded, [])
})

test("nutctl check: an executor whose secret this user cannot read is UNKNOWN (not probed); one the config breaks is CRITICAL", async () => {
  const s = await ups()
  const unreadable = await runCheck(cluster(s.port, `  proxmox: { url: "https://127.0.0.1:8006", token: { file: ${join(dir, "no-such-token")} } }\n`, ["proxmox"]))
  assert.equal(unreadable.code, 3, unreadable.out)
  assert.match(unreadable.out, /executor proxmox: not probed: Cannot read .*no-such-token/)
  const broken = await runCheck(cluster(s.port, `  proxmox: { url: "https://127.0.0.1:8006", token: "${SIM_TOKEN}", ha: sometimes }\n`, ["proxmox"]))
  assert.equal(broken.code, 2, broken.out)
  assert.match(broken.out, /executor proxmox: Cannot configure executor proxmox from .* ha: /)
  assert.ok(!broken.out.includes(SIM_TOKEN_SECRET))
})

test("secretsOf() finds what came from { env } / { file } and secret-looking keys; redact() hides every one", () => {
  const raw = { url: "https://pve:8006", token: { file: "/etc/nutctl/pve.token" }, nested: { password: "hunter22" } }
  const configured = { url: "https://pve:8006", token: `${SIM_TOKEN_ID}=${SIM_TOKEN_SECRET}`, nested: { password: "hunter22" }, ha: "auto" }
  const secrets = secretsOf(raw, configured)
  assert.ok(secrets.includes(SIM_TOKEN_SECRET) && secrets.includes("hunter22"))
  assert.equal(redact(`a ${SIM_TOKEN_SECRET} b hunter22 c https://pve:8006`, secrets), "a *** b *** c https://pve:8006")
})

test("nodeFindProgram() finds executables by path or in PATH and the sbin directories, never runs them", async () => {
  const bin = join(dir, "bin")
  const { mkdirSync } = await import("node:fs")
  mkdirSync(bin, { recursive: true })
  writeFileSync(join(bin, "off-now"), "#!/bin/sh\nexit 1\n")
  chmodSync(join(bin, "off-now"), 0o755)
  writeFileSync(join(bin, "not-exec"), "data")
  chmodSync(join(bin, "not-exec"), 0o644)
  const find = nodeFindProgram(`${bin}:relative/dir`)
  assert.deepEqual(await find("off-now"), { path: join(bin, "off-now"), executable: true })
  assert.deepEqual(await find(join(bin, "off-now")), { path: join(bin, "off-now"), executable: true })
  assert.equal(await find("no-such-program-here"), undefined)
  assert.equal(await find(bin), undefined, "a directory is no program")
  if (process.getuid?.() !== 0) assert.deepEqual(await find("not-exec"), { path: join(bin, "not-exec"), executable: false })
  // found in the service directories even when PATH (cron's) lacks them
  assert.equal((await nodeFindProgram("/nonexistent")("sh"))?.executable, true)
})

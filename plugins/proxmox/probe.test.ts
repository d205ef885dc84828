/** The proxmox probe against the PVE simulator: GET requests only, each fault with its own message. */
import assert from "node:assert/strict"
import { after, test } from "node:test"
import { systemClock } from "../../src/monitor/index.ts"
import { configureExecutor, probeExecutor, type ProbeContext, type ProbeResult } from "../../src/shutdown/index.ts"
import { ALL_PRIVILEGES } from "../../test/sim/proxmox/privileges.ts"
import { ProxmoxHarness, ProxmoxSim, SIM_TOKEN, SIM_TOKEN_ID, SIM_TOKEN_SECRET, makeSimCertificates, standardCluster, type ClusterSpec, type TokenSpec } from "../../test/sim/proxmox/index.ts"
import { createProxmoxExecutor, type ProxmoxConfig } from "./index.ts"
import { privilegesAt } from "./probe.ts"

const harnesses: ProxmoxHarness[] = []
after(() => Promise.all(harnesses.map((h) => h.stop())))

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const BAD = `${SIM_TOKEN_ID}=00000000-0000-4000-8000-000000000000`

async function harness(spec: ClusterSpec = standardCluster(), options: Parameters<typeof ProxmoxHarness.start>[1] = {}): Promise<ProxmoxHarness> {
  const h = await ProxmoxHarness.start(spec, options)
  harnesses.push(h)
  return h
}

function withToken(token: Omit<TokenSpec, "secret">, spec: ClusterSpec = standardCluster()): ClusterSpec {
  return { ...spec, tokens: { [SIM_TOKEN_ID]: { secret: SIM_TOKEN_SECRET, ...token } } }
}

/** Programs on "this host": qm and pct when it is a PVE node. */
function probeCtx(config: ProxmoxConfig, clock: ProbeContext<ProxmoxConfig>["clock"], programs: readonly string[]): ProbeContext<ProxmoxConfig> {
  return { config, host: "pve1.example.lan", clock, log: quiet, findProgram: async (n) => (programs.includes(n) ? { path: `/usr/sbin/${n}`, executable: true } : undefined) }
}

async function probe(h: ProxmoxHarness, overrides: Record<string, unknown> = {}, options: { programs?: readonly string[]; signal?: AbortSignal } = {}): Promise<ProbeResult | undefined> {
  const ctx = probeCtx(await h.config(overrides), h.clock, options.programs ?? [])
  return h.clock.drive(probeExecutor(h.executor, ctx, options.signal ?? new AbortController().signal))
}

const NOT_PROXMOX = (h: ProxmoxHarness): string[] => h.sim.requests.filter((r) => r.method !== "GET" || r.status === 400 || r.status === 501).map((r) => `${r.method} ${r.path} ${r.status}`)

test("proxmox probe: token accepted and privileges cover every guest, node and HA (OK), by seven valid GETs", async () => {
  const h = await harness()
  const r = await probe(h)
  assert.deepEqual(r, { state: "ok", text: `Proxmox VE 9.1.4 at ${h.sim.url("pve1")}: token accepted, privileges cover 59 guests, 3 nodes, HA (disarm)` })
  assert.deepEqual(h.sim.requests.map((x) => `${x.method} ${x.path} ${x.status}`), [
    "GET /api2/json/version 200",
    "GET /api2/json/access/permissions 200",
    "GET /api2/json/cluster/status 200",
    "GET /api2/json/cluster/resources 200",
    "GET /api2/json/cluster/ha/resources 200",
    "GET /api2/json/cluster/ha/status/current 200",
    "GET /api2/json/cluster/ceph/flags 500", // no Ceph on this cluster: "binary not installed"
  ])
  assert.deepEqual(h.sim.invalidRequests, [])
  assert.deepEqual(NOT_PROXMOX(h), [])
  // PVE 8.4 (no disarm-ha): the HA change is setting resources to ignored; scope node covers this node only
  const old = await harness(standardCluster({ version: "8.4" }))
  assert.match((await probe(old, { scope: "node" }))?.text ?? "", /^Proxmox VE 8\.4\.14 at .*: token accepted, privileges cover 20 guests, 1 node, HA \(ignore\)$/)
  assert.deepEqual(old.sim.invalidRequests, [])
})

test("proxmox probe: a refused token is CRITICAL, or WARNING when qm/pct would take over", async () => {
  const h = await harness()
  const alone = await probe(h, { token: BAD })
  assert.equal(alone?.state, "critical")
  assert.equal(alone?.text, `the API token was refused by ${h.sim.url("pve1")} (401: wrong secret, unknown token id, expired or deleted token); no local fallback on this host (qm/pct not found: not a PVE node)`)
  const node = await probe(h, { token: BAD }, { programs: ["qm", "pct"] })
  assert.equal(node?.state, "warning")
  assert.match(node?.text ?? "", /^the API token was refused by .*; the local fallback would take over: only pve1's guests by qm\/pct, HA left as it is, no other node powered off$/)
  const off = await probe(h, { token: BAD, localFallback: false }, { programs: ["qm", "pct"] })
  assert.deepEqual([off?.state, off?.text.endsWith("no local fallback (localFallback: false)")], ["critical", true])
  assert.ok(!JSON.stringify([alone, node, off]).includes("00000000-0000-4000-8000-000000000000"), "the secret is never in the text")
  assert.deepEqual(NOT_PROXMOX(h), [])
})

test("proxmox probe: an API that is down is CRITICAL, WARNING on a PVE node", async () => {
  const h = await harness()
  const config = await h.config()
  h.sim.cluster.setApiUp("pve1", false)
  await new Promise((r) => setTimeout(r, 0))
  const down = await h.clock.drive(probeExecutor(h.executor, probeCtx(config, h.clock, []), new AbortController().signal))
  assert.equal(down?.state, "critical")
  assert.match(down?.text ?? "", /^the API at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\); no local fallback on this host/)
  const node = await h.clock.drive(probeExecutor(h.executor, probeCtx(config, h.clock, ["qm", "pct"]), new AbortController().signal))
  assert.equal(node?.state, "warning")
})

test("proxmox probe: missing privileges are CRITICAL and named with their paths", async () => {
  const noPower = await harness(withToken({ privs: ALL_PRIVILEGES.filter((p) => p !== "Sys.PowerMgmt" && p !== "Sys.Console") }))
  assert.deepEqual(await probe(noPower), {
    state: "critical",
    text: `Proxmox VE 9.1.4 at ${noPower.sim.url("pve1")}: token accepted, but it lacks Sys.PowerMgmt on /nodes/pve1, /nodes/pve2, /nodes/pve3; Sys.Console on /: the shutdown would be refused there (403)`,
  })
  // an ACL on two guests that gives them only VM.Audit
  const guests = await harness(withToken({ paths: { "/vms/140": ["VM.Audit"], "/vms/141": ["VM.Audit", "VM.Console"] } }))
  assert.match((await probe(guests))?.text ?? "", /but it lacks VM\.PowerMgmt on \/vms\/140, \/vms\/141: the shutdown would be refused there \(403\)$/)
  // with ha: freeze the plan changes datacenter.cfg instead: Sys.Modify
  const freeze = await harness(withToken({ privs: ALL_PRIVILEGES.filter((p) => p !== "Sys.Modify") }))
  assert.match((await probe(freeze, { ha: "freeze" }))?.text ?? "", /lacks Sys\.Modify on \/:/)
  assert.equal((await probe(freeze))?.state, "ok", "auto (disarm) does not need Sys.Modify")
  // without Sys.Audit nothing of the cluster can be read: this node alone is judged
  const blind = await harness(withToken({ privs: ["VM.Audit", "VM.PowerMgmt", "Sys.PowerMgmt"] }))
  assert.match((await probe(blind))?.text ?? "", /lacks Sys\.Audit on \/: the shutdown/)
  for (const h of [noPower, guests, freeze, blind]) assert.deepEqual(NOT_PROXMOX(h), [])
})

test("proxmox probe: a certificate that matches no pin is CRITICAL and never sees the token", async () => {
  const certs = makeSimCertificates()
  const sim = await ProxmoxSim.start(standardCluster(), { tls: certs })
  try {
    const executor = createProxmoxExecutor()
    const wrong = certs.fingerprint.replace(/^../, certs.fingerprint.startsWith("AA") ? "BB" : "AA")
    const config = await configureExecutor(executor, { url: sim.url("pve1"), token: SIM_TOKEN, fingerprint: wrong, requestTimeout: 5 }, "test")
    const r = await probeExecutor(executor, probeCtx(config, systemClock, []), new AbortController().signal)
    assert.equal(r?.state, "critical")
    assert.match(r?.text ?? "", /^TLS pin mismatch: Cannot trust 127\.0\.0\.1:\d+: its certificate [0-9A-F:]+ matches no pinned fingerprint; no local fallback/)
    assert.equal(sim.requests.length, 0)
    const good = await configureExecutor(executor, { url: sim.url("pve1"), token: SIM_TOKEN, fingerprint: certs.fingerprint, requestTimeout: 5 }, "test")
    assert.equal((await probeExecutor(executor, probeCtx(good, systemClock, []), new AbortController().signal))?.state, "ok")
  } finally {
    await sim.stop()
  }
})

test("proxmox probe: stops when its time is up (check's --probe-timeout) and says so", async () => {
  const h = await harness({ ...standardCluster(), authDelayMs: 60_000 })
  const time = new AbortController()
  const ctx = probeCtx(await h.config({ token: BAD }), h.clock, [])
  const [r] = await h.clock.drive(Promise.all([probeExecutor(h.executor, ctx, time.signal), h.clock.sleep(5000).then(() => time.abort(new Error("probe timeout")))]))
  assert.deepEqual(r, { state: "critical", text: `no answer from the API at ${h.sim.url("pve1")} in time; no local fallback on this host (qm/pct not found: not a PVE node)` })
})

test("privilegesAt() takes a listed path whole and only the propagating privileges from above", () => {
  const perms = { "/": { "Sys.Audit": 1, "Sys.Console": 0 }, "/vms": { "VM.PowerMgmt": 1, "VM.Audit": 1 }, "/vms/7": { "VM.Audit": 1 }, "/nodes": {} }
  assert.deepEqual([...privilegesAt(perms, "/")].sort(), ["Sys.Audit", "Sys.Console"])
  assert.deepEqual([...privilegesAt(perms, "/vms/101")].sort(), ["VM.Audit", "VM.PowerMgmt"])
  assert.deepEqual([...privilegesAt(perms, "/vms/7")], ["VM.Audit"])
  assert.deepEqual([...privilegesAt(perms, "/nodes/pve1")], [])
  // a default path that is absent holds nothing, whatever / gives
  assert.deepEqual([...privilegesAt({ "/": { "Sys.PowerMgmt": 1 } }, "/nodes/pve1")], [])
})

test("proxmox probe: on a Ceph cluster the flags need Sys.Modify on /, unless ceph: off", async () => {
  const spec = { ...standardCluster(), ceph: { flags: [] } }
  const h = await harness(spec)
  assert.match((await probe(h))?.text ?? "", /privileges cover 59 guests, 3 nodes, HA \(disarm\), Ceph flags$/)
  const privs = ALL_PRIVILEGES.filter((p) => p !== "Sys.Modify")
  const limited = await harness(withToken({ privs }, spec))
  const r = await probe(limited)
  assert.equal(r?.state, "critical")
  assert.match(r?.text ?? "", /lacks Sys\.Modify on \/: the shutdown would be refused there \(403\)/)
  assert.equal((await probe(limited, { ceph: "off" }))?.state, "ok")
  assert.deepEqual(limited.sim.invalidRequests, [])
})

test("proxmox probe: a Ceph whose monitors do not answer is a WARNING, as the plan treats it, and still needs Sys.Modify", async () => {
  // the only monitor runs on pve3, which is down: the cluster keeps quorum (2 of 3), Ceph has none
  const spec = { ...standardCluster(), ceph: { flags: [], mons: ["pve3"] } }
  const h = await harness(spec)
  h.sim.cluster.nodes.get("pve3")!.online = false
  const r = await probe(h)
  assert.equal(r?.state, "warning", r?.text ?? "")
  assert.match(r?.text ?? "", /Ceph flags; Ceph does not answer \(.*got timeout.*\): the shutdown would try to set its flags anyway$/)
  const limited = await harness(withToken({ privs: ALL_PRIVILEGES.filter((p) => p !== "Sys.Modify") }, spec))
  limited.sim.cluster.nodes.get("pve3")!.online = false
  assert.match((await probe(limited))?.text ?? "", /lacks Sys\.Modify on \//)
})

import assert from "node:assert/strict"
import { after, test } from "node:test"
import { ProxmoxHarness, SIM_TOKEN_ID, makeSimCertificates, orderViolations, runnerActsOn, standardCluster, type ClusterSpec } from "../../test/sim/proxmox/index.ts"
import { ProxmoxError, restoreProxmox } from "./index.ts"
import { tlsTrust } from "./session.ts"

const harnesses: ProxmoxHarness[] = []
after(() => Promise.all(harnesses.map((h) => h.stop())))

async function harness(spec: ClusterSpec = standardCluster(), options: Parameters<typeof ProxmoxHarness.start>[1] = {}): Promise<ProxmoxHarness> {
  const h = await ProxmoxHarness.start(spec, options)
  harnesses.push(h)
  return h
}

const BAD = `${SIM_TOKEN_ID}=00000000-0000-4000-8000-000000000000`
const pve1Running = (h: ProxmoxHarness): number[] => [...h.sim.cluster.guests.values()].filter((g) => g.node === "pve1" && g.status !== "stopped").map((g) => g.vmid)

test("proxmox with a wrong token fails with PVE_AUTH_FAILED after PVE's 401 delay (no fallback)", async () => {
  const h = await harness()
  const t0 = h.clock.now()
  await assert.rejects(h.plan(h.ctx(await h.config({ token: BAD, localFallback: false }))), (e: unknown) => {
    assert.ok(e instanceof ProxmoxError && e.code === "PVE_AUTH_FAILED", String(e))
    assert.match(e.message, /^Cannot authenticate to Proxmox VE at http:\/\/127\.0\.0\.1:\d+: 401 Authentication failed! \(check executors\.proxmox\.token/)
    return true
  })
  assert.ok(h.clock.now() - t0 >= 3000, "PVE answers a bad token only after ~3 s")
  assert.ok(h.sim.requests.every((r) => r.status === 401))
  assert.deepEqual(h.sim.writes.filter((r) => r.status !== 401), [])
})

test("proxmox with a wrong token on a PVE node falls back to qm/pct by startup order, then shutdown -h now", async () => {
  const h = await harness()
  runnerActsOn(h.runner, h.sim, "pve1")
  const { steps, outcomes } = await h.run(h.ctx(await h.config({ token: BAD })))
  assert.deepEqual(steps.map((s) => s.id), ["local-guests", "local-poweroff"])
  assert.deepEqual(outcomes.filter((o) => !o.ok), [])
  assert.deepEqual(pve1Running(h), [], "every guest of pve1 is down")
  const shutdowns = h.runner.lines.filter((l) => / shutdown /.test(l))
  assert.ok(shutdowns.includes("qm shutdown 105 --timeout 45 --forceStop 1"), shutdowns.join("\n"))
  assert.ok(!shutdowns.some((l) => l.includes(" 112 ")), "the stopped container is left alone")
  assert.equal(h.runner.lines.at(-1), "shutdown -h now")
  assert.deepEqual(orderViolations(h.sim), [])
  assert.ok(h.logs.some((l) => /^error Proxmox VE API unusable/.test(l)))
})

test("proxmox falls back to local commands when the API goes down mid-plan", async () => {
  const h = await harness()
  runnerActsOn(h.runner, h.sim, "pve1")
  let pulled = false
  h.sim.cluster.onEvent((e, c) => {
    const g = e.vmid === undefined ? undefined : c.guests.get(e.vmid)
    if (!pulled && e.kind === "guest-stopped" && g && c.startupOf(g).order === 2) {
      pulled = true
      c.setApiUp("pve1", false)
    }
  })
  const { outcomes } = await h.run(h.ctx(await h.config()))
  assert.ok(pulled)
  assert.deepEqual(outcomes.filter((o) => !o.ok).map((o) => o.id), [], "the fallback did each step's part")
  assert.deepEqual(pve1Running(h), [], "pve1's guests were stopped with qm/pct")
  assert.ok(h.runner.lines.some((l) => /^(qm|pct) shutdown /.test(l)))
  assert.equal(h.runner.lines.at(-1), "shutdown -h now")
  assert.ok(h.logs.some((l) => /falling back to local commands on pve1/.test(l)), h.logs.filter((l) => l.startsWith("error")).join("\n"))
  assert.deepEqual(h.sim.invalidRequests, [])
})

test("proxmox on a node without quorum touches no HA and only its own guests and itself", async () => {
  const h = await harness()
  const node = h.sim.cluster.node("pve1")
  if (node) node.quorumOverride = false
  const { steps } = await h.run(h.ctx(await h.config()))
  assert.ok(!steps.some((s) => s.id.startsWith("ha-")))
  await h.clock.drive(h.clock.sleep(30_000))
  assert.deepEqual(pve1Running(h), [])
  assert.deepEqual(h.sim.writes.filter((r) => r.path.includes("/cluster/")), [])
  assert.ok(h.sim.writes.every((r) => r.path.startsWith("/api2/json/nodes/pve1/")), "nothing sent for other nodes")
  assert.deepEqual(h.sim.cluster.eventsOf("node-shutdown-requested").map((e) => e.node), ["pve1"])
  assert.ok([...h.sim.cluster.guests.values()].some((g) => g.node === "pve2" && g.status === "running"))
})

test("proxmox leaves a locked guest to the node's own shutdown and warns", async () => {
  const h = await harness({ nodes: ["pve1"], tokens: standardCluster().tokens ?? {}, guests: [
    { vmid: 100, type: "qemu", node: "pve1", lock: "backup", startup: "order=1" },
    { vmid: 101, type: "lxc", node: "pve1", startup: "order=2", shutdownSeconds: 3 },
  ] })
  const { outcomes } = await h.run(h.ctx(await h.config()))
  assert.deepEqual(outcomes.filter((o) => !o.ok), [])
  assert.deepEqual(h.outcomes.map((o) => [o.vmid, o.outcome]), [[101, "stopped"], [100, "skipped-locked"]])
  assert.ok(h.logs.some((l) => /Guest 100 .* is locked \(backup\)/.test(l)))
  await h.clock.drive(h.clock.sleep(300_000))
  assert.equal(h.sim.cluster.eventsOf("node-stopall")[0]?.detail, "100", "pve-guests stops it at poweroff")
})

test("proxmox pins the node certificate: a wrong fingerprint never sees the token", async () => {
  const certs = makeSimCertificates()
  const wrong = certs.fingerprint.replace(/^../, certs.fingerprint.startsWith("AA") ? "BB" : "AA")
  const pinnedWrong = await harness(standardCluster(), { tls: certs, trust: { fingerprints: [wrong] } })
  await assert.rejects(pinnedWrong.plan(pinnedWrong.ctx(await pinnedWrong.config({ localFallback: false }))), (e: unknown) => e instanceof ProxmoxError && e.code === "PVE_TLS_PIN_MISMATCH")
  assert.equal(pinnedWrong.sim.requests.length, 0, "no request was written to the impostor")
  const untrusted = await harness(standardCluster(), { tls: certs })
  await assert.rejects(untrusted.plan(untrusted.ctx(await untrusted.config({ localFallback: false }))), (e: unknown) => e instanceof ProxmoxError && e.code === "PVE_TLS")
  for (const trust of [{ fingerprints: [certs.fingerprint] }, { ca: certs.caPem }, { ca: certs.caPem, fingerprints: [certs.fingerprint] }]) {
    const h = await harness(standardCluster(), { tls: certs, trust })
    const steps = await h.plan(h.ctx(await h.config({ localFallback: false })))
    assert.equal(steps.length, 6)
  }
})

test("tlsTrust() reads ca from a path and normalises fingerprints to PVE's uppercase form", async () => {
  const certs = makeSimCertificates()
  const h = await harness()
  const config = await h.config({ fingerprint: certs.fingerprint.toLowerCase(), ca: "/etc/pve/pve-root-ca.pem" })
  const read: string[] = []
  const trust = await tlsTrust(config, async (p) => (read.push(p), certs.caPem))
  assert.deepEqual(read, ["/etc/pve/pve-root-ca.pem"])
  assert.deepEqual(trust, { ca: certs.caPem, fingerprints: [certs.fingerprint] })
  assert.deepEqual(await tlsTrust({ ...config, ca: certs.caPem, fingerprint: undefined } as typeof config), { ca: certs.caPem })
})

test("proxmox with ha: freeze sets the shutdown policy, leaves HA guests to the LRM and puts the policy back", async () => {
  const h = await harness()
  const config = await h.config({ ha: "freeze" })
  const { steps } = await h.run(h.ctx(config))
  assert.equal(steps[0]?.id, "ha-freeze")
  const shut = new Set(h.sim.requests.filter((r) => r.path.endsWith("/status/shutdown")).map((r) => Number(r.params["vmid"])))
  assert.ok(!shut.has(101) && !shut.has(122), "HA guests are not in the ordered stop")
  await h.clock.drive(h.clock.sleep(120_000))
  const c = h.sim.cluster
  assert.equal(c.eventsOf("guest-stopped").find((e) => e.vmid === 101)?.detail, "lrm")
  assert.equal(c.ha.get("vm:101")?.crm, "freeze")
  assert.equal(c.eventsOf("ha-recovered").length, 0)
  for (const n of ["pve1", "pve2", "pve3"]) c.powerOn(n)
  await h.clock.drive(restoreProxmox({ config, host: "pve1", clock: h.clock, log: h.ctx(config).log }, h.deps))
  assert.equal(c.shutdownPolicy, undefined, "never set before, so deleted again")
  assert.deepEqual(h.sim.invalidRequests, [])
})

test("proxmox run from a host outside the cluster powers every node off, the API's node last, and waits until they are gone", async () => {
  const h = await harness()
  const { steps, outcomes } = await h.run(h.ctx(await h.config({}, "pve2"), { host: "truenas" }))
  assert.deepEqual(outcomes.filter((o) => !o.ok), [])
  assert.equal(steps.at(-1)?.description, "Power off pve1, pve2, pve3 (truenas last)")
  assert.deepEqual(h.sim.cluster.eventsOf("node-shutdown-requested").map((e) => e.node), ["pve1", "pve3", "pve2"])
  const lastOff = Math.max(...h.sim.cluster.eventsOf("node-off").map((e) => e.t))
  assert.ok(h.clock.now() >= lastOff - 2000, "the step ended only when the nodes were (about to be) gone")
  assert.deepEqual(h.runner.calls, [], "no local command on a host that is no node")
})

import assert from "node:assert/strict"
import { after, test } from "node:test"
import { ProxmoxHarness, standardCluster } from "../../test/sim/proxmox/index.ts"
import { runSteps } from "../../src/shutdown/index.ts"
import { CEPH_RECORD_KEY, restoreSteps, type CephRecord } from "./index.ts"

const harnesses: ProxmoxHarness[] = []
after(() => Promise.all(harnesses.map((h) => h.stop())))

/** The standard 3-node cluster, hyper-converged: Ceph with a MON on every node, `noscrub` set by its operator. */
async function cephHarness(ceph: { flags?: string[]; mons?: string[] } | null = { flags: ["noscrub"] }): Promise<ProxmoxHarness> {
  const h = await ProxmoxHarness.start({ ...standardCluster({ version: "9.1" }), ...(ceph ? { ceph } : {}) })
  harnesses.push(h)
  return h
}

const flags = (h: ProxmoxHarness): string[] => [...(h.sim.cluster.ceph?.flags ?? [])].sort()

async function restore(h: ProxmoxHarness, config: Awaited<ReturnType<ProxmoxHarness["config"]>>) {
  const ctx = h.ctx(config)
  const steps = await h.clock.drive(restoreSteps(ctx, h.deps))
  const outcomes = await h.clock.drive(runSteps("proxmox", steps, { clock: h.clock }))
  return { steps, outcomes }
}

test("proxmox on a Ceph cluster sets noout & co. once every guest is down and before any node powers off, and unsets exactly those when the cluster is back", async () => {
  // the operator keeps noout and noscrub set for their own reasons: both must survive the restore
  const h = await cephHarness({ flags: ["noscrub", "noout"] })
  const config = await h.config()
  const { steps, outcomes } = await h.run(h.ctx(config))
  assert.deepEqual(steps.map((s) => s.id).slice(-2), ["ceph-flags", "poweroff-nodes"])
  assert.deepEqual(outcomes.filter((o) => !o.ok), [])
  await h.clock.drive(h.clock.sleep(30_000))
  const c = h.sim.cluster
  const set = c.eventsOf("ceph-flag")
  assert.deepEqual(set.map((e) => e.detail).sort(), ["set nobackfill", "set norebalance", "set norecover"])
  const lastGuestDown = Math.max(...c.eventsOf("guest-stopped").map((e) => e.t))
  const firstNodeOff = Math.min(...c.eventsOf("node-shutdown-requested").map((e) => e.t))
  assert.ok(set.every((e) => e.t >= lastGuestDown && e.t <= firstNodeOff), "flags set between the last guest and the first node")
  assert.deepEqual(flags(h), ["nobackfill", "noout", "norebalance", "norecover", "noscrub"])
  const record = (await h.store.getItem(CEPH_RECORD_KEY)) as CephRecord
  assert.deepEqual([...record.set].sort(), ["nobackfill", "norebalance", "norecover"], "the operator's noout and noscrub are not ours")
  assert.deepEqual(h.sim.invalidRequests, [], "every request passed schema validation")

  for (const n of ["pve1", "pve2", "pve3"]) c.powerOn(n)
  await h.clock.drive(h.clock.sleep(1000))
  const back = await restore(h, config)
  assert.deepEqual(back.steps.map((s) => s.id), ["ceph-restore", "ha-restore"], "storage first, then HA starts its guests")
  assert.deepEqual(back.outcomes.filter((o) => !o.ok), [])
  assert.deepEqual(flags(h), ["noout", "noscrub"], "only what the shutdown set is unset")
  assert.equal(await h.store.getItem(CEPH_RECORD_KEY), null)
  assert.deepEqual(h.sim.invalidRequests, [])
})

test("proxmox: the Ceph flags wait for every node to be back (a MON quorum of two is not enough), and a node that stays away does not keep them forever", async () => {
  const h = await cephHarness({ flags: [] })
  const config = await h.config({ ceph: ["noout"] })
  await h.run(h.ctx(config))
  await h.clock.drive(h.clock.sleep(30_000))
  const c = h.sim.cluster
  assert.deepEqual(flags(h), ["noout"])

  // pve1 and pve2 boot; pve3 takes 4 minutes longer
  c.powerOn("pve1")
  c.powerOn("pve2")
  c.after(4 * 60_000, () => c.powerOn("pve3"))
  const started = h.clock.now()
  await restore(h, config)
  const unset = c.eventsOf("ceph-flag").find((e) => e.detail === "unset noout")
  assert.ok(unset !== undefined && unset.t >= started + 4 * 60_000, "noout stays until pve3 is back")
  assert.deepEqual(flags(h), [])

  // the next outage: pve3 never comes back
  await h.run(h.ctx(config))
  await h.clock.drive(h.clock.sleep(30_000))
  c.powerOn("pve1")
  c.powerOn("pve2")
  const again = h.clock.now()
  const { outcomes } = await restore(h, config)
  assert.deepEqual(outcomes.filter((o) => !o.ok), [])
  const last = c.eventsOf("ceph-flag").at(-1)
  assert.equal(last?.detail, "unset noout")
  assert.ok((last?.t ?? 0) >= again + 15 * 60_000, "after the 15 min wait")
  assert.ok(h.logs.some((l) => /Nodes pve3 not back after 15 min: unsetting the Ceph flags anyway/.test(l)), h.logs.join("\n"))
})

test("proxmox leaves Ceph alone where there is none, with ceph: off, and in a dry run", async () => {
  const none = await cephHarness(null) // no Ceph installed
  const plain = await none.run(none.ctx(await none.config()))
  assert.ok(!plain.steps.some((s) => s.id === "ceph-flags"), "no Ceph, no step")
  assert.equal(none.sim.requests.filter((r) => r.template === "/cluster/ceph/flags" && r.method === "PUT").length, 0)

  const off = await cephHarness()
  await off.run(off.ctx(await off.config({ ceph: "off" })))
  assert.equal(off.sim.requests.filter((r) => r.template === "/cluster/ceph/flags").length, 0, "ceph: off does not even look")
  assert.deepEqual(flags(off), ["noscrub"])

  const dry = await cephHarness()
  const { steps } = await dry.run(dry.ctx(await dry.config(), { dryRun: true }))
  assert.ok(steps.some((s) => s.id === "ceph-flags"))
  assert.deepEqual(dry.sim.writes, [], "a dry run writes nothing")
  assert.ok(dry.logs.some((l) => /Dry run: would set the Ceph flags noout, norecover, norebalance, nobackfill/.test(l)), dry.logs.join("\n"))
  assert.deepEqual(flags(dry), ["noscrub"])
})

test("proxmox on a Ceph cluster asks the nodes without a monitor to power off first, and logs Ceph's health before setting the flags", async () => {
  // monitors on pve1 (this node, the API endpoint) and pve2; pve3 runs only OSDs
  const h = await cephHarness({ flags: [], mons: ["pve1", "pve2"] })
  const config = await h.config()
  const { outcomes } = await h.run(h.ctx(config))
  assert.deepEqual(outcomes.filter((o) => !o.ok), [])
  await h.clock.drive(h.clock.sleep(30_000))
  const order = h.sim.cluster.eventsOf("node-shutdown-requested").map((e) => e.node)
  assert.deepEqual(order, ["pve3", "pve2", "pve1"], "no monitor, then the monitor, then this node")
  assert.ok(h.logs.includes("info Ceph health before the shutdown: HEALTH_OK"), h.logs.filter((l) => /Ceph/.test(l)).join("\n"))
  assert.deepEqual(h.sim.invalidRequests, [])

  // the dry run says the same order
  const dry = await cephHarness({ flags: ["noout"], mons: ["pve1", "pve2"] })
  await dry.run(dry.ctx(await dry.config(), { dryRun: true }))
  assert.ok(dry.logs.some((l) => l.includes("would power off pve3, pve2, pve1")), dry.logs.join("\n"))
})

test("proxmox without Ceph keeps the plain order: the other nodes by name, this node last", async () => {
  const h = await cephHarness(null)
  await h.run(h.ctx(await h.config()))
  await h.clock.drive(h.clock.sleep(30_000))
  assert.deepEqual(h.sim.cluster.eventsOf("node-shutdown-requested").map((e) => e.node), ["pve2", "pve3", "pve1"])
})

import assert from "node:assert/strict"
import { after, test } from "node:test"
import { ProxmoxHarness, SPECIAL, orderViolations, standardCluster, type ProxmoxSim } from "../../test/sim/proxmox/index.ts"
import { planExecutor, runSteps } from "../../src/shutdown/index.ts"
import { HA_RECORD_KEY, restoreProxmox, type HaRecord } from "./index.ts"

const harnesses: ProxmoxHarness[] = []
after(() => Promise.all(harnesses.map((h) => h.stop())))

async function harness(version: "9.1" | "8.4" = "9.1"): Promise<ProxmoxHarness> {
  const h = await ProxmoxHarness.start(standardCluster({ version }))
  harnesses.push(h)
  return h
}

const firstGuestStop = (sim: ProxmoxSim): number => Math.min(...sim.requests.filter((r) => /status\/(shutdown|stop)$/.test(r.path)).map((r) => r.t))

async function assertQuiesced(h: ProxmoxHarness, o: { lastOff?: string | undefined } = { lastOff: "pve1" }): Promise<void> {
  // the nodes power off a few (virtual) seconds after the last request
  await h.clock.drive(h.clock.sleep(30_000))
  const c = h.sim.cluster
  assert.deepEqual(orderViolations(h.sim), [], "no guest before every guest of a later startup group is down")
  for (const vmid of SPECIAL.ignoresAcpi) {
    const asked = c.events.find((e) => e.kind === "guest-shutdown-requested" && e.vmid === vmid)
    const down = c.events.find((e) => e.kind === "guest-stopped" && e.vmid === vmid)
    assert.equal(down?.detail, "forced", `VM ${vmid} ignores ACPI and is forced`)
    assert.equal((down?.t ?? 0) - (asked?.t ?? 0), 45_500, `VM ${vmid}: SIGTERM at its down=45, gone 0.5 s later`)
  }
  const touched = new Set(h.sim.requests.filter((r) => r.method === "POST").map((r) => r.path))
  assert.ok(![...touched].some((p) => p.includes(`/${SPECIAL.stoppedContainer}/`)), "the stopped container is not shut down again")
  assert.ok(![...touched].some((p) => p.includes(`/${SPECIAL.template}/`)), "the template is skipped")
  assert.equal(c.eventsOf("hastop").length, 0, "no guest went the hastop way")
  assert.equal(c.eventsOf("node-stopall").length, 0, "every guest was down before its node's own stopall")
  assert.equal(c.eventsOf("ha-recovered").length, 0, "nothing was recovered onto another node")
  assert.deepEqual([...c.nodes.values()].map((n) => [n.name, n.online]), [["pve1", false], ["pve2", false], ["pve3", false]])
  const offs = c.eventsOf("node-shutdown-requested").map((e) => e.node)
  if (o.lastOff !== undefined) assert.equal(offs.at(-1), o.lastOff, "this node is powered off last")
  assert.deepEqual(h.sim.invalidRequests, [], "every request passed schema validation")
}

async function powerBackOn(h: ProxmoxHarness): Promise<void> {
  for (const n of ["pve1", "pve2", "pve3"]) h.sim.cluster.powerOn(n)
  await h.clock.drive(h.clock.sleep(1000))
}

test("proxmox on PVE 9.1: disarms HA, stops every running guest by startup order, powers off all nodes, re-arms after power returns", async () => {
  const h = await harness("9.1")
  const haBefore = h.sim.cluster.haConfig()
  const config = await h.config()
  const { steps, outcomes } = await h.run(h.ctx(config))
  assert.deepEqual(steps.map((s) => s.id), ["ha-disarm", "guests-no-order", "guests-order-3", "guests-order-2", "guests-order-1", "poweroff-nodes"])
  assert.deepEqual(outcomes.filter((o) => !o.ok), [])
  const c = h.sim.cluster
  const disarmed = c.eventsOf("ha-disarmed")[0]
  assert.ok(disarmed !== undefined && disarmed.t <= firstGuestStop(h.sim), "HA disarmed before any guest stop")
  assert.ok(h.sim.requests.findIndex((r) => r.path.endsWith("/disarm-ha")) < h.sim.requests.findIndex((r) => r.path.endsWith("/status/shutdown")))
  assert.equal(h.sim.writes.filter((r) => r.template === "/cluster/ha/resources/{sid}").length, 0, "no per-resource changes on 9.1")
  await assertQuiesced(h)
  assert.equal(h.outcomes.filter((o) => o.outcome === "forced").length, SPECIAL.ignoresAcpi.length)
  const record = (await h.store.getItem(HA_RECORD_KEY)) as HaRecord
  assert.equal(record.mode, "disarm")

  await powerBackOn(h)
  const restored = await h.clock.drive(restoreProxmox({ config, host: "pve1", clock: h.clock, log: h.ctx(config).log }, h.deps))
  assert.equal(restored.armed, true)
  await h.clock.drive(h.clock.sleep(30_000))
  assert.equal(c.disarm.state, "armed")
  assert.deepEqual(c.haConfig(), haBefore, "HA resources exactly as before")
  assert.equal(await h.store.getItem(HA_RECORD_KEY), null, "the record is gone once restored")
  const started = c.eventsOf("guest-started").map((e) => e.vmid)
  assert.deepEqual(started.sort(), [101, 103, 104, 110, 121, 122, 127, 141, 146, 153], "HA starts its `started` guests again")
  assert.deepEqual(h.sim.invalidRequests, [])
})

test("proxmox on PVE 8.4 takes the ignored path and restores every recorded state exactly", async () => {
  const h = await harness("8.4")
  const haBefore = h.sim.cluster.haConfig()
  const config = await h.config()
  const { steps, outcomes } = await h.run(h.ctx(config))
  assert.equal(steps[0]?.id, "ha-ignore")
  assert.deepEqual(outcomes.filter((o) => !o.ok), [])
  const puts = h.sim.writes.filter((r) => r.template === "/cluster/ha/resources/{sid}")
  assert.deepEqual(puts.map((r) => [r.params["sid"], r.params["state"]]).sort(), Object.keys(haBefore).map((sid) => [sid, "ignored"]).sort())
  assert.ok(Math.max(...puts.map((r) => r.t)) <= firstGuestStop(h.sim), "resources ignored before any guest stop")
  assert.equal(h.sim.requests.filter((r) => r.path.endsWith("/disarm-ha")).length, 0, "8.4 has no disarm-ha and it is not tried")
  await assertQuiesced(h)
  const record = (await h.store.getItem(HA_RECORD_KEY)) as HaRecord
  assert.deepEqual(record.resources, { "vm:101": null, "ct:103": "started", "vm:104": "started", "vm:110": null, "vm:114": "stopped", "vm:121": "enabled", "vm:122": "started", "vm:127": null, "ct:131": "disabled", "vm:141": "started", "vm:146": null, "vm:153": "started" })

  await powerBackOn(h)
  await h.clock.drive(restoreProxmox({ config, host: "pve1", clock: h.clock, log: h.ctx(config).log }, h.deps))
  assert.deepEqual(h.sim.cluster.haConfig(), haBefore, "keys that were absent are absent again, explicit states are back")
  assert.deepEqual(h.sim.invalidRequests, [])
})

test("proxmox dry run reads everything and changes nothing", async () => {
  const h = await harness("9.1")
  const haBefore = h.sim.cluster.haConfig()
  const { outcomes } = await h.run(h.ctx(await h.config(), { dryRun: true }))
  assert.deepEqual(outcomes.filter((o) => !o.ok), [])
  assert.deepEqual(h.sim.writes, [], "no POST/PUT/DELETE reached the API")
  assert.ok(h.sim.requests.some((r) => r.path.endsWith("/status/current")), "guests were read")
  assert.deepEqual(h.sim.cluster.haConfig(), haBefore)
  assert.ok([...h.sim.cluster.nodes.values()].every((n) => n.online))
  assert.ok(h.logs.some((l) => /Dry run: would power off pve2, pve3, pve1/.test(l)), h.logs.join("\n"))
  assert.deepEqual(h.runner.calls, [])
})


test("proxmox with scope: node on all three nodes keeps the cluster-wide startup order and powers each node off", async () => {
  const h = await harness("9.1")
  const work = Promise.all(
    ["pve1", "pve2", "pve3"].map(async (node) => {
      const ctx = h.ctx(await h.config({ scope: "node" }, node), { host: `${node}.example.lan` })
      const steps = await planExecutor(h.executor, ctx)
      return runSteps("proxmox", steps, { clock: h.clock })
    }),
  )
  const results = await h.clock.drive(work)
  assert.deepEqual(results.flat().filter((o) => !o.ok).map((o) => o.error?.message), [])
  const disarms = h.sim.requests.filter((r) => r.path.endsWith("/disarm-ha"))
  assert.ok(disarms.length >= 1 && disarms.every((r) => r.status === 200), "disarming twice is harmless")
  for (const node of ["pve1", "pve2", "pve3"]) {
    const own = h.sim.requests.filter((r) => r.template === "/nodes/{node}/qemu/{vmid}/status/shutdown" || r.template === "/nodes/{node}/lxc/{vmid}/status/shutdown").filter((r) => r.via === node)
    assert.ok(own.length > 0 && own.every((r) => r.params["node"] === node), `${node} only stops its own guests`)
  }
  await assertQuiesced(h, { lastOff: undefined })
})

test("proxmox HA step run twice (a resumed plan, a second node) keeps the states recorded first", async () => {
  const h = await harness("8.4")
  const haBefore = h.sim.cluster.haConfig()
  const config = await h.config()
  const steps = await h.plan(h.ctx(config))
  const ha = steps[0]
  assert.equal(ha?.id, "ha-ignore")
  await h.clock.drive(ha.run(new AbortController().signal))
  await h.clock.drive(ha.run(new AbortController().signal))
  const record = (await h.store.getItem(HA_RECORD_KEY)) as HaRecord
  assert.equal(record.resources["vm:103"] ?? record.resources["ct:103"], "started")
  assert.equal(record.resources["vm:101"], null)
  await h.clock.drive(restoreProxmox({ config, host: "pve1", clock: h.clock, log: h.ctx(config).log }, h.deps))
  assert.deepEqual(h.sim.cluster.haConfig(), haBefore)
})

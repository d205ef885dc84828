import assert from "node:assert/strict"
import { after, test } from "node:test"
import memoryDriver from "unstorage/drivers/memory"
import { buildPlan, restoreAfterPowerReturn, runPlan, type Executor, type ShutdownLog } from "../../src/shutdown/index.ts"
import { createStore } from "../../src/store/index.ts"
import { ProxmoxHarness, orderViolations, standardCluster } from "../../test/sim/proxmox/index.ts"
import { createProxmoxExecutor } from "./index.ts"

const harnesses: ProxmoxHarness[] = []
after(() => Promise.all(harnesses.map((h) => h.stop())))

/** The harness's executor, but keeping its HA record in the runner's store (`ctx.state`). */
async function setup(version: "9.1" | "8.4" = "9.1") {
  const h = await ProxmoxHarness.start(standardCluster({ version }))
  harnesses.push(h)
  const { store: _own, ...deps } = h.deps
  const executor = createProxmoxExecutor(deps)
  const store = createStore({ driver: memoryDriver() })
  const lines: string[] = []
  const log: ShutdownLog = (level, message) => void lines.push(`${level} ${message}`)
  const executors = [{ executor: executor as Executor<unknown>, config: await h.config() }]
  const plan = (signal?: AbortSignal) => h.clock.drive(buildPlan({ host: "pve1", executors, clock: h.clock, log, dryRun: false, store, ...(signal ? { signal } : {}) }))
  return { h, store, log, lines, executors, plan }
}

test("runPlan() with proxmox: power returns mid-plan, the run stops before the poweroff and re-arms HA", async () => {
  const { h, store, log, plan } = await setup("9.1")
  const haBefore = h.sim.cluster.haConfig()
  const power = new AbortController()
  h.sim.cluster.onEvent((e, c) => {
    const g = e.vmid === undefined ? undefined : c.guests.get(e.vmid)
    if (e.kind === "guest-stopped" && g && c.startupOf(g).order === 2 && !power.signal.aborted) power.abort(new Error("mains returned"))
  })
  const result = await h.clock.drive(runPlan(await plan(), { clock: h.clock, store, log, signal: power.signal, tickMs: 0 }))
  assert.equal(result.state, "aborted")
  assert.equal(result.pointOfNoReturn, undefined)
  assert.equal(result.restored?.ok, true, JSON.stringify(result.restored))
  assert.deepEqual(h.sim.cluster.eventsOf("node-shutdown-requested"), [], "no node was powered off")
  await h.clock.drive(h.clock.sleep(30_000))
  assert.equal(h.sim.cluster.disarm.state, "armed")
  assert.deepEqual(h.sim.cluster.haConfig(), haBefore)
  assert.deepEqual(orderViolations(h.sim), [])
  assert.deepEqual(h.sim.invalidRequests, [])
})

test("runPlan() with proxmox on 8.4, then restoreAfterPowerReturn() at the next start puts HA back from the store", async () => {
  const { h, store, log, executors, plan, lines } = await setup("8.4")
  const haBefore = h.sim.cluster.haConfig()
  const result = await h.clock.drive(runPlan(await plan(), { clock: h.clock, store, log, tickMs: 0 }))
  assert.equal(result.state, "done", result.failures.join("\n"))
  assert.equal(result.pointOfNoReturn?.step, "proxmox/poweroff-nodes")
  assert.deepEqual(
    result.steps.map((s) => [s.key, s.state]),
    [["proxmox/ha-ignore", "done"], ["proxmox/guests-no-order", "done"], ["proxmox/guests-order-3", "done"], ["proxmox/guests-order-2", "done"], ["proxmox/guests-order-1", "done"], ["proxmox/poweroff-nodes", "done"]],
  )
  assert.match(result.steps[2]?.note ?? "", /shut down, 2 forced/)
  await h.clock.drive(h.clock.sleep(30_000))
  assert.ok([...h.sim.cluster.nodes.values()].every((n) => !n.online))
  assert.ok(Object.values(h.sim.cluster.haConfig()).every((r) => r["state"] === "ignored"))

  for (const n of ["pve1", "pve2", "pve3"]) h.sim.cluster.powerOn(n)
  const restored = await h.clock.drive(restoreAfterPowerReturn({ host: "pve1", executors, store, clock: h.clock, log }))
  assert.equal(restored?.ok, true, lines.filter((l) => l.startsWith("error")).join("\n"))
  assert.deepEqual(h.sim.cluster.haConfig(), haBefore)
  assert.equal(await h.clock.drive(restoreAfterPowerReturn({ host: "pve1", executors, store, clock: h.clock, log })), undefined, "only once")
})

test("runPlan() runs a group's fallback: a guest still up after its timeout (forceAfter: false) is hard-stopped", async () => {
  const h = await ProxmoxHarness.start({ nodes: ["pve1"], tokens: standardCluster().tokens ?? {}, guests: [{ vmid: 100, type: "qemu", node: "pve1", startup: "order=1,down=30", ignoresAcpi: true }] })
  harnesses.push(h)
  const executor = createProxmoxExecutor(h.deps)
  const store = createStore({ driver: memoryDriver() })
  const lines: string[] = []
  const log: ShutdownLog = (level, m) => void lines.push(`${level} ${m}`)
  const plan = await h.clock.drive(buildPlan({ host: "pve1", executors: [{ executor: executor as Executor<unknown>, config: await h.config({ forceAfter: false }) }], clock: h.clock, log, dryRun: false, store }))
  const result = await h.clock.drive(runPlan(plan, { clock: h.clock, store, log, tickMs: 0 }))
  const group = result.steps.find((s) => s.key === "proxmox/guests-order-1")
  assert.deepEqual([group?.state, group?.via, group?.note], ["done", "fallback", "1 guests hard-stopped"])
  assert.ok(lines.some((l) => /Guests still running: 100 \(still running after its timeout \(forceAfter: false\)\); fallback: Hard-stop/.test(l)), lines.join("\n"))
  const asked = h.sim.requests.find((r) => r.path.endsWith("/status/shutdown"))
  assert.equal(asked?.params["forceStop"], "0")
  assert.equal(h.sim.cluster.eventsOf("guest-stopped")[0]?.detail, "stop")
})

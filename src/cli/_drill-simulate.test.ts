/**
 * `nutctl drill --simulate` end to end: the simulated UPS behind nutctl's server, four monitors,
 * the TrueNAS simulator, and the secondaries as the binary runs them (command stand-ins) or
 * against the Proxmox VE simulator (3 nodes × 20 guests). Nothing real is powered off: the
 * command stand-ins only sleep, midclt and qm/pct/shutdown go to refusing or recording fakes.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { createProxmoxExecutor } from "../../plugins/proxmox/index.ts"
import { FakeRunner } from "../../test/sim/proxmox/harness.ts"
import { ProxmoxSim, SIM_TOKEN, standardCluster } from "../../test/sim/proxmox/index.ts"
import { createLog } from "./_log.ts"
import { configureExecutor, type Executor } from "../shutdown/index.ts"
import type { SecondariesFactory } from "./_drill-sim-cluster.ts"
import { runSimulatedDrill, type SimulateResult } from "./_drill-simulate.ts"

function quietLog() {
  const log = createLog({})
  log.level = 0
  return log
}

function assertOrdered(r: SimulateResult, hosts: readonly string[]): void {
  assert.deepEqual(r.failures, [])
  assert.equal(r.ok, true)
  assert.ok(r.triggerAtMs !== undefined, "the shutdown was triggered")
  const ponr = r.lines.find((l) => l.host === "truenas" && l.text === "point of no return: truenas/poweroff")?.atMs
  assert.ok(ponr !== undefined, "the NAS was powered off")
  for (const h of hosts) {
    const done = r.secondariesDoneAtMs[h]
    assert.ok(done !== undefined && done <= ponr, `${h} was down (T+${done}) before the NAS power-off (T+${ponr})`)
  }
  assert.ok(r.nasOffAtMs !== undefined && r.nasOffAtMs >= ponr)
  assert.equal(r.killRequested, true)
  assert.ok(r.wallMs < 60_000, `under a minute of wall time (${r.wallMs} ms)`)
}

test("runSimulatedDrill() with the binary's command stand-ins: runtimeBelow auto triggers, secondaries first, NAS off, UPS kill", async () => {
  const out: string[] = []
  const r = await runSimulatedDrill({ speed: 40, log: quietLog(), out: (l) => out.push(l) })
  assertOrdered(r, ["pve1", "pve2", "pve3"])
  const text = out.join("\n")
  assert.match(text, /command executor stand-ins \(sleep\), since this build has no Proxmox simulator/)
  assert.match(text, /sets FSD \(runtimeBelow: auto\)/)
  assert.match(text, /✔ every secondary was down before the NAS powered off/)
  // the trigger came from the runtime budget, before the UPS said LB
  const lb = r.lines.find((l) => /\bLB\b/.test(l.text))
  assert.ok(lb === undefined || (r.triggerAtMs ?? Infinity) < lb.atMs, "triggered before LB")
})

test("runSimulatedDrill() against the Proxmox VE simulator: every node quiesced and off before the NAS, every request schema-valid", async () => {
  let sim: ProxmoxSim | undefined
  const runner = new FakeRunner()
  const proxmox: SecondariesFactory = async ({ clock }) => {
    sim = await ProxmoxSim.start(standardCluster({ version: "9.1" }), { clock })
    const s = sim
    // qm/pct/shutdown never run for real: the fake only records
    const executor = createProxmoxExecutor({ runner }) as unknown as Executor<unknown>
    return {
      label: "the Proxmox VE 9.1 simulator (3 nodes × 20 guests), one node per secondary",
      hosts: ["pve1", "pve2", "pve3"],
      async executors(host) {
        const config = await configureExecutor(executor, { url: s.url(host), token: SIM_TOKEN, node: host, scope: "node" }, "test")
        return [{ executor, config, name: "proxmox" }]
      },
      summary: () => [
        s.invalidRequests.length === 0 ? "✔ every Proxmox API request passed schema validation" : `✖ ${s.invalidRequests.length} Proxmox API requests failed schema validation`,
        [...s.cluster.nodes.values()].every((n) => !n.online) ? "✔ every Proxmox node is off" : `✖ nodes still on: ${[...s.cluster.nodes.values()].filter((n) => n.online).map((n) => n.name).join(", ")}`,
      ],
      close: () => s.stop(),
    }
  }
  const out: string[] = []
  const r = await runSimulatedDrill({ speed: 40, secondaries: proxmox, log: quietLog(), out: (l) => out.push(l) })
  assert.ok(sim !== undefined)
  assertOrdered(r, ["pve1", "pve2", "pve3"])
  assert.deepEqual(runner.calls, [], "no local command was needed (or run)")
  assert.match(out.join("\n"), /✔ every Proxmox API request passed schema validation/)
})

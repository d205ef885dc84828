import assert from "node:assert/strict"
import { test } from "node:test"
import { z } from "zod"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { createStore } from "../store/index.ts"
import { buildPlan, createRuntimeBudget, defineExecutor, learnedMs, planNeedMs, planTimeline, recordDuration, runtimeCovers, type Step } from "./index.ts"

const step = (id: string, extra: Partial<Step> = {}): Step => ({ id, description: id, timeoutMs: 180_000, run: async () => {}, ...extra })

async function plan(steps: Step[]) {
  const executor = defineExecutor({ name: "proxmox", config: z.object({}), plan: () => steps })
  return buildPlan({ host: "pve-1", executors: [{ executor, config: {} }], clock: new ManualClock(), log: () => {}, dryRun: true })
}

test("planTimeline() schedules a group on its concurrency and takes learned > estimate > timeout", async () => {
  const p = await plan([
    step("ha", { estimateMs: 2000 }),
    step("g1", { group: "o3", concurrency: 2, estimateMs: 60_000 }),
    step("g2", { group: "o3", concurrency: 2, estimateMs: 30_000 }),
    step("g3", { group: "o3", concurrency: 2, estimateMs: 30_000 }),
    step("g4", { group: "o1" }),
    step("off", { estimateMs: 5000, pointOfNoReturn: true, fallback: { description: "f", timeoutMs: 10_000, run: async () => {} } }),
  ])
  const t = planTimeline(p, new Map([["proxmox:g4", 45_000]]))
  assert.deepEqual(
    t.entries.map((e) => [e.key, e.startMs, e.endMs, e.source]),
    [
      ["proxmox/ha", 0, 2000, "estimate"],
      ["proxmox/g1", 2000, 62_000, "estimate"],
      ["proxmox/g2", 2000, 32_000, "estimate"],
      ["proxmox/g3", 32_000, 62_000, "estimate"],
      ["proxmox/g4", 62_000, 107_000, "learned"],
      ["proxmox/off", 107_000, 112_000, "estimate"],
    ],
  )
  assert.equal(t.totalMs, 112_000)
  assert.equal(t.pointOfNoReturnMs, 107_000)
  // worst: 180 + max(180+180, 180) + 180 + (180+10)
  assert.equal(t.worstMs, 180_000 + 360_000 + 180_000 + 190_000)
  assert.equal(planTimeline(await plan([step("x")])).entries[0]?.source, "timeout")
})

test("planNeedMs() and runtimeCovers() apply the margin; a missing runtime counts as covering", () => {
  assert.equal(planNeedMs({ totalMs: 100_000 }), 155_000)
  assert.equal(planNeedMs({ totalMs: 100_000 }, { factor: 1, extraMs: 0 }), 100_000)
  assert.deepEqual(runtimeCovers(155, 155_000), { covers: true, needMs: 155_000, runtimeMs: 155_000, slackMs: 0 })
  assert.equal(runtimeCovers(154, 155_000).covers, false)
  assert.equal(runtimeCovers(Number.NaN, 155_000).covers, true)
})

test("learnedMs() takes the longest recent real run, drills only while no run exists", () => {
  assert.equal(learnedMs(undefined), undefined)
  assert.equal(learnedMs({ samples: [{ ms: 9000, at: 1, source: "drill" }, { ms: 7000, at: 2, source: "drill" }] }), 9000)
  const runs = [20, 30, 10, 10, 10, 10].map((s, i) => ({ ms: s * 1000, at: i, source: "run" as const }))
  assert.equal(learnedMs({ samples: [{ ms: 99_000, at: 0, source: "drill" }, ...runs] }), 30_000)
  assert.equal(learnedMs({ samples: [...runs, { ms: 1000, at: 9, source: "run" }, { ms: 1000, at: 10, source: "run" }] }), 10_000, "only the last five runs count")
})

test("createRuntimeBudget() uses the store's learned durations and answers from battery.runtime strings", async () => {
  const store = createStore()
  await recordDuration(store, "proxmox:g1", { ms: 120_000, at: 0, source: "run" })
  const budget = await createRuntimeBudget({ plan: await plan([step("g1", { estimateMs: 10_000 }), step("off", { estimateMs: 10_000 })]), store, margin: { factor: 1.5, extraMs: 15_000 } })
  assert.equal(budget.timeline.totalMs, 130_000)
  assert.equal(budget.needMs, 210_000)
  assert.equal(budget.covers("210"), true)
  assert.equal(budget.covers(209), false)
  assert.equal(budget.check("180").slackMs, -30_000)
})

test("clusterTimeline() starts the secondaries after FSD and sizes the primary's wait from the last of them", async () => {
  const { clusterTimeline } = await import("./index.ts")
  const exec = (name: string, steps: Step[]) => ({ executor: defineExecutor({ name, config: z.object({}), plan: () => steps }), config: {} })
  const plan = (name: string, steps: Step[]) => buildPlan({ host: name, executors: [exec(name === "nas" ? "truenas" : "proxmox", steps)], clock: new ManualClock(), log: () => {}, dryRun: true })
  const timeline = clusterTimeline({
    hosts: [
      { host: "pve1", role: "secondary", plan: await plan("pve1", [step("guests", { estimateMs: 60_000 })]) },
      { host: "pve2", role: "secondary", plan: await plan("pve2", [step("guests", { estimateMs: 50_000 }), step("off", { estimateMs: 40_000, pointOfNoReturn: true })]) },
      { host: "nas", role: "primary", plan: await plan("nas", [step("wait-secondaries", { waits: "secondaries" }), step("poweroff", { estimateMs: 2000, pointOfNoReturn: true }), step("wait-off", { estimateMs: 45_000 })]) },
    ],
  })
  assert.deepEqual(timeline.hosts.map((h) => [h.host, h.startMs, h.endMs]), [["pve1", 10_000, 70_000], ["pve2", 10_000, 100_000], ["nas", 5000, 147_000]])
  assert.equal(timeline.totalMs, 147_000)
  assert.equal(timeline.needMs, 213_750)
  assert.deepEqual(
    timeline.events.filter((e) => e.host === "nas").map((e) => [e.atMs, e.kind, e.entry?.key]),
    [[0, "fsd", undefined], [5000, "step", "truenas/wait-secondaries"], [100_000, "step", "truenas/poweroff"], [102_000, "step", "truenas/wait-off"], [147_000, "done", undefined]],
  )
})

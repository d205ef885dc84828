import assert from "node:assert/strict"
import { test } from "node:test"
import memoryDriver from "unstorage/drivers/memory"
import { z } from "zod"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { createStore, type NutctlStore } from "../store/index.ts"
import { buildPlan, createProgressWriter, defineExecutor, readJournal, runPlan, type HostPlan, type ProgressEvent, type RunPlanOptions, type Step } from "./index.ts"

/** Let every pending promise run (store writes take several turns), then move the clock. */
async function drive<T>(clock: ManualClock, until: Promise<T>, stepMs = 1000): Promise<T> {
  let settled = false
  const p = until.finally(() => {
    settled = true
  })
  for (let i = 0; i < 100_000 && !settled; i++) {
    await new Promise((r) => setImmediate(r))
    if (!settled) await clock.advance(stepMs)
  }
  return p
}

interface Spy {
  readonly log: string[]
  step(id: string, ms: number, extra?: Partial<Step>): Step
}

function spy(clock: ManualClock): Spy {
  const log: string[] = []
  return {
    log,
    step: (id, ms, extra = {}) => ({
      id,
      description: `Do ${id}`,
      timeoutMs: 60_000,
      estimateMs: ms,
      async run(signal) {
        log.push(`start ${id}@${clock.now()}`)
        await clock.sleep(ms, signal)
        log.push(`end ${id}@${clock.now()}`)
      },
      ...extra,
    }),
  }
}

async function planOf(clock: ManualClock, steps: readonly Step[], options: { dryRun?: boolean; restore?: Step[]; store?: NutctlStore } = {}): Promise<HostPlan> {
  const executor = defineExecutor({ name: "demo", config: z.object({}), plan: () => steps, ...(options.restore ? { restore: () => options.restore as Step[] } : {}) })
  return buildPlan({ host: "pve-1", executors: [{ executor, config: {} }], clock, log: () => {}, dryRun: options.dryRun === true, ...(options.store ? { store: options.store } : {}) })
}

const base = (clock: ManualClock, extra: Partial<RunPlanOptions> = {}): RunPlanOptions => ({ clock, tickMs: 0, newRunId: () => "run-1", ...extra })

test("runPlan() runs steps in order and a group in parallel up to its concurrency", async () => {
  const clock = new ManualClock()
  const s = spy(clock)
  const plan = await planOf(clock, [
    s.step("ha-off", 1000),
    s.step("guest-1", 10_000, { group: "order-2", concurrency: 2 }),
    s.step("guest-2", 10_000, { group: "order-2", concurrency: 2 }),
    s.step("guest-3", 5000, { group: "order-2", concurrency: 2 }),
    s.step("node-off", 1000, { pointOfNoReturn: true }),
  ])
  const result = await drive(clock, runPlan(plan, base(clock)))
  assert.equal(result.state, "done")
  assert.deepEqual(s.log, [
    "start ha-off@0",
    "end ha-off@1000",
    "start guest-1@1000",
    "start guest-2@1000",
    "end guest-1@11000",
    "end guest-2@11000",
    "start guest-3@11000",
    "end guest-3@16000",
    "start node-off@16000",
    "end node-off@17000",
  ])
  assert.deepEqual(result.pointOfNoReturn, { step: "demo/node-off", at: 16_000 })
})

test("runPlan() runs the fallback after a timeout and counts the step as done by it", async () => {
  const clock = new ManualClock()
  const s = spy(clock)
  const hang = s.step("guest-9", 999_999, {
    timeoutMs: 30_000,
    fallback: { description: "Force-stop guest 9", timeoutMs: 10_000, run: async () => void s.log.push(`force guest-9@${clock.now()}`) },
  })
  const broken = s.step("broken", 0, { run: async () => Promise.reject(new Error("HTTP 500 VM 7 not running")) })
  const events: ProgressEvent[] = []
  const result = await drive(clock, runPlan(await planOf(clock, [hang, broken, s.step("last", 10)]), base(clock, { progress: (e) => void events.push(e) })))
  assert.deepEqual(s.log, ["start guest-9@0", "force guest-9@30000", "start last@30000", "end last@30010"])
  assert.deepEqual(
    result.steps.map((r) => [r.key, r.state, r.via]),
    [
      ["demo/guest-9", "done", "fallback"],
      ["demo/broken", "failed", undefined],
      ["demo/last", "done", undefined],
    ],
  )
  assert.equal(result.state, "failed")
  assert.deepEqual(result.failures, ["Step demo/broken failed: HTTP 500 VM 7 not running"])
  assert.ok(events.some((e) => e.kind === "fallback" && e.key === "demo/guest-9" && /did not finish within 30000 ms/.test(e.reason)))
})

test("runPlan() stops the plan after a failed step with onFailure: stop", async () => {
  const clock = new ManualClock()
  const s = spy(clock)
  const fail = s.step("quorum", 0, { onFailure: "stop", run: async () => Promise.reject(new Error("not quorate")) })
  const result = await drive(clock, runPlan(await planOf(clock, [fail, s.step("after", 1)]), base(clock)))
  assert.deepEqual(result.steps.map((r) => r.state), ["failed", "not-run"])
})

test("runPlan() resumes after a restart without repeating finished steps", async () => {
  const driver = memoryDriver()
  const clock = new ManualClock(1_000_000)
  // first daemon: a done, b hangs when the daemon "dies" (its promise is simply abandoned)
  const first = spy(clock)
  const store1 = createStore({ driver })
  void runPlan(await planOf(clock, [first.step("a", 1000), first.step("b", 999_999), first.step("c", 10)], { store: store1 }), base(clock, { store: store1 }))
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setImmediate(r))
    await clock.advance(500)
  }
  assert.deepEqual(first.log, ["start a@1000000", "end a@1001000", "start b@1001000"])
  const stuck = await readJournal(store1, "pve-1")
  assert.equal(stuck?.state, "running")
  assert.deepEqual(Object.entries(stuck?.steps ?? {}).map(([k, v]) => [k, v.state]), [["demo/a", "done"], ["demo/b", "running"]])

  // second daemon on the same store: a is skipped, b runs again, c runs
  const second = spy(clock)
  const store2 = createStore({ driver })
  const result = await drive(clock, runPlan(await planOf(clock, [second.step("a", 1000), second.step("b", 100), second.step("c", 10)], { store: store2 }), base(clock, { store: store2, newRunId: () => "run-2" })))
  assert.equal(result.resumed, true)
  assert.equal(result.runId, "run-1")
  assert.deepEqual(result.steps.map((r) => [r.key, r.state]), [["demo/a", "skipped"], ["demo/b", "done"], ["demo/c", "done"]])
  assert.equal(second.log.filter((l) => l.startsWith("start a")).length, 0)
  const j = await readJournal(store2, "pve-1")
  assert.equal(j?.state, "done")
  assert.equal(j?.resumes, 1)
})

test("runPlan() does not resume a journal older than resumeWithinMs", async () => {
  const driver = memoryDriver()
  const clock = new ManualClock(0)
  const store = createStore({ driver })
  await store.journal.set("pve-1", { version: 1, runId: "old", host: "pve-1", startedAt: 0, updatedAt: 0, state: "running", resumes: 0, steps: { "demo/a": { state: "done", startedAt: 0 } } })
  await clock.advance(2 * 3_600_000)
  const s = spy(clock)
  const result = await drive(clock, runPlan(await planOf(clock, [s.step("a", 1)], { store }), base(clock, { store })))
  assert.equal(result.resumed, false)
  assert.deepEqual(s.log.length, 2)
})

test("runPlan() calls the shutdown off when power returns before the point of no return, records where, restores", async () => {
  const clock = new ManualClock()
  const store = createStore()
  const s = spy(clock)
  const restored: string[] = []
  const plan = await planOf(clock, [s.step("ha-off", 1000), s.step("guest-1", 60_000), s.step("node-off", 1000, { pointOfNoReturn: true })], {
    store,
    restore: [{ id: "ha-on", description: "Re-arm HA", timeoutMs: 1000, run: async () => void restored.push("ha-on") }],
  })
  const power = new AbortController()
  const events: ProgressEvent[] = []
  const running = runPlan(plan, base(clock, { store, signal: power.signal, progress: (e) => void events.push(e) }))
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setImmediate(r))
    await clock.advance(1000)
  }
  power.abort(new Error("Power returned on rack@localhost"))
  const result = await drive(clock, running)
  assert.equal(result.state, "aborted")
  assert.deepEqual(result.steps.map((r) => [r.key, r.state]), [["demo/ha-off", "done"], ["demo/guest-1", "aborted"], ["demo/node-off", "not-run"]])
  assert.equal(s.log.some((l) => l.includes("node-off")), false)
  assert.deepEqual(restored, ["ha-on"])
  const j = await readJournal(store, "pve-1")
  assert.equal(j?.state, "restored")
  assert.equal(j?.pointOfNoReturnStep, "demo/node-off")
  assert.equal(j?.pointOfNoReturn, undefined)
  assert.deepEqual(j?.aborted, { at: 10_000, reason: "Power returned on rack@localhost", running: ["demo/guest-1"], next: "demo/node-off" })
  assert.deepEqual(j?.restored, { at: 10_000, ok: true, failures: [] })
  assert.ok(events.some((e) => e.kind === "abort"))
})

test("runPlan() goes on when power returns after the point of no return", async () => {
  const clock = new ManualClock()
  const s = spy(clock)
  const plan = await planOf(clock, [s.step("nas-off", 5000, { pointOfNoReturn: true }), s.step("kill-power", 1000)])
  const power = new AbortController()
  const running = runPlan(plan, base(clock, { signal: power.signal }))
  await new Promise((r) => setImmediate(r))
  await clock.advance(1000)
  power.abort()
  const result = await drive(clock, running)
  assert.equal(result.state, "done")
  assert.deepEqual(result.steps.map((r) => r.state), ["done", "done"])
})

test("runPlan() in a dry run writes nothing to the store, and learns drill estimates only when asked", async () => {
  const clock = new ManualClock()
  const store = createStore()
  const s = spy(clock)
  const estimating = s.step("guest-5", 10, { run: async () => ({ estimateMs: 42_000, note: "VM 5 running, down=42" }) })
  const plan = await planOf(clock, [s.step("look", 10), estimating], { dryRun: true, store })
  const result = await drive(clock, runPlan(plan, base(clock, { store })))
  assert.equal(result.state, "done")
  assert.deepEqual(await store.journal.keys(), [])
  assert.deepEqual(await store.durations.keys(), [])
  assert.equal(result.steps[1]?.estimateMs, 42_000)

  await drive(clock, runPlan(plan, base(clock, { store, learn: true })))
  assert.deepEqual(await store.journal.keys(), [])
  assert.deepEqual(await store.durations.keys(), ["demo:guest-5"])
})

test("runPlan() learns real durations, fallback included", async () => {
  const clock = new ManualClock()
  const store = createStore()
  const s = spy(clock)
  const plan = await planOf(clock, [s.step("guest-1", 12_000, { durationKey: "guest-101" })], { store })
  await drive(clock, runPlan(plan, base(clock, { store })))
  assert.deepEqual(await store.durations.get("demo:guest-101"), { samples: [{ ms: 12_000, at: 12_000, source: "run" }] })
})

test("createProgressWriter() writes logfmt lines, or a progress line redrawn in place on a terminal", async () => {
  const clock = new ManualClock(Date.parse("2026-08-01T12:00:00Z"))
  const s = spy(clock)
  const plan = await planOf(clock, [s.step("a", 2000), s.step("b", 1000, { pointOfNoReturn: true })])
  let log = ""
  await drive(clock, runPlan(plan, base(clock, { progress: createProgressWriter({ interactive: false, write: (t) => void (log += t) }) })))
  const lines = log.trim().split("\n")
  assert.equal(lines[0], "ts=2026-08-01T12:00:00.000Z event=start host=pve-1 run=run-1 dry_run=false resumed=false steps=2 estimate=3.0s point_of_no_return=demo/b")
  assert.ok(lines.includes("ts=2026-08-01T12:00:02.000Z event=step-end step=demo/a state=done elapsed=2.0s"))
  assert.ok(lines.includes("ts=2026-08-01T12:00:02.000Z event=point-of-no-return step=demo/b"))

  let tty = ""
  await drive(clock, runPlan(plan, base(clock, { tickMs: 500, progress: createProgressWriter({ interactive: true, columns: 100, write: (t) => void (tty += t) }) })))
  assert.match(tty, /\r\x1b\[K\[#+\.*\] \d+% T\+/)
  assert.match(tty, /✔ demo\/a \(2\.0s\)/)
})

test("planShutdownHandler() plans at hand-off time, runs with the journal and reports failure lines", async () => {
  const { planShutdownHandler } = await import("./index.ts")
  const clock = new ManualClock()
  const store = createStore()
  const s = spy(clock)
  const executor = defineExecutor({ name: "demo", config: z.object({}), plan: () => [s.step("a", 10), s.step("bad", 0, { run: async () => Promise.reject(new Error("no")) })] })
  const handler = planShutdownHandler({ host: "pve-1", executors: [{ executor, config: {} }], clock, log: () => {}, store })
  const report = await drive(clock, handler.run({ at: 0 }, new AbortController().signal))
  assert.deepEqual(report, { ok: false, failures: ["Step demo/bad failed: no"] })
  assert.equal((await readJournal(store, "pve-1"))?.state, "failed")
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { ExecutorTimeoutError, StepFailedError, runSteps, type Step } from "./index.ts"

test("runSteps() runs steps in order, reports a failure and goes on", async () => {
  const ran: string[] = []
  const step = (id: string, fail = false): Step => ({
    id,
    description: id,
    timeoutMs: 1000,
    run: async () => {
      ran.push(id)
      if (fail) throw new Error("boom")
    },
  })
  const outcomes = await runSteps("demo", [step("a"), step("b", true), step("c")], { clock: new ManualClock() })
  assert.deepEqual(ran, ["a", "b", "c"])
  assert.deepEqual(outcomes.map((o) => o.ok), [true, false, true])
  assert.ok(outcomes[1]?.error instanceof StepFailedError)
  assert.equal(outcomes[1]?.error?.message, "Step demo/b failed: boom")
})

test("runSteps() aborts a step at its timeout on the injected clock", async () => {
  const clock = new ManualClock()
  let aborted = false
  const hang: Step = {
    id: "hang",
    description: "hangs",
    timeoutMs: 30_000,
    run: (signal) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => {
          aborted = true
          reject(signal.reason)
        }),
      ),
  }
  const done = runSteps("demo", [hang], { clock })
  await clock.advance(29_999)
  assert.equal(aborted, false)
  await clock.advance(1)
  const [outcome] = await done
  assert.equal(aborted, true)
  assert.ok(outcome?.error instanceof ExecutorTimeoutError)
  assert.equal(outcome.error.timeoutMs, 30_000)
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { ManualClock } from "../../../test/support/manual-clock.ts"
import { scaledClock, systemClock } from "./clock.ts"

test("scaledClock() runs time faster on both now() and sleep()", async () => {
  const base = new ManualClock(1000)
  const fast = scaledClock(base, 60)
  let woke = false
  const sleeping = fast.sleep(60_000).then(() => (woke = true))
  await base.advance(999)
  assert.equal(woke, false)
  await base.advance(1)
  await sleeping
  assert.equal(fast.now(), 1000 + 60_000)
  assert.equal(scaledClock(base, 1), base)
})

test("systemClock.sleep() rejects with the signal's reason when aborted", async () => {
  const controller = new AbortController()
  const sleeping = systemClock.sleep(60_000, controller.signal)
  controller.abort(new Error("woken"))
  await assert.rejects(sleeping, /woken/)
  await assert.rejects(systemClock.sleep(1, controller.signal), /woken/)
})

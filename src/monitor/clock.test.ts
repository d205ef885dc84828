/** test/support/manual-clock.ts is the Clock the monitor's tests and the loop's tests run on. */
import assert from "node:assert/strict"
import { test } from "node:test"
import { ManualClock } from "../../test/support/manual-clock.ts"
import type { Clock } from "./index.ts"

test("ManualClock.sleep() resolves only when advanced past its deadline, in deadline order", async () => {
  const clock: ManualClock = new ManualClock(1000)
  const woke: string[] = []
  void clock.sleep(300).then(() => woke.push(`b@${clock.now()}`))
  void clock.sleep(100).then(() => woke.push(`a@${clock.now()}`))
  await clock.advance(99)
  assert.deepEqual(woke, [])
  await clock.advance(1)
  assert.deepEqual(woke, ["a@1100"])
  await clock.advance(1000)
  assert.deepEqual(woke, ["a@1100", "b@1300"])
  assert.equal(clock.now(), 2100)
  assert.equal(clock.pending, 0)
})

test("ManualClock.advance() also wakes sleeps started by woken code within the same advance", async () => {
  const clock: Clock & ManualClock = new ManualClock(0)
  const ticks: number[] = []
  const loop = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) {
      await clock.sleep(250)
      ticks.push(clock.now())
    }
  }
  const done = loop()
  await clock.advance(1000)
  assert.deepEqual(ticks, [250, 500, 750, 1000])
  await clock.advance(250)
  await done
  assert.deepEqual(ticks, [250, 500, 750, 1000, 1250])
})

test("ManualClock.sleep() rejects with the abort reason and forgets the sleeper", async () => {
  const clock = new ManualClock(0)
  const ac = new AbortController()
  const p = clock.sleep(1000, ac.signal)
  ac.abort(new Error("stopped"))
  await assert.rejects(p, /stopped/)
  assert.equal(clock.pending, 0)
  await assert.rejects(clock.sleep(10, ac.signal), /stopped/)
})

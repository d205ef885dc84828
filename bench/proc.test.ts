import { test } from "node:test"
import assert from "node:assert/strict"
import { createServer } from "node:net"
import { cpuSample, mainThreadSleeps, pidListeningOn, privateKb, rssKb } from "./proc.ts"

test("pidListeningOn() finds the process that owns a listening socket", async () => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  try {
    const addr = server.address()
    assert.ok(addr && typeof addr === "object")
    assert.equal(pidListeningOn(addr.port), process.pid)
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
})

test("cpuSample() counts this process's CPU in both units", () => {
  const before = cpuSample(process.pid)
  const until = performance.now() + 30
  while (performance.now() < until) Math.sqrt(Math.random()) // burn some CPU
  const after = cpuSample(process.pid)
  assert.ok(after.schedUs > before.schedUs)
  assert.ok(after.statUs >= before.statUs)
  assert.ok(rssKb(process.pid) > 1000)
})

test("privateKb() is the anonymous part of the RSS: above zero, below VmRSS", () => {
  const own = privateKb(process.pid)
  assert.ok(own > 0)
  assert.ok(own < rssKb(process.pid))
})

test("mainThreadSleeps() counts the main thread's voluntary sleeps", async () => {
  const before = mainThreadSleeps(process.pid)
  // each timer wait is a sleep in epoll_wait, unless a busy machine (a parallel test run) only gets
  // to it after the timer expired: long waits, and not every one has to be a sleep
  for (let i = 0; i < 4; i++) await new Promise((r) => setTimeout(r, 25))
  const slept = mainThreadSleeps(process.pid) - before
  assert.ok(slept >= 2, `${slept} sleeps`)
})

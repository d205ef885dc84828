import assert from "node:assert/strict"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "node:test"
import commandExecutor from "../../plugins/command/index.ts"
import { configuredExecutor, executorShutdownHandler } from "./shutdown-handler.ts"
import { systemClock } from "./system-clock.ts"

test("executorShutdownHandler(): under way as soon as SHUTDOWNCMD is spawned, before it ends", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-underway-"))
  try {
    const marker = join(dir, "marker")
    // harmless: the command only writes a file in the sandbox, after a pause the test can see
    const executors = [await configuredExecutor(commandExecutor, { command: `sleep 0.3; echo ran > ${marker}` }, "test")]
    const handler = executorShutdownHandler({ executors, host: "pve1", clock: systemClock, log: () => {} })
    const events: string[] = []
    const report = await handler.run({ at: 0, onUnderway: () => events.push("underway") }, new AbortController().signal)
    events.push("ended")
    assert.deepEqual(report, { ok: true, failures: [] })
    assert.deepEqual(events, ["underway", "ended"], "once, and before the command ended")
    assert.equal(readFileSync(marker, "utf8"), "ran\n")
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("executorShutdownHandler(): with nothing to run (no SHUTDOWNCMD), or a command that cannot start, it is still under way once", async () => {
  const none = executorShutdownHandler({ executors: [], host: "pve1", clock: systemClock, log: () => {} })
  let calls = 0
  await none.run({ at: 0, onUnderway: () => calls++ }, new AbortController().signal)
  assert.equal(calls, 1)
  const broken = [await configuredExecutor(commandExecutor, { command: "true", shell: "/nonexistent/sh" }, "test")]
  const failing = executorShutdownHandler({ executors: broken, host: "pve1", clock: systemClock, log: () => {} })
  calls = 0
  const report = await failing.run({ at: 0, onUnderway: () => calls++ }, new AbortController().signal)
  assert.equal(report.ok, false)
  assert.match(report.failures[0] ?? "", /cannot start/)
  assert.equal(calls, 1)
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createEventHub, createLocalDirectory, type NoteInput } from "../http/index.ts"
import { UpsState } from "../ups/index.ts"
import type { ProgressEvent } from "../shutdown/index.ts"
import { openHistoryStore, progressNotes, startHistory, withProgressNotes } from "./_history.ts"

const quiet = { warn() {}, error() {} }

function rack() {
  const state = new UpsState()
  state.setInfo("ups.status", "OL")
  state.setInfo("battery.charge", "100")
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  return { state, directory: createLocalDirectory({ ups: [{ name: "rack", desc: undefined, state }] }) }
}

test("startHistory() keeps events and samples under the data directory, and finds them after a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-data-"))
  try {
    const { state, directory } = rack()
    const hub = createEventHub()
    hub.attach(directory)
    const first = await startHistory({ hub, directory, store: { dir }, log: quiet, tickMs: 60_000 })
    assert.equal(first.persistent, true)
    state.setInfo("ups.status", "OB DISCHRG")
    await first.stop()
    assert.ok(existsSync(join(dir, "events")))
    assert.deepEqual(readdirSync(join(dir, "series")), ["rack"])

    const again = await startHistory({ hub: createEventHub(), directory, store: { dir }, log: quiet, tickMs: 60_000 })
    assert.deepEqual((await again.events.recent()).map((e) => e.kind === "status" && e.status), ["OB DISCHRG"])
    const points = await again.series.query("rack", { since: 0 })
    assert.ok(points.some((p) => p.onBattery))
    await again.stop()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("startHistory() keeps the history in memory, with a warning, when the data directory cannot be used", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-data-"))
  try {
    const file = join(dir, "not-a-dir")
    writeFileSync(file, "")
    await assert.rejects(openHistoryStore({ dir: join(file, "sub") }), /^Error: Cannot use data directory .*not-a-dir\/sub: /)
    const warnings: string[] = []
    const { directory } = rack()
    const h = await startHistory({ hub: createEventHub(), directory, store: { dir: join(file, "sub") }, log: { warn: (m) => warnings.push(m), error() {} }, tickMs: 60_000 })
    assert.equal(h.persistent, false)
    assert.match(warnings[0] ?? "", /the event history is kept in memory only$/)
    await h.stop()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("progressNotes() records a dry run as a drill: start, failed steps, the result", () => {
  const notes: NoteInput[] = []
  const sink = progressNotes((n) => notes.push(n), "rack")
  sink({ kind: "start", at: 1, host: "pve1", runId: "r", dryRun: true, resumed: false, steps: [{ key: "vm:101", description: "stop 101", estimateMs: 30_000 }], estimateMs: 30_000 })
  sink({ kind: "step-start", at: 2, key: "vm:101", description: "stop 101" })
  sink({ kind: "tick", at: 3, elapsedMs: 2, done: 0, total: 1, running: ["vm:101"], remainingMs: 29_000 })
  sink({ kind: "step-end", at: 4, key: "vm:101", state: "failed", elapsedMs: 3000, error: "timeout" })
  sink({ kind: "end", at: 5, state: "failed", failures: ["vm:101"], elapsedMs: 4000 })
  assert.deepEqual(
    notes.map((n) => [n.type, n.level ?? "info", n.message, n.system]),
    [
      ["drill.start", "info", "Drill of pve1 started: 1 steps, about 30.0s", "rack"],
      ["drill.step", "error", "Drill step vm:101 failed after 3.0s: timeout", "rack"],
      ["drill", "error", "Drill failed in 4.0s: vm:101", "rack"],
    ],
  )
})

test("withProgressNotes() hands every progress event to the feed and records the run in the history", () => {
  const notes: NoteInput[] = []
  const seen: string[] = []
  const feed = withProgressNotes({ name: "plan view", progress: (e: ProgressEvent) => void seen.push(e.kind) }, (n) => notes.push(n))
  assert.equal(feed.name, "plan view", "the rest of the feed stays")
  feed.progress({ kind: "start", at: 1, host: "pve1", runId: "r", dryRun: false, resumed: false, steps: [], estimateMs: 0 })
  feed.progress({ kind: "end", at: 2, state: "done", failures: [], elapsedMs: 1000 })
  assert.deepEqual(seen, ["start", "end"])
  assert.deepEqual(notes.map((n) => n.type), ["shutdown.start", "shutdown.end"])
})

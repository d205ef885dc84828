import assert from "node:assert/strict"
import { test } from "node:test"
import { z } from "zod"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { createStore } from "../store/index.ts"
import { ExecutorLoadError, defineExecutor, loadExecutor, readJournal, restoreAfterPowerReturn } from "./index.ts"

function haExecutor(calls: string[]) {
  return defineExecutor({
    name: "proxmox",
    config: z.object({}),
    plan: () => [],
    async restore(ctx) {
      const states = (await ctx.state?.get<Record<string, string>>("ha")) ?? {}
      return Object.entries(states).map(([sid, state]) => ({
        id: `ha-${sid.replace(":", "-")}`,
        description: `HA ${sid} back to ${state}`,
        timeoutMs: 1000,
        run: async () => void calls.push(`${sid}=${state}`),
      }))
    },
  })
}

test("restoreAfterPowerReturn() runs the restore steps of executors that took part, from their stored state, once", async () => {
  const store = createStore()
  const clock = new ManualClock(5000)
  const calls: string[] = []
  await store.executors.set("proxmox:ha", { "vm:100": "started", "ct:101": "stopped" })
  await store.journal.set("pve-1", { version: 1, runId: "r", host: "pve-1", startedAt: 0, updatedAt: 0, state: "done", resumes: 0, steps: { "proxmox/node-off": { state: "done", startedAt: 0 } } })
  const options = { host: "pve-1", executors: [{ executor: haExecutor(calls), config: {} }], store, clock, log: () => {} }
  const outcome = await restoreAfterPowerReturn(options)
  assert.deepEqual(outcome, { ok: true, failures: [], runId: "r" })
  assert.deepEqual(calls, ["vm:100=started", "ct:101=stopped"])
  assert.equal((await readJournal(store, "pve-1"))?.state, "restored")
  assert.equal(await restoreAfterPowerReturn(options), undefined, "nothing left to restore")
})

test("restoreAfterPowerReturn() restores a run cut short before its point of no return (the daemon died mid-plan), only the one found at start", async () => {
  const store = createStore()
  const calls: string[] = []
  const lines: string[] = []
  await store.executors.set("proxmox:ha", { "vm:100": "started" })
  await store.journal.set("pve-1", { version: 1, runId: "r", host: "pve-1", startedAt: 0, updatedAt: 0, state: "running", resumes: 0, steps: { "proxmox/disarm-ha": { state: "done", startedAt: 0 } } })
  const options = { host: "pve-1", executors: [{ executor: haExecutor(calls), config: {} }], store, clock: new ManualClock(), log: (_level: string, line: string) => void lines.push(line) }
  assert.equal(await restoreAfterPowerReturn({ ...options, runId: "another" }), undefined, "a run started since is its own runner's")
  assert.deepEqual(calls, [])
  assert.deepEqual(await restoreAfterPowerReturn({ ...options, runId: "r" }), { ok: true, failures: [], runId: "r" })
  assert.deepEqual(calls, ["vm:100=started"])
  assert.match(lines.join("\n"), /shutdown r \(cut short before its point of no return\): restoring proxmox/)
  assert.equal((await readJournal(store, "pve-1"))?.state, "restored")
})

test("restoreAfterPowerReturn() leaves an aborted run alone: its runner restored it", async () => {
  const store = createStore()
  await store.journal.set("pve-1", { version: 1, runId: "r", host: "pve-1", startedAt: 0, updatedAt: 0, state: "aborted", resumes: 0, steps: {} })
  assert.equal(await restoreAfterPowerReturn({ host: "pve-1", executors: [], store, clock: new ManualClock(), log: () => {} }), undefined)
})

test("loadExecutor() finds built-ins (lazily too) and user modules, and names what is missing", async () => {
  const calls: string[] = []
  const ha = haExecutor(calls)
  const builtins = { proxmox: ha as never, lazy: async () => ha as never }
  assert.equal(await loadExecutor({ name: "pve" , type: "proxmox" }, { builtins }), ha)
  assert.equal(await loadExecutor({ name: "lazy" }, { builtins }), ha)
  assert.equal(await loadExecutor({ name: "mine", module: "/x.ts" }, { builtins, importModule: async () => ({ default: ha }) }), ha)
  await assert.rejects(loadExecutor({ name: "nope" }, { builtins }), (e: unknown) => e instanceof ExecutorLoadError && e.code === "EXECUTOR_UNKNOWN" && /built in: lazy, proxmox/.test(e.message))
  await assert.rejects(loadExecutor({ name: "mine", module: "/x.ts" }, { builtins, importModule: async () => ({ default: {} }) }), /has no defineExecutor/)
})

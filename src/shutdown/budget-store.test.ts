import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { z } from "zod"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { createStore } from "../store/index.ts"
import { buildPlan, createRuntimeBudget, defineExecutor, readJournal, readStoredBudget, saveBudget, storedBudget } from "./index.ts"

const dir = mkdtempSync(join(tmpdir(), "nutctl-budget-"))
after(() => rmSync(dir, { recursive: true, force: true }))

test("saveBudget() keeps a host's latest budget on disk beside its journal; readStoredBudget() reads it in another store", async () => {
  const executor = defineExecutor({
    name: "proxmox",
    config: z.object({}),
    plan: () => [
      { id: "guests", description: "guests", timeoutMs: 180_000, estimateMs: 60_000, run: async () => {} },
      { id: "off", description: "off", timeoutMs: 120_000, run: async () => {} },
    ],
  })
  const plan = await buildPlan({ host: "pve-1", executors: [{ executor, config: {} }], clock: new ManualClock(), log: () => {}, dryRun: true })
  const budget = await createRuntimeBudget({ plan })
  const writer = createStore({ dir })
  await writer.journal.set("pve-1", { version: 1 })
  await saveBudget(writer, storedBudget("pve-1", budget, 1_000_000))
  await writer.dispose()
  const reader = createStore({ dir })
  assert.deepEqual(await readStoredBudget(reader, "pve-1"), { version: 1, host: "pve-1", needMs: budget.needMs, expectedMs: 180_000, worstMs: 300_000, unlearned: 1, computedAt: 1_000_000 })
  assert.equal(await readStoredBudget(reader, "pve-2"), undefined)
  // the host's journal is untouched (and is no budget)
  assert.equal(await readJournal(reader, "pve-1"), undefined)
  assert.deepEqual(await reader.journal.get("pve-1"), { version: 1 })
  await reader.dispose()
})

test("readStoredBudget() ignores a record that is not a budget", async () => {
  const store = createStore()
  await store.budgets.set("h", { version: 1, needMs: "lots" })
  assert.equal(await readStoredBudget(store, "h"), undefined)
  await store.budgets.set("h", { version: 1, needMs: 90_000, expectedMs: 48_000, computedAt: 5 })
  assert.deepEqual(await readStoredBudget(store, "h"), { version: 1, host: "h", needMs: 90_000, expectedMs: 48_000, worstMs: 48_000, unlearned: 0, computedAt: 5 })
})

import assert from "node:assert/strict"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { createStore, storeKey } from "./index.ts"

const dir = mkdtempSync(join(tmpdir(), "nutctl-store-"))
after(() => rmSync(dir, { recursive: true, force: true }))

test("createStore() keeps namespaces apart in files under dir and reads them back in a new instance", async () => {
  const store = createStore({ dir })
  assert.equal(store.persistent, true)
  await store.journal.set("pve-1", { state: "running" })
  await store.durations.set("proxmox:guest-101", { samples: [1, 2] })
  await store.executors.set("proxmox:ha", { "vm:100": "started" })
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "journal", "pve-1"), "utf8")), { state: "running" })
  await store.dispose()

  const again = createStore({ dir })
  assert.deepEqual(await again.journal.get("pve-1"), { state: "running" })
  assert.deepEqual(await again.durations.keys(), ["proxmox:guest-101"])
  assert.equal(await again.journal.get("pve-2"), undefined)
  await again.journal.remove("pve-1")
  assert.deepEqual(await again.journal.keys(), [])
  await again.dispose()
})

test("a namespace that cannot be read rejects, in every namespace (not an Error handed back as the value)", async () => {
  const broken = mkdtempSync(join(tmpdir(), "nutctl-store-broken-"))
  try {
    // a file where the namespaces' directories should be: reading below them is ENOTDIR
    writeFileSync(join(broken, "journal"), "")
    writeFileSync(join(broken, "executors"), "")
    const store = createStore({ dir: broken })
    await assert.rejects(store.journal.get("pve-1"), /ENOTDIR/)
    await assert.rejects(store.executors.get("proxmox:ha"), /ENOTDIR/)
    await store.dispose()
  } finally {
    rmSync(broken, { recursive: true, force: true })
  }
})

test("createStore() without dir or driver lives in memory", async () => {
  const store = createStore()
  assert.equal(store.persistent, false)
  await store.journal.set("h", 1)
  assert.equal(await store.journal.get("h"), 1)
})

test("storeKey() replaces unsafe characters and refuses .. segments", () => {
  assert.equal(storeKey("proxmox/guest 101"), "proxmox:guest_101")
  assert.throws(() => storeKey("a:..:b"), /Cannot use store key/)
  assert.throws(() => storeKey(""), /empty/)
})

test("EventLog.list() filters by time and keeps the newest with limit; prune() drops old days", async () => {
  const store = createStore()
  const day = Date.parse("2026-08-01T00:00:00Z")
  await Promise.all([
    store.events.append({ at: day + 1000, type: "ONBATT", ups: "rack" }),
    store.events.append({ at: day + 2000, type: "LOWBATT", ups: "rack" }),
    store.events.append({ at: day + 86_400_000 + 5, type: "ONLINE", ups: "rack" }),
  ])
  assert.deepEqual((await store.events.list()).map((e) => e.type), ["ONBATT", "LOWBATT", "ONLINE"])
  assert.deepEqual((await store.events.list({ since: day + 1500 })).map((e) => e.type), ["LOWBATT", "ONLINE"])
  assert.deepEqual((await store.events.list({ limit: 1 })).map((e) => e.type), ["ONLINE"])
  assert.equal(await store.events.prune(day + 86_400_000), 1)
  assert.deepEqual((await store.events.list()).map((e) => e.type), ["ONLINE"])
})

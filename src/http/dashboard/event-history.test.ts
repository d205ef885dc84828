import { test } from "node:test"
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createStore } from "../../store/index.ts"
import { createEventHub } from "../events.ts"
import { describeEvent, fromStored, openEventHistory, toStored } from "./event-history.ts"

const T0 = Date.parse("2026-08-01T10:00:00Z")

test("openEventHistory() keeps hub events with ids that keep growing across a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-history-"))
  try {
    let now = T0
    const store1 = createStore({ dir })
    const hub1 = createEventHub()
    const h1 = await openEventHistory({ log: store1.events, hub: hub1, now: () => now })
    const seen: string[] = []
    h1.subscribe((e) => seen.push(`${e.kind}:${e.id}`))
    hub1.publish({ kind: "status", at: T0, ups: "rack", status: "OB DISCHRG", previous: "OL" })
    hub1.publish({ kind: "vars", at: T0, ups: "rack", values: { "battery.charge": "90" } })
    hub1.monitorRecord({ kind: "notify", at: T0 + 5, type: "ONBATT", system: "rack@localhost", message: "UPS rack@localhost on battery" })
    now = T0 + 10
    h1.note({ type: "drill", message: "Drill passed in 12.0s", system: "rack" })
    // vars go to subscribers but are not kept
    assert.deepEqual(seen.map((s) => s.split(":")[0]), ["status", "vars", "notify", "decision"])
    const kept = await h1.recent()
    assert.deepEqual(kept.map((e) => e.kind), ["status", "notify", "decision"])
    assert.deepEqual(kept.map((e) => e.id), [String(T0 * 1000), String((T0 + 5) * 1000), String((T0 + 10) * 1000)])
    await h1.flush()
    h1.close()
    await store1.dispose()

    // a new process: same events, and a new event gets a later id even with the clock behind
    const store2 = createStore({ dir })
    const hub2 = createEventHub()
    const h2 = await openEventHistory({ log: store2.events, hub: hub2 })
    assert.deepEqual((await h2.recent()).map((e) => [e.kind, e.id]), kept.map((e) => [e.kind, e.id]))
    const late = hub2.publish({ kind: "status", at: T0 - 60_000, ups: "rack", status: "OL", previous: "OB" })
    const all = await h2.recent()
    assert.equal(all.length, 4)
    assert.ok(Number(all[3]?.id) > Number(all[2]?.id))
    assert.notEqual(all[3]?.id, late.id, "the history gives its own ids, not the hub's")
    // Last-Event-ID replay, and the filters
    assert.deepEqual((await h2.recent({ after: all[1]?.id ?? "" })).map((e) => e.kind), ["decision", "status"])
    assert.deepEqual((await h2.recent({ kinds: ["notify"] })).map((e) => e.kind), ["notify"])
    assert.deepEqual((await h2.recent({ ups: "rack", limit: 2 })).map((e) => e.kind), ["decision", "status"])
    await h2.flush()
    await store2.dispose()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("openEventHistory() keeps what the hub published before it was open, and while it read the store, in order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-history-"))
  try {
    const store = createStore({ dir })
    const hub = createEventHub()
    // serve: the driver's first status comes while the data directory is still being opened
    hub.publish({ kind: "status", at: T0, ups: "rack", status: "OL", previous: "" })
    const opening = openEventHistory({ log: store.events, hub })
    hub.publish({ kind: "availability", at: T0 + 1, ups: "rack", availability: "ok", previous: "unreachable" })
    const h = await opening
    hub.publish({ kind: "status", at: T0 + 2, ups: "rack", status: "OB", previous: "OL" })
    await h.flush()
    const kept = await h.recent()
    assert.deepEqual(kept.map((e) => e.at), [T0, T0 + 1, T0 + 2])
    assert.deepEqual(kept.map((e) => e.kind), ["status", "availability", "status"])
    h.close()
    await store.dispose()
    // and they reached the disk
    const again = createStore({ dir })
    assert.equal((await again.events.list()).length, 3)
    await again.dispose()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("EventHistory.recent() reads older events from the store once the cache overflows", async () => {
  const store = createStore()
  const hub = createEventHub()
  const h = await openEventHistory({ log: store.events, hub, cacheSize: 3 })
  for (let i = 0; i < 6; i++) hub.publish({ kind: "fsd", at: T0 + i, ups: "rack", fsd: i % 2 === 0 })
  await h.flush()
  const all = await h.recent({ limit: 10 })
  assert.equal(all.length, 6)
  assert.deepEqual((await h.recent({ after: all[0]?.id ?? "", limit: 10 })).length, 5)
  assert.deepEqual((await h.recent({ limit: 2 })).map((e) => e.at), [T0 + 4, T0 + 5])
})

test("EventHistory.prune() drops days past the age limit and whole days beyond the count limit", async () => {
  const store = createStore()
  const hub = createEventHub()
  const day = 86_400_000
  let now = T0
  const h = await openEventHistory({ log: store.events, hub, now: () => now, maxAgeMs: 10 * day, maxEvents: 3 })
  hub.publish({ kind: "fsd", at: T0 - 20 * day, ups: "rack", fsd: true })
  hub.publish({ kind: "fsd", at: T0 - 2 * day, ups: "rack", fsd: true })
  hub.publish({ kind: "fsd", at: T0 - 2 * day + 1, ups: "rack", fsd: false })
  hub.publish({ kind: "fsd", at: T0 - day, ups: "rack", fsd: true })
  hub.publish({ kind: "fsd", at: T0, ups: "rack", fsd: false })
  now = T0 + 1
  assert.equal(await h.prune(), 2)
  assert.deepEqual((await store.events.list()).map((e) => e.at), [T0 - day, T0])
  assert.deepEqual((await h.recent()).map((e) => e.at), [T0 - day, T0])
})

test("fromStored() turns a record someone else wrote into a decision, and toStored() words events", () => {
  const foreign = fromStored({ at: T0, type: "shutdown.step", ups: "rack", message: "vm 101 stopped" })
  assert.deepEqual(foreign, { kind: "decision", id: String(T0 * 1000), at: T0, level: "info", code: "shutdown.step", message: "vm 101 stopped", system: "rack" })
  const stored = toStored({ kind: "status", id: "7", at: T0, ups: "rack", status: "OB LB", previous: "OB" })
  assert.equal(stored.type, "status")
  assert.equal(stored.message, "rack: on battery, low battery (was on battery)")
  assert.deepEqual(fromStored(stored), { kind: "status", id: "7", at: T0, ups: "rack", status: "OB LB", previous: "OB" })
  assert.equal(toStored({ kind: "notify", id: "8", at: T0, type: "ONBATT", system: "rack@h", message: "m" }).ups, "rack")
  assert.equal(describeEvent({ kind: "availability", id: "9", at: T0, ups: "rack", availability: "stale", previous: "ok" }), "rack: data stale (was data available)")
})

/**
 * Taking HA out of the way before any guest stops, and putting it back exactly afterwards
 * (executors-reference §1.8, §1.10 steps 2 and 6). Left alone, HA stops guests through the CRM
 * (and marks them `stopped` for good) and, with the default `conditional` policy, recovers them
 * onto nodes that are about to die. What was changed is recorded in the store *before* the change,
 * so a crash mid-way, a restart or the next boot can still restore it.
 */
import type { Clock, ExecutorLog, ExecutorState, JsonValue } from "../../src/shutdown/index.ts"
import type { PveApi } from "./api.ts"
import type { HaMode } from "./config.ts"
import { ProxmoxError } from "./errors.ts"

/** Where records live; unstorage's `Storage` fits. */
export interface StateStore {
  getItem(key: string): Promise<unknown>
  setItem(key: string, value: unknown): Promise<void>
  removeItem(key: string): Promise<void>
}

/** The store key of the HA record. */
export const HA_RECORD_KEY = "ha-record"

/** What was changed, so that it can be undone. */
export interface HaRecord {
  readonly kind: "nutctl-proxmox-ha"
  /** ms since the epoch */
  readonly at: number
  readonly cluster: string | null
  readonly mode: "disarm" | "ignore" | "freeze"
  /** Every resource's stored `state` before (null: the key was absent, i.e. started). */
  readonly resources: Readonly<Record<string, string | null>>
  /** Resources this executor set to `ignored`. */
  readonly ignored: readonly string[]
  /** datacenter `ha.shutdown_policy` before (null: never set), for `freeze`. */
  readonly shutdownPolicy?: string | null
}

/** The mode a config value means on this cluster (or `off` when there is nothing to do). */
export function effectiveHaMode(mode: HaMode, cluster: { disarmSupported: boolean; haResources: number }): "disarm" | "ignore" | "freeze" | "off" {
  // without HA resources there is nothing HA could stop, move or recover
  if (mode === "off" || cluster.haResources === 0) return "off"
  if (mode === "freeze") return "freeze"
  if (mode === "disarm") {
    if (!cluster.disarmSupported) throw new ProxmoxError("PVE_NOT_IMPLEMENTED", "Cannot disarm HA: this cluster has no disarm-ha (PVE 9.1 with pve-ha-manager 5.1.3 or later); use ha: auto or ignore")
    return "disarm"
  }
  if (mode === "ignore") return "ignore"
  return cluster.disarmSupported ? "disarm" : "ignore"
}

export interface HaOptions {
  readonly api: PveApi
  readonly store: StateStore
  readonly clock: Clock
  readonly log: ExecutorLog
  readonly signal: AbortSignal
  readonly dryRun: boolean
  readonly pollMs: number
  /** Longest wait for `armed-state: disarmed`. */
  readonly settleMs: number
  readonly cluster: string | null
}

/** The record under `key` when it is one of `kind` (anything else there is ignored). */
export async function loadRecord<T extends { readonly kind: string }>(store: StateStore, key: string, kind: T["kind"]): Promise<T | undefined> {
  const r = await store.getItem(key)
  return typeof r === "object" && r !== null && (r as T).kind === kind ? (r as T) : undefined
}

/** Take HA out of the way in `mode`; returns the record (also stored, except in a dry run). */
export async function haOutOfTheWay(mode: "disarm" | "ignore" | "freeze", o: HaOptions): Promise<HaRecord> {
  const [resources, earlier] = await Promise.all([o.api.haResources(), loadHaRecord(o.store)])
  // a second run (resumed, or another node) sees our own `ignored`: the first record has the truth
  const before: Record<string, string | null> = Object.fromEntries(resources.map((r) => [r.sid, r.state ?? null]))
  const merged = { ...before, ...(earlier?.resources ?? {}) }
  let record: HaRecord = { kind: "nutctl-proxmox-ha", at: earlier?.at ?? o.clock.now(), cluster: o.cluster, mode, resources: merged, ignored: earlier?.ignored ?? [] }
  if (mode === "freeze") {
    const policy = earlier?.shutdownPolicy !== undefined ? earlier.shutdownPolicy : ((await o.api.shutdownPolicy()) ?? null)
    record = { ...record, shutdownPolicy: policy }
    if (o.dryRun) {
      o.log.info(`Dry run: would set the HA shutdown policy to freeze (now ${policy ?? "conditional (default)"})`)
      return record
    }
    await o.store.setItem(HA_RECORD_KEY, record)
    await o.api.setShutdownPolicy("freeze")
    o.log.info(`HA shutdown policy set to freeze (was ${policy ?? "the default"}); HA guests are left to each node's LRM`)
    return record
  }
  if (mode === "disarm") {
    const fencing = (await o.api.haStatus()).find((s) => s.type === "fencing")
    if (o.dryRun) {
      o.log.info(`Dry run: would disarm HA (resource-mode=ignore), now ${fencing?.["armed-state"] ?? "unknown"}; ${resources.length} HA resources`)
      return record
    }
    await o.store.setItem(HA_RECORD_KEY, record)
    if (fencing?.["armed-state"] !== "disarmed" && fencing?.["armed-state"] !== "disarming") await o.api.disarmHa("ignore")
    if (await waitDisarmed(o)) {
      o.log.info(`HA disarmed (resource-mode=ignore): ${resources.length} resources are unmanaged until arm-ha`)
      return record
    }
    // disarm is deferred while services fence/recover/migrate: do not wait for it, take the per-resource way too
    o.log.warn(`HA did not report disarmed within ${o.settleMs / 1000} s; setting resources to ignored as well`)
  }
  const toIgnore = resources.filter((r) => r.state !== "ignored").map((r) => r.sid)
  record = { ...record, ignored: [...new Set([...record.ignored, ...toIgnore])] }
  if (o.dryRun) {
    o.log.info(`Dry run: would set ${toIgnore.length} HA resources to ignored: ${toIgnore.join(", ") || "none"}`)
    return record
  }
  await o.store.setItem(HA_RECORD_KEY, record)
  for (const sid of toIgnore) await o.api.setHaState(sid, "ignored")
  o.log.info(`HA resources set to ignored: ${toIgnore.join(", ") || "none"} (previous states recorded)`)
  return record
}

async function waitDisarmed(o: HaOptions): Promise<boolean> {
  const until = o.clock.now() + o.settleMs
  for (;;) {
    const state = (await o.api.haStatus()).find((s) => s.type === "fencing")?.["armed-state"]
    if (state === "disarmed") return true
    if (o.clock.now() >= until) return false
    await o.clock.sleep(o.pollMs, o.signal)
  }
}

/** What restoring did. */
export interface HaRestoreReport {
  readonly armed: boolean
  readonly restored: readonly string[]
  /** Resources no longer `ignored` (someone changed them since): left as they are. */
  readonly skipped: readonly string[]
  readonly shutdownPolicy?: string | null
}

/** Undo `record`: arm-ha, put every resource we ignored back to its recorded state, the policy back. */
export async function restoreHa(record: HaRecord, o: Omit<HaOptions, "cluster">): Promise<HaRestoreReport> {
  let armed = false
  if (record.mode === "disarm") {
    const fencing = (await o.api.haStatus()).find((s) => s.type === "fencing")
    if (fencing !== undefined && fencing["armed-state"] !== "armed" && o.dryRun) o.log.info(`Dry run: would re-arm HA (now ${fencing["armed-state"]})`)
    else if (fencing !== undefined && fencing["armed-state"] !== "armed") {
      await o.api.armHa()
      armed = true
      o.log.info("HA re-armed (arm-ha)")
    }
  }
  const restored: string[] = []
  const skipped: string[] = []
  if (record.ignored.length > 0) {
    const now = new Map((await o.api.haResources()).map((r) => [r.sid, r.state]))
    for (const sid of record.ignored) {
      if (now.get(sid) !== "ignored") {
        skipped.push(sid)
        continue
      }
      const prev = record.resources[sid] ?? null
      if (o.dryRun) {
        o.log.info(`Dry run: would set ${sid} back to ${prev ?? "started (default)"}`)
        continue
      }
      // null: the key was absent; deleting it restores the file exactly (not an explicit `started`)
      await o.api.setHaState(sid, prev ?? undefined)
      restored.push(sid)
    }
    if (skipped.length > 0) o.log.warn(`HA resources changed since the shutdown, left as they are: ${skipped.join(", ")}`)
    o.log.info(`HA resources restored: ${restored.join(", ") || "none"}`)
  }
  if (record.mode === "freeze" && record.shutdownPolicy !== undefined && o.dryRun) o.log.info(`Dry run: would restore the HA shutdown policy to ${record.shutdownPolicy ?? "the default"}`)
  else if (record.mode === "freeze" && record.shutdownPolicy !== undefined) {
    await o.api.setShutdownPolicy(record.shutdownPolicy ?? undefined)
    o.log.info(`HA shutdown policy restored to ${record.shutdownPolicy ?? "the default"}`)
  }
  if (!o.dryRun) await o.store.removeItem(HA_RECORD_KEY)
  return { armed, restored, skipped, ...(record.mode === "freeze" ? { shutdownPolicy: record.shutdownPolicy ?? null } : {}) }
}

/** The stored record, if a shutdown left one. */
export function loadHaRecord(store: StateStore): Promise<HaRecord | undefined> {
  return loadRecord<HaRecord>(store, HA_RECORD_KEY, "nutctl-proxmox-ha")
}

/** The store over the runner's per-executor state (`executors:proxmox:…`). */
export function stateStoreOf(state: ExecutorState): StateStore {
  return {
    getItem: async (k) => (await state.get(k)) ?? null,
    setItem: (k, v) => state.set(k, v as JsonValue),
    removeItem: (k) => state.remove(k),
  }
}

/** A store that lives as long as the process (the default; a daemon passes its unstorage). */
export function createMemoryStore(): StateStore {
  const map = new Map<string, unknown>()
  return {
    getItem: async (k) => (map.has(k) ? structuredClone(map.get(k)) : null),
    setItem: async (k, v) => void map.set(k, structuredClone(v)),
    removeItem: async (k) => void map.delete(k),
  }
}

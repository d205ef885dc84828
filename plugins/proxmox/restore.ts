/**
 * After power returns (next boot), or when a shutdown is called off before the point of no
 * return: put HA back exactly as the record says. The disarm flag survives a full power cycle on
 * pmxcfs, and `ignored` resources stay ignored, so without this nothing HA-managed comes back.
 * Waits for the API and quorum first (a cold cluster boots node by node).
 */
import type { Clock, ExecutorContext, ExecutorLog, Step, StepResult } from "../../src/shutdown/index.ts"
import { isQuorate } from "./api.ts"
import type { ProxmoxConfig } from "./config.ts"
import { ProxmoxError, isApiUnusable } from "./errors.ts"
import { HA_RECORD_KEY, loadHaRecord, restoreHa, stateStoreOf, type HaRecord, type HaRestoreReport, type StateStore } from "./ha.ts"
import { localHaRestore } from "./local.ts"
import { changeOptions, localOptions, openSession, type ProxmoxDeps } from "./session.ts"
import { loadCephRecord, restoreCeph, type CephRecord } from "./ceph.ts"

export interface RestoreOptions {
  /** The validated `executors.proxmox` section. */
  readonly config: ProxmoxConfig
  /** This host's name (for the local fallback). */
  readonly host: string
  readonly clock: Clock
  readonly log: ExecutorLog
  readonly signal?: AbortSignal
  /** The record to undo. @default the one in `deps.store` */
  readonly record?: HaRecord
  /** How long to wait for the API and quorum. @default 15 min */
  readonly waitMs?: number
  /** Only read and say what would be restored. @default false */
  readonly dryRun?: boolean
}

/** What restore did (`undefined` record: there was nothing to restore). */
export interface RestoreResult extends Partial<HaRestoreReport> {
  readonly record: HaRecord | undefined
  /** Done with `ha-manager` because the API stayed unusable. */
  readonly local: boolean
}

/** Restore HA from the record a shutdown left; safe to call on every boot. */
export async function restoreProxmox(options: RestoreOptions, deps: ProxmoxDeps = {}): Promise<RestoreResult> {
  const dryRun = options.dryRun ?? false
  const s = await openSession({ config: options.config, host: options.host, clock: options.clock, log: options.log, dryRun }, deps)
  const record = options.record ?? (await loadHaRecord(s.store))
  if (record === undefined) {
    options.log.debug("No Proxmox HA record: nothing to restore")
    return { record: undefined, local: false }
  }
  const signal = options.signal ?? new AbortController().signal
  const until = options.clock.now() + (options.waitMs ?? 900_000)
  let lastError: unknown
  for (;;) {
    try {
      const status = await s.api.clusterStatus()
      if (isQuorate(status)) {
        const report = await restoreHa(record, changeOptions(s, signal))
        return { ...report, record, local: false }
      }
      lastError = new ProxmoxError("PVE_NOT_QUORATE", "the cluster is not quorate yet")
    } catch (e) {
      if (!isApiUnusable(e) && !(e instanceof ProxmoxError && e.code === "PVE_NOT_QUORATE")) throw e
      lastError = e
    }
    if (options.clock.now() >= until) break
    await options.clock.sleep(s.config.pollInterval * 5, signal)
  }
  if (!s.config.localFallback || !isApiUnusable(lastError) || dryRun) throw lastError
  options.log.warn(`Proxmox VE API still unusable (${(lastError as Error).message}); restoring HA with ha-manager`)
  const states = Object.fromEntries(record.ignored.map((sid) => [sid, record.resources[sid] ?? null]))
  if (record.mode === "disarm") await localHaRestore(localOptions(s, signal), { arm: true })
  if (record.ignored.length > 0) await localHaRestore(localOptions(s, signal), { arm: false, states })
  await s.store.removeItem(HA_RECORD_KEY)
  return { record, local: true, armed: record.mode === "disarm", restored: record.ignored, skipped: [] }
}

/**
 * The executor's `restore` steps: `ceph-restore` when a shutdown left Ceph flags set, then
 * `ha-restore` when it left an HA record (the runner calls this after an abort and at the first
 * start after power returns).
 */
export async function restoreSteps(ctx: ExecutorContext<ProxmoxConfig>, deps: ProxmoxDeps): Promise<Step[]> {
  const store = deps.store ?? (ctx.state ? stateStoreOf(ctx.state) : undefined)
  if (store === undefined) return []
  const [record, ceph] = await Promise.all([loadHaRecord(store), loadCephRecord(store)])
  const steps: Step[] = []
  if (ceph !== undefined) steps.push(cephRestoreStep(ctx, deps, store, ceph))
  if (record === undefined) return steps
  const what = record.mode === "disarm" ? "re-arm HA" : record.mode === "freeze" ? `put the HA shutdown policy back to ${record.shutdownPolicy ?? "the default"}` : `set ${record.ignored.length} HA resources back to their recorded states`
  steps.push({
    id: "ha-restore",
    description: `Wait for the cluster API and quorum, then ${what}`,
    timeoutMs: 20 * 60_000,
    estimateMs: 15_000,
    run: async (signal): Promise<StepResult> => {
      const r = await restoreProxmox({ config: ctx.config, host: ctx.host, clock: ctx.clock, log: ctx.log, signal, record, dryRun: ctx.dryRun }, { ...deps, store })
      return { note: `${r.armed ? "HA re-armed; " : ""}${r.restored?.length ?? 0} resources restored${(r.skipped?.length ?? 0) > 0 ? `, ${r.skipped?.length} changed meanwhile` : ""}${r.local ? " (ha-manager)" : ""}` }
    },
  })
  return steps
}

/** Unset the Ceph flags the shutdown set, once every node is back (Proxmox: unset after all nodes are up). */
function cephRestoreStep(ctx: ExecutorContext<ProxmoxConfig>, deps: ProxmoxDeps, store: StateStore, record: CephRecord): Step {
  const waitMs = 15 * 60_000
  return {
    id: "ceph-restore",
    description: `Wait until every node is back (at most ${waitMs / 60_000} min), then unset the Ceph flags ${record.set.join(", ")}`,
    timeoutMs: waitMs + 5 * 60_000,
    estimateMs: 10_000,
    run: async (signal): Promise<StepResult> => {
      const s = await openSession({ config: ctx.config, host: ctx.host, clock: ctx.clock, log: ctx.log, dryRun: ctx.dryRun }, { ...deps, store })
      const r = await restoreCeph(record, { ...changeOptions(s, signal), waitMs })
      return { note: `Ceph flags unset: ${r.unset.join(", ") || "none still set"}${r.missing.length > 0 ? ` (nodes still away: ${r.missing.join(", ")})` : ""}` }
    },
  }
}

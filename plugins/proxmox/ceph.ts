/**
 * Ceph on a hyper-converged cluster: once every guest is down and before the nodes power off, set
 * the OSD flags that keep Ceph from reacting to OSDs going away (Proxmox's "Shutdown Proxmox VE +
 * Ceph HCI cluster": `ceph osd set noout`, …), and unset them once the cluster is back. Without
 * them, the monitors still up mark the OSDs of nodes already off `out` after
 * mon_osd_down_out_interval (10 min) and start moving data onto the nodes that are about to die.
 *
 * Through `PUT /cluster/ceph/flags` (Sys.Modify on /; a worker task) and `GET /cluster/ceph/flags`
 * (Sys.Audit). Only flags this executor set are unset later: a flag an operator had set stays.
 * `pause` and `nodown` are not in the default set: `pause` blocks client I/O, and a node's CephFS or
 * RBD mounts would hang its own shutdown.
 */
import { isQuorate, type PveApi } from "./api.ts"
import { ProxmoxError, isApiUnusable } from "./errors.ts"
import { loadRecord, type HaOptions, type StateStore } from "./ha.ts"
import type { CephFlag } from "./config.ts"

export type { CephFlag } from "./config.ts"

/** What `ceph: auto` sets: no OSD marked out, no data moved while nodes are down. */
export const CEPH_SHUTDOWN_FLAGS: readonly CephFlag[] = ["noout", "norecover", "norebalance", "nobackfill"]

/** The store key of the Ceph record. */
export const CEPH_RECORD_KEY = "ceph-record"

/** What was set, so that exactly that can be unset. */
export interface CephRecord {
  readonly kind: "nutctl-proxmox-ceph"
  /** ms since the epoch */
  readonly at: number
  readonly cluster: string | null
  /** Flags this executor set (they were clear before). */
  readonly set: readonly CephFlag[]
}

/** Ceph as the plan sees it: absent, or present with the flags now set. */
export type CephState = { readonly present: false } | { readonly present: true; readonly set: ReadonlySet<string> }

/** PVE's answers on a cluster without Ceph (pve-manager PVE::Ceph::Tools: not installed / not initialized / not configured). */
const NO_CEPH = /binary not installed|ceph binaries not installed|not initialized|not configured|not enabled/i

/** Read the flags; a cluster without Ceph says so with a 500, which is an answer here, not an error. */
export async function readCeph(api: PveApi): Promise<CephState> {
  try {
    const flags = await api.cephFlags()
    return { present: true, set: new Set(flags.filter((f) => f.value === true || f.value === 1).map((f) => f.name)) }
  } catch (e) {
    if (e instanceof ProxmoxError && e.status === 500 && NO_CEPH.test(e.message)) return { present: false }
    throw e
  }
}

/** What the HA changes get; `settleMs` is the longest wait for the flags to show (the PUT runs as a worker task). */
export type CephOptions = HaOptions

/** Load the record a shutdown left (undefined: nothing to unset). */
export function loadCephRecord(store: StateStore): Promise<CephRecord | undefined> {
  return loadRecord<CephRecord>(store, CEPH_RECORD_KEY, "nutctl-proxmox-ceph")
}

/**
 * Set `flags` that are not set yet; the record (written before the change, merged with one a
 * resumed plan or another node left) names the ones set here. Returns a note for the step.
 */
export async function setCephFlags(flags: readonly CephFlag[], o: CephOptions): Promise<string> {
  const [state, earlier] = await Promise.all([readCeph(o.api), loadCephRecord(o.store)])
  if (!state.present) return "no Ceph on this cluster"
  const toSet = flags.filter((f) => !state.set.has(f))
  // a second run sees our own flags as set: the first record has the truth
  const record: CephRecord = { kind: "nutctl-proxmox-ceph", at: earlier?.at ?? o.clock.now(), cluster: o.cluster, set: [...new Set([...(earlier?.set ?? []), ...toSet])] }
  if (o.dryRun) {
    o.log.info(`Dry run: would set the Ceph flags ${toSet.join(", ") || "(all already set)"}`)
    return `would set ${toSet.join(", ") || "nothing"}`
  }
  if (toSet.length === 0) return `Ceph flags ${flags.join(", ")} already set`
  // what `ceph -s` said before the shutdown, for whoever looks at Ceph when the cluster is back;
  // nothing waits on it: the battery does not
  const health = await o.api.cephHealth().catch(() => undefined)
  if (health !== undefined) (health === "HEALTH_OK" ? o.log.info : o.log.warn)(`Ceph health before the shutdown: ${health}`)
  await o.store.setItem(CEPH_RECORD_KEY, record)
  await o.api.setCephFlags(Object.fromEntries(toSet.map((f) => [f, true])))
  await waitFlags(o, toSet, true)
  o.log.info(`Ceph flags set: ${toSet.join(", ")} (unset again once the cluster is back)`)
  return `set ${toSet.join(", ")}`
}

/**
 * The nodes that run a Ceph monitor, so they are asked to power off after the others (pveceph's
 * order for an HCI cluster); none when the cluster has no Ceph or its monitors do not answer.
 */
export async function cephMonitorNodes(api: PveApi): Promise<ReadonlySet<string>> {
  try {
    return new Set(await api.cephMonitorHosts())
  } catch {
    return new Set()
  }
}

/** Unset what `record` says this executor set (flags cleared meanwhile are left alone), then forget it. */
async function unsetCephFlags(record: CephRecord, o: Omit<CephOptions, "cluster">): Promise<readonly CephFlag[]> {
  const state = await readCeph(o.api)
  const toUnset = state.present ? record.set.filter((f) => state.set.has(f)) : []
  if (o.dryRun) {
    o.log.info(`Dry run: would unset the Ceph flags ${toUnset.join(", ") || "(none still set)"}`)
    return toUnset
  }
  if (toUnset.length > 0) {
    await o.api.setCephFlags(Object.fromEntries(toUnset.map((f) => [f, false])))
    await waitFlags(o, toUnset, false)
    o.log.info(`Ceph flags unset: ${toUnset.join(", ")}`)
  }
  await o.store.removeItem(CEPH_RECORD_KEY)
  return toUnset
}

async function waitFlags(o: Omit<CephOptions, "cluster">, flags: readonly CephFlag[], wanted: boolean): Promise<void> {
  const until = o.clock.now() + o.settleMs
  for (;;) {
    const state = await readCeph(o.api)
    const pending = state.present ? flags.filter((f) => state.set.has(f) !== wanted) : []
    if (pending.length === 0) return
    if (o.clock.now() >= until) throw new ProxmoxError("PVE_API_ERROR", `Ceph flags ${pending.join(", ")} still ${wanted ? "clear" : "set"} after ${o.settleMs / 1000} s`)
    await o.clock.sleep(o.pollMs, o.signal)
  }
}

/**
 * After power returns (or an abort): wait until the API answers, the cluster is quorate and every
 * node is online (the OSDs of a node still booting would otherwise be marked out 10 min later), at
 * most `waitMs`, then unset what the record names. A node that stays away does not keep the flags
 * forever: after the wait they are unset anyway, and the log names the missing nodes.
 */
export async function restoreCeph(record: CephRecord, o: Omit<CephOptions, "cluster"> & { readonly waitMs: number }): Promise<{ unset: readonly CephFlag[]; missing: readonly string[] }> {
  const until = o.clock.now() + o.waitMs
  let missing: string[] = []
  for (;;) {
    try {
      const status = await o.api.clusterStatus()
      missing = status.filter((x) => x.type === "node" && x.online !== 1).map((x) => x.name)
      if (isQuorate(status) && missing.length === 0) break
    } catch (e) {
      // the API coming back is what this waits for; a refused token or request will not change
      if (!isApiUnusable(e) || o.clock.now() >= until) throw e
    }
    if (o.clock.now() >= until) {
      o.log.warn(`Nodes ${missing.join(", ") || "(unknown)"} not back after ${Math.round(o.waitMs / 60_000)} min: unsetting the Ceph flags anyway, so Ceph can recover`)
      break
    }
    await o.clock.sleep(o.pollMs * 5, o.signal)
  }
  return { unset: await unsetCephFlags(record, o), missing }
}

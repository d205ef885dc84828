/**
 * The Proxmox plan: discover, then [HA out of the way] → one step per startup-order group (highest
 * first, guests without order before all) → power off (the point of no return). When the API
 * cannot be used at plan time, the plan is the local one (`qm`/`pct` by startup order, then
 * `shutdown -h now`), on a PVE node only.
 */
import type { ExecutorContext, Step, StepResult } from "../../src/shutdown/index.ts"
import type { ProxmoxConfig } from "./config.ts"
import { isApiUnusable } from "./errors.ts"
import { forceGroup, groupDurations, inScope, runGroup, waitForCluster } from "./groups.ts"
import { effectiveHaMode, haOutOfTheWay, HA_RECORD_KEY, type HaRecord } from "./ha.ts"
import { discover, needsStop, shutdownGroups } from "./inventory.ts"
import { localGuests, localHaOutOfTheWay, localPoweroff, localStopGuests } from "./local.ts"
import { powerOffNodes } from "./poweroff.ts"
import { changeOptions, localOptions, openSession, type ProxmoxDeps, type Session } from "./session.ts"
import { CEPH_SHUTDOWN_FLAGS, cephMonitorNodes, readCeph, setCephFlags, type CephFlag } from "./ceph.ts"

/** A Proxmox step always says how long it expects to take (learned guest durations, else timeouts). */
export interface ProxmoxStep extends Step {
  readonly estimateMs: number
}

/** Build the plan for `ctx.host`. */
export async function planProxmox(ctx: ExecutorContext<ProxmoxConfig>, deps: ProxmoxDeps): Promise<ProxmoxStep[]> {
  const s = await openSession(ctx, deps)
  try {
    s.inventory = await discover(s.api)
  } catch (e) {
    if (!isApiUnusable(e) || !s.config.localFallback) throw e
    s.apiDown = true
    ctx.log.error(`Proxmox VE API unusable at ${s.config.url} (${e.message}); planning with local commands on ${s.node}`)
    return localPlan(s)
  }
  const inv = s.inventory
  for (const g of inv.guests) s.startup.set(g.vmid, { order: g.order, down: g.down })
  const steps: ProxmoxStep[] = []
  if (!inv.quorate) ctx.log.warn(`Node ${s.node} is not quorate: HA cannot be changed, only this node's guests are shut down`)
  s.haMode = inv.quorate ? effectiveHaMode(s.config.ha, { disarmSupported: inv.disarmSupported, haResources: inv.ha.size }) : "off"
  if (s.haMode !== "off") steps.push(haStep(s, s.haMode))
  const guests = inv.guests.filter((g) => needsStop(g) && inScope(s, g))
  const groups = shutdownGroups(guests)
  if (groups.length === 0) groups.push({ order: undefined, guests: [] })
  let waited = 0
  groups.forEach((group, i) => {
    const last = i === groups.length - 1
    const { estimateMs, worstMs } = groupDurations(s, group.guests)
    const timeoutMs = worstMs + 60_000 + (s.config.scope === "node" ? waited : 0)
    waited += worstMs
    steps.push({
      id: group.order === undefined ? "guests-no-order" : `guests-order-${group.order}`,
      description:
        group.guests.length === 0
          ? "Shut down any guest still running"
          : `Shut down ${group.guests.length} guests ${group.order === undefined ? "without startup order" : `with startup order ${group.order}`} (${group.guests.map((g) => g.vmid).join(", ")}), up to ${s.config.concurrency} at once per node`,
      timeoutMs,
      estimateMs,
      durationKey: group.order === undefined ? "guests-no-order" : `guests-order-${group.order}`,
      // the step timed out or failed: whatever of this group still runs is stopped hard
      fallback: {
        description: `Hard-stop guests of this group that are still running`,
        timeoutMs: 120_000,
        estimateMs: 10_000,
        run: async (signal): Promise<StepResult> => ({ note: await forceGroup(s, { order: group.order, last }, signal) }),
      },
      run: async (signal): Promise<StepResult> => {
        const outcomes = await runGroup(s, { order: group.order, last }, signal)
        const count = (k: string): number => outcomes.filter((o) => o.outcome === k).length
        if (s.dryRun) return { note: `${outcomes.length} guests to shut down`, estimateMs }
        return { note: `${count("stopped")} shut down, ${count("forced")} forced, ${count("already-stopped")} already stopped, ${count("skipped-locked")} locked` }
      },
    })
  })
  const member = inv.nodes.some((n) => n.name === s.node)
  if (s.config.scope === "node" && inv.quorate && inv.nodes.length > 1) {
    // shared storage (Ceph, the NAS) must outlive every guest using it: wait for the other nodes,
    // before the point of no return, at most as long as all groups could take
    steps.push({
      id: "wait-cluster",
      description: "Wait until the other nodes' guests are down",
      timeoutMs: waited + 60_000,
      estimateMs: 0,
      run: async (signal) => {
        if (s.apiDown || s.dryRun) return
        try {
          await waitForCluster(s, signal, { above: Number.NEGATIVE_INFINITY, what: "guests on other nodes", otherNodesOnly: true, limitMs: waited })
        } catch (e) {
          if (!isApiUnusable(e)) throw e
          s.apiDown = true
        }
      },
    })
  }
  const ceph = await cephStep(s)
  if (ceph) steps.push(ceph)
  steps.push({
    id: "poweroff-nodes",
    description: s.config.scope === "cluster" && inv.quorate ? `Power off ${inv.nodes.filter((n) => n.online).map((n) => n.name).join(", ")} (${s.node} last)` : `Power off ${s.node}`,
    timeoutMs: member ? 120_000 : 900_000,
    estimateMs: 5000,
    pointOfNoReturn: true,
    run: (signal) => powerOffNodes(s, signal),
  })
  return steps
}

/**
 * The Ceph flags, once every guest is down (the last group, and with `scope: node` the other nodes'
 * guests too) and before any node powers off. None when the cluster has no Ceph or `ceph: off`.
 */
async function cephStep(s: Session): Promise<ProxmoxStep | undefined> {
  const wanted = s.config.ceph
  if (wanted === "off") return undefined
  const flags: readonly CephFlag[] = wanted === "auto" ? CEPH_SHUTDOWN_FLAGS : wanted
  let known = "unknown"
  try {
    const state = await readCeph(s.api)
    if (!state.present) {
      if (wanted !== "auto") s.log.warn(`executors.proxmox.ceph lists flags, but this cluster has no Ceph: left out`)
      return undefined
    }
    known = flags.filter((f) => state.set.has(f)).join(", ") || "none"
    s.cephMons = await cephMonitorNodes(s.api)
  } catch (e) {
    // Ceph trouble (monitors down) must not stop the plan: the step tries again when its turn comes
    s.log.warn(`Cannot read the Ceph flags (${(e as Error).message}); will try to set them before the nodes power off`)
  }
  return {
    id: "ceph-flags",
    description: `Set the Ceph flags ${flags.join(", ")} so no OSD is marked out while the nodes are down (already set: ${known})`,
    timeoutMs: s.config.haSettle + 2 * s.config.requestTimeout,
    estimateMs: 3000,
    run: async (signal): Promise<StepResult | undefined> => {
      if (s.apiDown) return { note: "API unusable: Ceph flags left as they are" }
      return { note: await setCephFlags(flags, changeOptions(s, signal)) }
    },
  }
}

function haStep(s: Session, mode: "disarm" | "ignore" | "freeze"): ProxmoxStep {
  const inv = s.inventory
  const description =
    mode === "disarm"
      ? "Disarm HA (resource-mode=ignore) so nothing is stopped by the CRM or recovered elsewhere"
      : mode === "ignore"
        ? `Set ${inv?.ha.size ?? 0} HA resources to ignored (recording their states)`
        : "Set the HA shutdown policy to freeze (recording the previous one)"
  return {
    id: `ha-${mode}`,
    description,
    timeoutMs: s.config.haSettle + 60_000 + (inv?.ha.size ?? 0) * s.config.requestTimeout,
    estimateMs: mode === "disarm" ? 15_000 : 1000 + (inv?.ha.size ?? 0) * 100,
    run: async (signal) => {
      const o = changeOptions(s, signal)
      if (!s.apiDown) {
        try {
          await haOutOfTheWay(mode, o)
          return
        } catch (e) {
          if (!isApiUnusable(e) || !s.config.localFallback) throw e
          s.apiDown = true
          s.log.error(`Proxmox VE API unusable (${e.message}); changing HA with ha-manager on ${s.node}`)
        }
      }
      await localHa(s, mode, signal)
    },
  }
}

async function localHa(s: Session, mode: "disarm" | "ignore" | "freeze", signal: AbortSignal): Promise<void> {
  const inv = s.inventory
  if (mode === "freeze" || inv === undefined) {
    s.log.warn("HA left as it is: the shutdown policy cannot be changed without the API")
    return
  }
  const resources = Object.fromEntries([...inv.ha].map(([sid, state]) => [sid, state ?? null]))
  const sids = [...inv.ha].filter(([, state]) => state !== "ignored").map(([sid]) => sid)
  const record: HaRecord = { kind: "nutctl-proxmox-ha", at: s.clock.now(), cluster: inv.clusterName ?? null, mode, resources, ignored: mode === "ignore" ? sids : [] }
  if (!s.dryRun) await s.store.setItem(HA_RECORD_KEY, record)
  await localHaOutOfTheWay(localOptions(s, signal), mode === "disarm" ? { disarm: true } : { disarm: false, sids })
}

function localPlan(s: Session): ProxmoxStep[] {
  return [
    {
      id: "local-guests",
      description: `Shut down ${s.node}'s guests with qm/pct in reverse startup order (API unusable; HA left as it is)`,
      timeoutMs: 3_600_000,
      estimateMs: s.config.guestTimeout,
      run: async (signal) => {
        const o = localOptions(s, signal)
        const failed = (await localStopGuests(o, await localGuests(o))).filter((r) => !r.ok)
        if (failed.length > 0) throw new Error(`Cannot shut down guests ${failed.map((f) => f.vmid).join(", ")} locally`)
      },
    },
    {
      id: "local-poweroff",
      description: `Power off ${s.node} (shutdown -h now)`,
      timeoutMs: 60_000,
      estimateMs: 5000,
      pointOfNoReturn: true,
      run: (signal) => localPoweroff(localOptions(s, signal)),
    },
  ]
}

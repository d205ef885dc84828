/**
 * Running one startup-order group at step time: re-read which guests still run (the plan may be
 * minutes old: new guests, migrated ones, ones already down), pick those of this group and every
 * later group (stragglers), wait for later groups on other nodes when this host only does its own
 * node, then stop them; on an unusable API, do this node's part with `qm`/`pct`.
 */
import type { ResourceItem } from "./api.ts"
import { ProxmoxError, isApiUnusable } from "./errors.ts"
import { stopGuests, timeoutOf, type GuestOutcome } from "./guests.ts"
import { guestOf, needsStop, parseStartup, type Guest } from "./inventory.ts"
import { localGuests, localHardStop, localStopGuests } from "./local.ts"
import { localOptions, type Session } from "./session.ts"

/** A group as planned: its order (undefined = guests without one) and whether it is the last. */
export interface GroupSpec {
  readonly order: number | undefined
  readonly last: boolean
}

const eff = (order: number | undefined): number => order ?? Number.POSITIVE_INFINITY

/** This group's guests: effective order at least the group's, or every remaining one in the last group. */
export function inGroup(g: Guest, group: GroupSpec): boolean {
  return group.last || eff(g.order) >= eff(group.order)
}

/** Guests this host acts on: all (cluster scope, quorate) or its own; HA guests stay out under `freeze`. */
export function inScope(s: Session, g: Guest): boolean {
  const quorate = s.inventory?.quorate ?? false
  if (!(s.config.scope === "cluster" && quorate) && g.node !== s.node) return false
  if (s.haMode === "freeze" && g.sid !== undefined && g.haState !== "ignored") return false
  return true
}

/** Current guests, with startup orders from the configs (read once per guest). */
export async function currentGuests(s: Session): Promise<Guest[]> {
  const items = (await s.api.resources()).filter((r): r is ResourceItem => r.type === "qemu" || r.type === "lxc")
  const unknown = items.filter((r) => r.status !== "stopped" && r.template !== 1 && !s.startup.has(r.vmid))
  await Promise.all(
    unknown.map(async (r) => {
      s.startup.set(r.vmid, parseStartup((await s.api.guestConfig(r.node, r.type, r.vmid)).startup))
    }),
  )
  const ha = s.inventory?.ha
  return items.map((r) => guestOf(r, s.startup.get(r.vmid), ha))
}

/** Run a group step. @throws ProxmoxError when guests could not be brought down */
export async function runGroup(s: Session, group: GroupSpec, signal: AbortSignal): Promise<GuestOutcome[]> {
  if (s.apiDown) return localGroup(s, group, signal)
  try {
    if (s.config.scope === "node") await waitForLaterGroups(s, group, signal)
    const guests = (await currentGuests(s)).filter((g) => needsStop(g) && inScope(s, g) && inGroup(g, group))
    const label = group.order === undefined ? "without startup order" : `with startup order ${group.order}${group.last ? " (and any left)" : ""}`
    if (guests.length === 0) {
      s.log.info(`No running guests ${label}`)
      return []
    }
    s.log.info(`Shutting down ${guests.length} guests ${label}: ${guests.map((g) => g.vmid).join(", ")}`)
    const outcomes = await stopGuests(guests, {
      api: s.api,
      clock: s.clock,
      log: s.log,
      signal,
      concurrency: s.config.concurrency,
      pollMs: s.config.pollInterval,
      forceGraceMs: s.config.forceGrace,
      forceAfter: s.config.forceAfter,
      skipLock: s.config.skipLock,
      guestTimeoutMs: s.config.guestTimeout,
      dryRun: s.dryRun,
      ...(s.deps.estimate ? { estimate: s.deps.estimate } : {}),
      ...(s.deps.observe ? { observe: s.deps.observe } : {}),
    })
    const count = (k: GuestOutcome["outcome"]): number => outcomes.filter((o) => o.outcome === k).length
    s.log.info(`Group ${label}: ${count("stopped")} shut down, ${count("forced")} forced, ${count("already-stopped")} already stopped, ${count("skipped-locked")} locked, ${count("failed")} failed`)
    const failed = outcomes.filter((o) => o.outcome === "failed")
    if (failed.length > 0) throw new ProxmoxError("PVE_API_ERROR", `Guests still running: ${failed.map((f) => `${f.vmid} (${f.detail ?? "failed"})`).join(", ")}`)
    return outcomes
  } catch (e) {
    if (!isApiUnusable(e) || !s.config.localFallback) throw e
    s.apiDown = true
    s.log.error(`Proxmox VE API unusable (${e.message}); falling back to local commands on ${s.node}`)
    return localGroup(s, group, signal)
  }
}

/** The group's fallback: hard-stop what still runs (API `stop`, else `qm stop` / `pct stop`). */
export async function forceGroup(s: Session, group: GroupSpec, signal: AbortSignal): Promise<string> {
  if (!s.apiDown) {
    try {
      const guests = (await currentGuests(s)).filter((g) => needsStop(g) && inScope(s, g) && inGroup(g, group))
      if (s.dryRun) return `would hard-stop ${guests.length} guests`
      await Promise.all(guests.map((g) => s.api.stop(g.node, g.type, g.vmid, s.config.skipLock && g.lock !== undefined ? { skiplock: true } : {}).catch((e: unknown) => {
        if (isApiUnusable(e)) throw e
        s.log.warn(`Cannot stop guest ${g.vmid}: ${(e as Error).message}`)
      })))
      for (let left = guests; left.length > 0; ) {
        await s.clock.sleep(s.config.pollInterval, signal)
        const running = new Set((await currentGuests(s)).filter(needsStop).map((g) => g.vmid))
        left = left.filter((g) => running.has(g.vmid))
      }
      return `${guests.length} guests hard-stopped`
    } catch (e) {
      if (!isApiUnusable(e) || !s.config.localFallback) throw e
      s.apiDown = true
    }
  }
  const o = localOptions(s, signal)
  const n = await localHardStop(o, (await localGuests(o)).filter((g) => needsStop(g) && inGroup(g, group)))
  return `${n} guests hard-stopped locally`
}

async function localGroup(s: Session, group: GroupSpec, signal: AbortSignal): Promise<GuestOutcome[]> {
  const o = localOptions(s, signal)
  const guests = (await localGuests(o)).filter((g) => needsStop(g) && inGroup(g, group))
  const start = s.clock.now()
  const results = await localStopGuests(o, guests)
  return results.map((r) => ({ vmid: r.vmid, node: s.node, outcome: r.ok ? ("stopped" as const) : ("failed" as const), ms: s.clock.now() - start }))
}

// scope node: other nodes run their own plans; keep the cluster-wide order by waiting for them
async function waitForLaterGroups(s: Session, group: GroupSpec, signal: AbortSignal): Promise<void> {
  if (group.order === undefined) return
  await waitForCluster(s, signal, { above: group.order, what: "guests of later startup groups elsewhere in the cluster" })
}

/**
 * Wait until no guest with an effective order above `above` runs on an online node (HA guests
 * left to the LRM under `freeze` do not count); with `otherNodesOnly`, this node's own guests do
 * not count either. Gives up after `limitMs` (the shutdown must go on).
 */
export async function waitForCluster(s: Session, signal: AbortSignal, o: { above: number; what: string; otherNodesOnly?: boolean; limitMs?: number }): Promise<boolean> {
  const until = s.clock.now() + (o.limitMs ?? Number.POSITIVE_INFINITY)
  for (let first = true; ; first = false) {
    const [guests, status] = await Promise.all([currentGuests(s), s.api.clusterStatus()])
    const online = new Set(status.filter((x) => x.type === "node" && x.online === 1).map((x) => x.name))
    const left = guests.filter(
      (g) => needsStop(g) && online.has(g.node) && eff(g.order) > o.above && !(o.otherNodesOnly && g.node === s.node) && !(s.haMode === "freeze" && g.sid !== undefined && g.haState !== "ignored"),
    )
    if (left.length === 0) return true
    if (s.clock.now() >= until) {
      s.log.warn(`Still running after ${(o.limitMs ?? 0) / 1000} s: ${left.map((g) => g.vmid).join(", ")}; going on`)
      return false
    }
    if (first) s.log.info(`Waiting for ${left.length} ${o.what}: ${left.map((g) => g.vmid).join(", ")}`)
    await s.clock.sleep(s.config.pollInterval, signal)
  }
}

/** Longest-processing-time makespan of `durations` on `lanes` parallel slots. */
export function makespan(durations: readonly number[], lanes: number): number {
  const slots = Array.from({ length: Math.max(1, lanes) }, () => 0)
  for (const d of [...durations].sort((a, b) => b - a)) {
    const i = slots.indexOf(Math.min(...slots))
    slots[i] = (slots[i] ?? 0) + d
  }
  return Math.max(...slots)
}

/** Expected and worst-case duration of a group (per node LPT, the slowest node counts). */
export function groupDurations(s: Session, guests: readonly Guest[]): { estimateMs: number; worstMs: number } {
  const byNode = new Map<string, Guest[]>()
  for (const g of guests) byNode.set(g.node, [...(byNode.get(g.node) ?? []), g])
  let estimateMs = 0
  let worstMs = 0
  for (const list of byNode.values()) {
    const worst = list.map((g) => timeoutOf(g, s.config.guestTimeout) + s.config.forceGrace + 2 * s.config.pollInterval + 60_000)
    const expected = list.map((g) => s.deps.estimate?.(g.vmid) ?? timeoutOf(g, s.config.guestTimeout))
    estimateMs = Math.max(estimateMs, makespan(expected, s.config.concurrency))
    worstMs = Math.max(worstMs, makespan(worst, s.config.concurrency))
  }
  return { estimateMs, worstMs }
}

/**
 * Shutting one startup-order group down over the API: up to `concurrency` guests per node at once,
 * longest expected first (so the group's makespan stays near its slowest guest), each with its
 * `down` timeout (or the default) and `forceStop=1` so PVE itself escalates to SIGTERM/SIGKILL at
 * the timeout. Completion is seen by polling each guest's `status/current`, never the task: for
 * HA-managed guests the task is a `hastop` that ends long before the guest (§1.5). If PVE has not
 * forced a guest `forceGrace` after its timeout, we send `stop` ourselves.
 */
import type { Clock, ExecutorLog } from "../../src/shutdown/index.ts"
import type { PveApi } from "./api.ts"
import { ProxmoxError, isApiUnusable } from "./errors.ts"
import type { Guest } from "./inventory.ts"

/** How one guest's shutdown ended. */
export interface GuestOutcome {
  readonly vmid: number
  readonly node: string
  /** `forced`: still running at its timeout; `skipped-locked`: left to pve-guests (vzdump -stop first). */
  readonly outcome: "stopped" | "forced" | "already-stopped" | "skipped-locked" | "dry-run" | "failed"
  /** From the shutdown request to the status showing `stopped` (poll resolution). */
  readonly ms: number
  readonly detail?: string
}

export interface StopGuestsOptions {
  readonly api: PveApi
  readonly clock: Clock
  readonly log: ExecutorLog
  readonly signal: AbortSignal
  /** Per node. */
  readonly concurrency: number
  readonly pollMs: number
  readonly forceGraceMs: number
  readonly forceAfter: boolean
  readonly skipLock: boolean
  readonly guestTimeoutMs: number
  readonly dryRun: boolean
  /** Learned duration of a guest's shutdown (ms), for ordering. */
  readonly estimate?: (vmid: number) => number | undefined
  /** Told about every finished guest (the budget learns from it). */
  readonly observe?: (outcome: GuestOutcome) => void
}

/** A guest's shutdown timeout: its `down`, else the default. */
export function timeoutOf(g: Guest, defaultMs: number): number {
  return g.down !== undefined ? g.down * 1000 : defaultMs
}

interface Active {
  readonly g: Guest
  readonly startedAt: number
  readonly deadline: number
  forcedAt: number | undefined
}

/** Shut `guests` down; resolves when every one is down, skipped or given up. */
export async function stopGuests(guests: readonly Guest[], o: StopGuestsOptions): Promise<GuestOutcome[]> {
  const expected = (g: Guest): number => o.estimate?.(g.vmid) ?? timeoutOf(g, o.guestTimeoutMs)
  const queues = new Map<string, Guest[]>()
  for (const g of guests) queues.set(g.node, [...(queues.get(g.node) ?? []), g])
  // longest first (LPT); ties as stopall does (descending VMID)
  for (const q of queues.values()) q.sort((a, b) => expected(b) - expected(a) || b.vmid - a.vmid)
  const active = new Map<number, Active>()
  const outcomes: GuestOutcome[] = []
  const finish = (g: Guest, outcome: GuestOutcome["outcome"], startedAt: number, detail?: string): void => {
    active.delete(g.vmid)
    const out: GuestOutcome = { vmid: g.vmid, node: g.node, outcome, ms: o.clock.now() - startedAt, ...(detail === undefined ? {} : { detail }) }
    outcomes.push(out)
    o.observe?.(out)
    if (outcome === "failed") o.log.error(`Guest ${g.vmid} (${g.name}) on ${g.node}: ${detail ?? "failed"}`)
    else o.log.debug(`Guest ${g.vmid} (${g.name}) on ${g.node}: ${outcome} after ${out.ms} ms`)
  }

  const start = async (g: Guest): Promise<void> => {
    const now = o.clock.now()
    const timeout = timeoutOf(g, o.guestTimeoutMs)
    if (g.lock !== undefined && !o.skipLock) {
      o.log.warn(`Guest ${g.vmid} (${g.name}) is locked (${g.lock}): leaving it to the node's own shutdown (pve-guests runs vzdump -stop first)`)
      return finish(g, "skipped-locked", now, g.lock)
    }
    if (o.dryRun) {
      let now_ = "status unreadable"
      try {
        now_ = `now ${(await o.api.guestStatus(g.node, g.type, g.vmid)).status}`
      } catch (e) {
        if (isApiUnusable(e)) throw e
        o.log.warn(`Cannot read status of guest ${g.vmid}: ${(e as Error).message}`)
      }
      o.log.info(`Dry run: would shut down ${g.type} ${g.vmid} (${g.name}) on ${g.node}, ${now_}, timeout ${timeout / 1000} s${o.forceAfter ? ", then force" : ""}`)
      return finish(g, "dry-run", now)
    }
    try {
      await o.api.shutdown(g.node, g.type, g.vmid, { timeout: timeout / 1000, forceStop: o.forceAfter, ...(o.skipLock && g.lock !== undefined ? { skiplock: true } : {}) })
    } catch (e) {
      if (e instanceof ProxmoxError && e.code === "PVE_API_ERROR" && /not running/.test(e.message)) return finish(g, "already-stopped", now)
      if (isApiUnusable(e)) throw e
      o.log.warn(`Cannot request shutdown of guest ${g.vmid}: ${(e as Error).message}; watching it until its timeout`)
    }
    active.set(g.vmid, { g, startedAt: now, deadline: now + timeout, forcedAt: undefined })
  }

  const poll = async (a: Active): Promise<void> => {
    const now = o.clock.now()
    let status: string
    try {
      status = (await o.api.guestStatus(a.g.node, a.g.type, a.g.vmid)).status
    } catch (e) {
      // our own endpoint failing is the caller's problem; 595/596: PVE could not reach that guest's node
      if (isApiUnusable(e)) throw e
      if (e instanceof ProxmoxError && e.status !== undefined && e.status >= 595) return finish(a.g, "failed", a.startedAt, `node ${a.g.node} unreachable (${e.status})`)
      o.log.warn(`Cannot read status of guest ${a.g.vmid}: ${(e as Error).message}`)
      // migrated or deleted meanwhile: do not watch it past the point a forced stop would be over
      if (now >= a.deadline + o.forceGraceMs + 60_000) finish(a.g, "failed", a.startedAt, `status unreadable: ${(e as Error).message}`)
      return
    }
    if (status === "stopped") return finish(a.g, now > a.deadline ? "forced" : "stopped", a.startedAt)
    if (!o.forceAfter) {
      if (now >= a.deadline + o.forceGraceMs) finish(a.g, "failed", a.startedAt, "still running after its timeout (forceAfter: false)")
      return
    }
    if (a.forcedAt === undefined && now >= a.deadline + o.forceGraceMs) {
      o.log.warn(`Guest ${a.g.vmid} still running ${o.forceGraceMs / 1000} s after its timeout: stopping it`)
      a.forcedAt = now
      try {
        await o.api.stop(a.g.node, a.g.type, a.g.vmid, o.skipLock && a.g.lock !== undefined ? { skiplock: true } : {})
      } catch (e) {
        if (isApiUnusable(e)) throw e
        o.log.warn(`Cannot stop guest ${a.g.vmid}: ${(e as Error).message}`)
      }
    } else if (a.forcedAt !== undefined && now >= a.forcedAt + 60_000) {
      finish(a.g, "failed", a.startedAt, "still running a minute after a hard stop")
    }
  }

  for (;;) {
    const starts: Promise<void>[] = []
    for (const [node, q] of queues) {
      let running = [...active.values()].filter((a) => a.g.node === node).length
      while (running < o.concurrency && q.length > 0) {
        starts.push(start(q.shift() as Guest))
        running++
      }
    }
    await Promise.all(starts)
    if (active.size === 0 && [...queues.values()].every((q) => q.length === 0)) break
    if (active.size === 0) continue
    await o.clock.sleep(o.pollMs, o.signal)
    await Promise.all([...active.values()].map(poll))
  }
  return outcomes
}

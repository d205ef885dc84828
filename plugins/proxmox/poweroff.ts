/**
 * The point of no return: `POST /nodes/{node}/status command=shutdown` for every node in scope:
 * nodes without a Ceph monitor first, then the monitors, the API endpoint's node and this node last (each returns `null` at once and runs `poweroff` two
 * seconds later, §1.9). All nodes are asked within moments of each other on purpose: with HA
 * resources only `ignored` (PVE < 9.1) an LRM stays active for ~10 min, and a node left alone
 * without quorum would self-fence while shutting down (§1.8).
 */
import { isQuorate } from "./api.ts"
import { ProxmoxError, isApiUnusable } from "./errors.ts"
import { localPoweroff } from "./local.ts"
import { localOptions, type Session } from "./session.ts"

/** Power the nodes in scope off; a host outside the cluster then waits until they are gone. */
export async function powerOffNodes(s: Session, signal: AbortSignal): Promise<void> {
  const member = s.inventory?.nodes.some((n) => n.name === s.node) ?? true
  if (s.apiDown) return fallback(s, member, signal)
  try {
    const status = await s.api.clusterStatus()
    const quorate = isQuorate(status)
    const online = status.filter((x) => x.type === "node" && x.online === 1).map((x) => x.name)
    const endpoint = status.find((x) => x.type === "node" && x.local === 1)?.name
    const inScope = s.config.scope === "cluster" && quorate ? online : online.filter((n) => n === s.node)
    // Ceph monitors after the other nodes, as pveceph orders an HCI cluster's shutdown (known from
    // plan time: a Ceph without quorum could keep a question here waiting)
    const rank = (n: string): number => (n === s.node ? 3 : n === endpoint ? 2 : s.cephMons.has(n) ? 1 : 0)
    const targets = [...inScope].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    if (s.dryRun) {
      s.log.info(`Dry run: would power off ${targets.join(", ") || "no node"}${quorate ? "" : " (not quorate: this node only)"}`)
      return
    }
    for (const node of targets) {
      try {
        await s.api.nodeShutdown(node)
        s.log.info(`Node ${node}: poweroff requested`)
      } catch (e) {
        if (isApiUnusable(e) && node === s.node && s.config.localFallback) return fallback(s, member, signal)
        if (e instanceof ProxmoxError && (e.status === 595 || e.status === 596)) s.log.warn(`Node ${node} is already unreachable (${e.status})`)
        else s.log.error(`Cannot power off node ${node}`, e)
      }
    }
    if (!member && targets.length > 0) await waitGone(s, targets, signal)
  } catch (e) {
    if (!isApiUnusable(e) || !s.config.localFallback || !member) throw e
    s.apiDown = true
    s.log.error(`Proxmox VE API unusable (${e.message}); powering ${s.node} off locally`)
    return fallback(s, member, signal)
  }
}

async function fallback(s: Session, member: boolean, signal: AbortSignal): Promise<void> {
  if (!member) throw new ProxmoxError("PVE_FALLBACK_FAILED", `Cannot power off the cluster: the API is unusable and ${s.node} is not one of its nodes`)
  await localPoweroff(localOptions(s, signal))
}

// a host outside the cluster (the NAS) must not go on before the nodes are off
async function waitGone(s: Session, targets: readonly string[], signal: AbortSignal): Promise<void> {
  for (;;) {
    await s.clock.sleep(s.config.pollInterval, signal)
    try {
      const status = await s.api.clusterStatus()
      const left = status.filter((x) => x.type === "node" && x.online === 1 && targets.includes(x.name)).map((x) => x.name)
      if (left.length === 0) return
    } catch (e) {
      // the endpoint's own node went down last: nothing left to ask
      if (isApiUnusable(e)) return
      throw e
    }
  }
}

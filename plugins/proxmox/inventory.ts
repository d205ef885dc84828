/**
 * What the cluster looks like before anything is touched (executors-reference §1.4, §1.10 step 1):
 * version and disarm support, quorum, nodes, every guest with its startup order and `down`
 * timeout, HA resources with their requested states, and the HA shutdown policy.
 */
import { isQuorate, type GuestType, type PveApi, type ResourceItem } from "./api.ts"

/** A guest as the plan sees it. */
export interface Guest {
  readonly vmid: number
  readonly type: GuestType
  readonly node: string
  readonly name: string
  /** `running`, `stopped`, `paused` (qmpstatus) … */
  readonly status: string
  readonly template: boolean
  readonly lock: string | undefined
  /** `startup: order=` (undefined = none: shut down first) */
  readonly order: number | undefined
  /** `startup: down=` seconds */
  readonly down: number | undefined
  /** HA resource id when configured (`vm:100`). */
  readonly sid: string | undefined
  /** The resource's requested state (`started` when the key is absent). */
  readonly haState: string | undefined
}

/** The cluster at plan time. */
export interface Inventory {
  /** `9.1.4` */
  readonly version: string
  /** The `fencing` entry exists in HA status: `disarm-ha` is available (pve-ha-manager ≥ 5.1.3, PVE 9.1). */
  readonly disarmSupported: boolean
  /** `armed-state` when disarm is supported. */
  readonly armedState: string | undefined
  readonly quorate: boolean
  readonly clusterName: string | undefined
  readonly nodes: readonly { readonly name: string; readonly online: boolean }[]
  readonly guests: readonly Guest[]
  /** sid → stored `state` (undefined = key absent = started) */
  readonly ha: ReadonlyMap<string, string | undefined>
  readonly shutdownPolicy: string | undefined
}

/** `[[order=]N][,up=N][,down=N]` → order and down; undefined fields when absent or invalid. */
export function parseStartup(text: string | undefined): { order: number | undefined; down: number | undefined } {
  let order: number | undefined
  let down: number | undefined
  for (const part of (text ?? "").split(",")) {
    const m = /^\s*(?:(order|up|down)=)?(\d+)\s*$/.exec(part)
    if (!m) continue
    if ((m[1] ?? "order") === "order") order = Number(m[2])
    else if (m[1] === "down") down = Number(m[2])
  }
  return { order, down }
}

/** A guest from its `/cluster/resources` row (a qemu or lxc one), its startup order and the HA resources (`vm:100` → state). */
export function guestOf(r: ResourceItem, startup: { readonly order: number | undefined; readonly down: number | undefined } | undefined, ha: ReadonlyMap<string, string | undefined> | undefined): Guest {
  const sid = `${r.type === "qemu" ? "vm" : "ct"}:${r.vmid}`
  const configured = ha?.has(sid) === true
  return {
    vmid: r.vmid,
    type: r.type as GuestType,
    node: r.node,
    name: r.name ?? String(r.vmid),
    status: r.status,
    template: r.template === 1,
    lock: r.lock,
    order: startup?.order,
    down: startup?.down,
    sid: configured ? sid : undefined,
    haState: configured ? (ha?.get(sid) ?? "started") : undefined,
  }
}

/** Read the cluster (read-only; about 6 requests plus one config per running guest). */
export async function discover(api: PveApi, options: { readonly parallel?: number } = {}): Promise<Inventory> {
  const [version, status, resources, haResources, haStatus, shutdownPolicy] = await Promise.all([
    api.version(),
    api.clusterStatus(),
    api.resources(),
    api.haResources(),
    api.haStatus(),
    api.shutdownPolicy(),
  ])
  const quorate = isQuorate(status)
  const fencing = haStatus.find((s) => s.type === "fencing")
  const ha = new Map<string, string | undefined>(haResources.map((r) => [r.sid, r.state]))
  const items = resources.filter((r) => r.type === "qemu" || r.type === "lxc")
  // startup orders only live in each guest's config; templates and stopped guests need none
  const configs = new Map<number, { startup?: string }>()
  const wanted = items.filter((r) => r.status !== "stopped" && r.template !== 1)
  const parallel = options.parallel ?? 8
  for (let i = 0; i < wanted.length; i += parallel) {
    await Promise.all(
      wanted.slice(i, i + parallel).map(async (r) => {
        configs.set(r.vmid, await api.guestConfig(r.node, r.type, r.vmid))
      }),
    )
  }
  const guests = items.map((r) => guestOf(r, parseStartup(configs.get(r.vmid)?.startup), ha))
  return {
    version: version.version,
    disarmSupported: fencing !== undefined,
    armedState: fencing?.["armed-state"],
    quorate,
    clusterName: status.find((s) => s.type === "cluster")?.name,
    nodes: status.filter((s) => s.type === "node").map((s) => ({ name: s.name, online: s.online === 1 })),
    guests: guests.sort((a, b) => a.vmid - b.vmid),
    ha,
    shutdownPolicy,
  }
}

/** Shutdown groups: highest `order` first, guests without an order before all (as stopall does). */
export function shutdownGroups(guests: readonly Guest[]): { order: number | undefined; guests: Guest[] }[] {
  const key = (g: Guest): number => g.order ?? Number.POSITIVE_INFINITY
  const groups = new Map<number, Guest[]>()
  for (const g of guests) groups.set(key(g), [...(groups.get(key(g)) ?? []), g])
  return [...groups.entries()].sort((a, b) => b[0] - a[0]).map(([order, list]) => ({ order: order === Number.POSITIVE_INFINITY ? undefined : order, guests: list }))
}

/** True for guests a shutdown has to act on. */
export function needsStop(g: Guest): boolean {
  return !g.template && g.status !== "stopped"
}

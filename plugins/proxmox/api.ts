/**
 * The PVE calls the executor makes, through proxmox-api's path builder (typings of PVE 8.1; the
 * 9.1-only disarm/arm paths are reached through the same proxy without types). Results are
 * narrowed to what the executor reads.
 */
import type { PveClient } from "./client.ts"

export type GuestType = "qemu" | "lxc"

/** An item of GET /cluster/resources?type=vm. */
export interface ResourceItem {
  readonly vmid: number
  readonly type: GuestType
  readonly node: string
  readonly name?: string
  readonly status: string
  readonly template?: number
  readonly lock?: string
  readonly hastate?: string
}

/** An item of GET /cluster/status. */
export interface ClusterStatusItem {
  readonly type: "cluster" | "node"
  readonly name: string
  readonly quorate?: number
  readonly online?: number
  readonly local?: number
}

/** Whether GET /cluster/status says the cluster is quorate (a single node without a cluster always is). */
export function isQuorate(status: readonly ClusterStatusItem[]): boolean {
  const cluster = status.find((x) => x.type === "cluster")
  return cluster === undefined || cluster.quorate === 1
}

/** An item of GET /cluster/ha/resources (stored keys only: `state` absent means started). */
export interface HaResourceItem {
  readonly sid: string
  readonly state?: string
  readonly digest?: string
}

/** An item of GET /cluster/ha/status/current. */
export interface HaStatusItem {
  readonly id: string
  readonly type: string
  readonly node?: string
  readonly status?: string
  readonly quorate?: number
  readonly "armed-state"?: "armed" | "standby" | "disarming" | "disarmed"
  readonly resource_mode?: string
}

/** GET …/status/current, the fields read here. */
export interface GuestStatus {
  readonly status: string
  readonly qmpstatus?: string
  readonly lock?: string
  readonly template?: number
}

/** GET …/config, the fields read here. */
export interface GuestConfig {
  readonly startup?: string
  readonly template?: number
  readonly lock?: string
}

/** An item of GET /cluster/ceph/flags (PVE writes booleans as 0/1). */
export interface CephFlagItem {
  readonly name: string
  readonly value: boolean | number
}

/** GET /access/permissions: path → privilege → 1 when it propagates to the paths below. */
export type EffectivePermissions = Readonly<Record<string, Readonly<Record<string, number>>>>

/** What the executor asks of PVE. */
export interface PveApi {
  version(): Promise<{ version: string; release: string }>
  /** The token's own effective privileges (every user may read their own). */
  permissions(): Promise<EffectivePermissions>
  clusterStatus(): Promise<ClusterStatusItem[]>
  resources(): Promise<ResourceItem[]>
  guestConfig(node: string, type: GuestType, vmid: number): Promise<GuestConfig>
  guestStatus(node: string, type: GuestType, vmid: number): Promise<GuestStatus>
  /** POST …/status/shutdown → UPID */
  shutdown(node: string, type: GuestType, vmid: number, o: { timeout: number; forceStop: boolean; skiplock?: boolean }): Promise<string>
  /** POST …/status/stop → UPID (aborting a pending shutdown task first) */
  stop(node: string, type: GuestType, vmid: number, o: { skiplock?: boolean }): Promise<string>
  haResources(): Promise<HaResourceItem[]>
  haStatus(): Promise<HaStatusItem[]>
  /** PUT /cluster/ha/resources/{sid}: a state, or `undefined` to delete the key (back to the default). */
  setHaState(sid: string, state: string | undefined): Promise<void>
  disarmHa(mode: "ignore" | "freeze"): Promise<void>
  armHa(): Promise<void>
  /** `ha.shutdown_policy` of datacenter.cfg (undefined when never set). */
  shutdownPolicy(): Promise<string | undefined>
  setShutdownPolicy(policy: string | undefined): Promise<void>
  /** POST /nodes/{node}/status command=shutdown */
  nodeShutdown(node: string): Promise<void>
  /** GET /cluster/ceph/flags (500 on a cluster without Ceph) */
  cephFlags(): Promise<CephFlagItem[]>
  /** PUT /cluster/ceph/flags: true sets, false unsets, absent leaves alone → UPID of the worker */
  setCephFlags(flags: Readonly<Record<string, boolean>>): Promise<string>
  /** GET /cluster/ceph/status (`ceph -s`): the health status, HEALTH_OK / HEALTH_WARN / HEALTH_ERR */
  cephHealth(): Promise<string | undefined>
  /** GET /cluster/ceph/metadata: the hosts that run a Ceph monitor */
  cephMonitorHosts(): Promise<string[]>
}

interface Loose {
  $get(p?: Record<string, unknown>): Promise<unknown>
  $post(p?: Record<string, unknown>): Promise<unknown>
  $put(p?: Record<string, unknown>): Promise<unknown>
}

/** The operations over a client. */
export function pveApi(client: PveClient): PveApi {
  const px = client.api
  const guest = (node: string, type: GuestType, vmid: number) => (type === "qemu" ? px.nodes.$(node).qemu.$(vmid) : px.nodes.$(node).lxc.$(vmid))
  const haStatus = px.cluster.ha.status as unknown as Record<"disarm-ha" | "arm-ha", Loose>
  return {
    version: async () => (await px.version.$get()) as { version: string; release: string },
    permissions: async () => ((await (px.access as unknown as { permissions: Loose }).permissions.$get()) ?? {}) as EffectivePermissions,
    clusterStatus: async () => (await px.cluster.status.$get()) as unknown as ClusterStatusItem[],
    resources: async () => (await px.cluster.resources.$get({ type: "vm" })) as unknown as ResourceItem[],
    guestConfig: async (node, type, vmid) => (await (guest(node, type, vmid) as unknown as { config: Loose }).config.$get()) as GuestConfig,
    guestStatus: async (node, type, vmid) => (await (guest(node, type, vmid) as unknown as { status: { current: Loose } }).status.current.$get()) as GuestStatus,
    shutdown: async (node, type, vmid, o) =>
      String(await (guest(node, type, vmid) as unknown as { status: { shutdown: Loose } }).status.shutdown.$post({ timeout: Math.round(o.timeout), forceStop: o.forceStop, ...(o.skiplock ? { skiplock: true } : {}) })),
    stop: async (node, type, vmid, o) =>
      String(await (guest(node, type, vmid) as unknown as { status: { stop: Loose } }).status.stop.$post({ "overrule-shutdown": true, ...(o.skiplock ? { skiplock: true } : {}) })),
    haResources: async () => (await px.cluster.ha.resources.$get()) as unknown as HaResourceItem[],
    haStatus: async () => (await px.cluster.ha.status.current.$get()) as unknown as HaStatusItem[],
    setHaState: async (sid, state) => {
      await (px.cluster.ha.resources.$(sid) as unknown as Loose).$put(state === undefined ? { delete: "state" } : { state })
    },
    disarmHa: async (mode) => {
      await haStatus["disarm-ha"].$post({ "resource-mode": mode })
    },
    armHa: async () => {
      await haStatus["arm-ha"].$post()
    },
    shutdownPolicy: async () => {
      const o = (await px.cluster.options.$get()) as { ha?: { shutdown_policy?: string } | string }
      if (typeof o.ha === "string") return /shutdown_policy=(\w+)/.exec(o.ha)?.[1]
      return o.ha?.shutdown_policy
    },
    setShutdownPolicy: async (policy) => {
      await (px.cluster.options as unknown as Loose).$put(policy === undefined ? { delete: "ha" } : { ha: `shutdown_policy=${policy}` })
    },
    nodeShutdown: async (node) => {
      await px.nodes.$(node).status.$post({ command: "shutdown" })
    },
    cephFlags: async () => (await (px.cluster.ceph as unknown as { flags: Loose }).flags.$get()) as CephFlagItem[],
    setCephFlags: async (flags) => String(await (px.cluster.ceph as unknown as { flags: Loose }).flags.$put({ ...flags })),
    cephHealth: async () => ((await (px.cluster.ceph as unknown as { status: Loose }).status.$get()) as { health?: { status?: string } } | null)?.health?.status,
    cephMonitorHosts: async () => {
      const meta = (await (px.cluster.ceph as unknown as { metadata: Loose }).metadata.$get()) as { mon?: Record<string, { hostname?: string }> } | null
      return [...new Set(Object.values(meta?.mon ?? {}).flatMap((m) => (m.hostname ? [m.hostname] : [])))]
    },
  }
}

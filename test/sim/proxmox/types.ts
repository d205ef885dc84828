/** Shapes shared by the Proxmox VE simulator's files. */
import type { PveVersion } from "./schema.ts"

export type GuestType = "qemu" | "lxc"
export type GuestStatus = "running" | "stopped" | "paused"
/** Requested HA states that can be set (`enabled` is stored as given, it is an alias of started). */
export type HaRequestState = "started" | "stopped" | "enabled" | "disabled" | "ignored"
export type ShutdownPolicy = "freeze" | "failover" | "conditional" | "migrate"

/** One guest of a scenario. */
export interface GuestSpec {
  readonly vmid: number
  readonly type: GuestType
  readonly node: string
  readonly name?: string
  /** @default "running" */
  readonly status?: GuestStatus
  readonly template?: boolean
  /** `backup`, `migrate`, … */
  readonly lock?: string
  /** `pve-startup-order`, e.g. `order=2,down=60` */
  readonly startup?: string
  readonly onboot?: boolean
  readonly agent?: boolean
  /** Virtual seconds from the shutdown request (ACPI or agent) to off. @default 20 */
  readonly shutdownSeconds?: number
  /** Never reacts to ACPI/agent shutdown (a BIOS screen, a hung OS, a blocking Windows policy). */
  readonly ignoresAcpi?: boolean
  /** Survives SIGTERM: PVE needs SIGKILL 10 s later. */
  readonly ignoresSigterm?: boolean
  /** The HA resource for this guest (`vm:ID` / `ct:ID`), as stored in resources.cfg. */
  readonly ha?: { readonly state?: HaRequestState; readonly group?: string; readonly comment?: string; readonly max_restart?: number; readonly max_relocate?: number }
}

/** An API token of the simulated cluster. */
export interface TokenSpec {
  /** Lowercase UUID (proxmox-api refuses anything else). */
  readonly secret: string
  /** Privileges on `/` and below; all when absent. */
  readonly privs?: readonly string[]
  /**
   * ACLs below `/`: the privileges at a path and below, instead of what `/` gives there
   * (`{ "/vms/140": ["VM.Audit"] }`: no VM.PowerMgmt on guest 140).
   */
  readonly paths?: Readonly<Record<string, readonly string[]>>
}

/** A whole simulated cluster. */
export interface ClusterSpec {
  /** Which schema and behaviour (9.1 has disarm-ha). @default "9.1" */
  readonly version?: PveVersion
  /** @default "pve-cluster" */
  readonly name?: string
  readonly nodes: readonly string[]
  readonly guests: readonly GuestSpec[]
  /** datacenter.cfg `ha: shutdown_policy=…` (absent = never set, i.e. conditional) */
  readonly shutdownPolicy?: ShutdownPolicy
  /** tokenid (`root@pam!nutctl`) → token */
  readonly tokens?: Readonly<Record<string, TokenSpec>>
  /** Delay before every 401 (pve-http-server waits ~3 s). @default 3000 */
  readonly authDelayMs?: number
  /** From disarm-ha to `armed-state: disarmed` (pve-ha-manager test-disarm-ignored1: 20 s). @default 20000 */
  readonly disarmDelayMs?: number
  /** From POST /nodes/{node}/status shutdown to the node's own `poweroff`. @default 2000 */
  readonly poweroffDelayMs?: number
  /** From the end of pve-guests' stopall to the node being off. @default 8000 */
  readonly nodeHaltMs?: number
  /** Hyper-converged Ceph: its OSD flags and the nodes that run a monitor (default: every node); absent: no Ceph installed. */
  readonly ceph?: { readonly flags?: readonly string[]; readonly mons?: readonly string[] }
}

/** Something that happened in the cluster, with its virtual time. */
export interface SimEvent {
  readonly t: number
  readonly kind:
    | "guest-shutdown-requested"
    | "guest-stop-requested"
    | "guest-stopped"
    | "guest-started"
    | "guest-sigterm"
    | "guest-sigkill"
    | "hastop"
    | "ha-state-set"
    | "ha-disarming"
    | "ha-disarmed"
    | "ha-armed"
    | "ha-recovered"
    | "policy-set"
    | "node-shutdown-requested"
    | "node-stopall"
    | "node-off"
    | "node-on"
    | "api-down"
    | "api-up"
    | "ceph-flag"
  readonly node?: string
  readonly vmid?: number
  /** How a guest went down (`shutdown`, `forced`, `stop`, `node-stopall`, `lrm`) or other detail. */
  readonly detail?: string
}

/** One request as the simulator saw it. */
export interface RecordedRequest {
  readonly t: number
  /** The node whose API was called. */
  readonly via: string
  readonly method: string
  readonly path: string
  /** Schema path, when it resolved. */
  readonly template?: string
  readonly params: Readonly<Record<string, string | readonly string[]>>
  readonly status: number
  readonly reason: string
  readonly tokenId?: string
  /** PVE's `errors` map when validation failed. */
  readonly errors?: Readonly<Record<string, string>>
}

/** A thrown PVE-style error: the status, the reason phrase, and `errors` for 400s. */
export class SimHttpError extends Error {
  readonly status: number
  readonly errors: Readonly<Record<string, string>> | undefined
  constructor(status: number, message: string, errors?: Record<string, string>) {
    super(message)
    this.name = "SimHttpError"
    this.status = status
    this.errors = errors
  }
}

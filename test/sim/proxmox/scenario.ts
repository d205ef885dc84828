/**
 * Ready-made clusters for tests and the benchmark: three nodes with twenty guests each, mixed
 * startup orders and `down` timeouts, qemu and lxc, HA resources in several requested states,
 * ACPI-ignoring VMs, an already stopped container and a template. Deterministic (seeded).
 */
import type { PveVersion } from "./schema.ts"
import type { ClusterSpec, GuestSpec, HaRequestState } from "./types.ts"

/** Token id and secret the scenarios accept (secret: lowercase UUID, as PVE issues them). */
export const SIM_TOKEN_ID = "root@pam!nutctl"
export const SIM_TOKEN_SECRET = "5d1f0c2e-8b7a-4c3d-9e6f-a1b2c3d4e5f6"
/** The `executors.proxmox.token` value for the scenarios. */
export const SIM_TOKEN = `${SIM_TOKEN_ID}=${SIM_TOKEN_SECRET}`

export interface StandardClusterOptions {
  /** @default "9.1" */
  readonly version?: PveVersion
  /** @default 3 */
  readonly nodes?: number
  /** @default 20 */
  readonly guestsPerNode?: number
  /** @default 1 */
  readonly seed?: number
}

/** VMIDs of the standard cluster's special guests. */
export const SPECIAL = {
  /** VMs that never react to ACPI (each has `down=45`). */
  ignoresAcpi: [105, 127, 149],
  /** A container that is already stopped. */
  stoppedContainer: 112,
  /** A template (never started, must be skipped). */
  template: 139,
} as const

const ORDERS: readonly (number | undefined)[] = [undefined, 3, 2, 1, 2, 3, undefined, 1, 2, 3]
const HA: Readonly<Record<number, { state?: HaRequestState; group?: string; comment?: string }>> = {
  101: {},
  103: { state: "started", comment: "database" },
  104: { state: "started" },
  110: {},
  114: { state: "stopped" },
  121: { state: "enabled" },
  122: { state: "started", comment: "web" },
  127: {},
  131: { state: "disabled" },
  141: { state: "started", max_restart: 2 } as { state: HaRequestState },
  146: {},
  153: { state: "started" },
}

/** The acceptance-test cluster: 3 nodes × 20 guests. */
export function standardCluster(options: StandardClusterOptions = {}): ClusterSpec {
  const nodes = Array.from({ length: options.nodes ?? 3 }, (_, i) => `pve${i + 1}`)
  const per = options.guestsPerNode ?? 20
  let seed = options.seed ?? 1
  const rand = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed / 2_147_483_648
  }
  const guests: GuestSpec[] = []
  for (let i = 0; i < nodes.length * per; i++) {
    const vmid = 100 + i
    const type = i % 4 === 3 ? "lxc" : "qemu"
    const order = ORDERS[i % ORDERS.length]
    const ignoresAcpi = (SPECIAL.ignoresAcpi as readonly number[]).includes(vmid)
    const down = ignoresAcpi ? 45 : i % 3 === 0 ? 60 + Math.floor(rand() * 60) : undefined
    const startup = [order === undefined ? undefined : `order=${order}`, down === undefined ? undefined : `down=${down}`].filter((x) => x !== undefined).join(",")
    const ha = HA[vmid]
    guests.push({
      vmid,
      // ACPI is a VM matter; the template is a VM template
      type: vmid === SPECIAL.stoppedContainer ? "lxc" : vmid === SPECIAL.template || ignoresAcpi ? "qemu" : type,
      node: nodes[Math.floor(i / per)] as string,
      name: `${type === "lxc" ? "ct" : "vm"}-${vmid}`,
      ...(startup === "" ? {} : { startup }),
      // tenths of a second: real shutdowns do not end on a poll tick
      shutdownSeconds: 5 + Math.round(rand() * 500) / 10,
      ...(ignoresAcpi ? { ignoresAcpi } : {}),
      ...(vmid === SPECIAL.stoppedContainer || ha?.state === "stopped" || ha?.state === "disabled" ? { status: "stopped" as const } : {}),
      ...(vmid === SPECIAL.template ? { template: true } : {}),
      ...(i % 5 === 0 ? { agent: true } : {}),
      ...(ha === undefined ? {} : { ha }),
    })
  }
  return { version: options.version ?? "9.1", nodes, guests, tokens: { [SIM_TOKEN_ID]: { secret: SIM_TOKEN_SECRET } } }
}

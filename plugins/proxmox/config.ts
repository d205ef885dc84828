/**
 * The `executors.proxmox` section. Secrets (`token`) arrive resolved: nutctl's config loader turns
 * `{ env }` / `{ file }` into the string before the plugin sees it.
 *
 * ```yaml
 * executors:
 *   proxmox:
 *     url: https://127.0.0.1:8006
 *     token: { file: /etc/nutctl/pve.token }      # root@pam!nutctl=<uuid>
 *     fingerprint: "AA:BB:…:FF"                   # pvenode cert info, and/or
 *     ca: /etc/pve/pve-root-ca.pem
 *     ha: auto                                    # auto | disarm | ignore | freeze | off
 *     ceph: auto                                  # auto | off | [noout, norebalance, …]
 *     guestTimeout: 180s
 *     forceAfter: true
 *     concurrency: 8
 * ```
 */
import { z } from "zod"

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Seconds as a number (like PVE's own timeouts), or `90s`, `2m`, `500ms`; the output is ms. */
const duration = z.union(
  [
    z.number().nonnegative("a number of seconds").transform((s) => s * 1000),
    z
      .string()
      .regex(/^\s*\d+(\.\d+)?\s*(ms|s|m|h)\s*$/, "a duration such as 90s, 2m or 500ms")
      .transform((text) => {
        const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text) as RegExpExecArray
        return Number(m[1]) * (UNITS[m[2] as string] as number)
      }),
  ],
  { error: "a number of seconds or a duration such as 90s, 2m or 500ms" },
)

/** `AA:BB:…` (32 bytes), as `pvenode cert info` and GET /nodes `ssl_fingerprint` print it. */
const fingerprint = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, "a SHA-256 fingerprint like AA:BB:…:FF (32 bytes, from `pvenode cert info`)"))

/** Every Ceph OSD flag PVE's API knows (GET /cluster/ceph/flags `name` enum). */
export const CEPH_FLAGS = ["nobackfill", "nodeep-scrub", "nodown", "noin", "noout", "norebalance", "norecover", "noscrub", "notieragent", "noup", "pause"] as const
export type CephFlag = (typeof CEPH_FLAGS)[number]

/** How to keep HA from reacting while the cluster goes down (executors-reference §1.8, §1.10). */
export const HA_MODES = ["auto", "disarm", "ignore", "freeze", "off"] as const
export type HaMode = (typeof HA_MODES)[number]

/** The `executors.proxmox` section. */
export const proxmoxConfigSchema = z.strictObject({
  /** One node's API (usually this node's own). @default https://127.0.0.1:8006 */
  url: z
    .string()
    .url("a URL like https://127.0.0.1:8006")
    .refine((u) => /^https?:\/\//.test(u), "an http(s):// URL")
    .default("https://127.0.0.1:8006"),
  /** API token, `USER@REALM!TOKENID=SECRET` (what `pveum user token add` prints, joined by `=`). */
  token: z
    .string({ error: "an API token USER@REALM!TOKENID=SECRET, or { env: NAME } / { file: PATH }" })
    .trim()
    .regex(/^[^@\s=]+@[^!\s=]+![^=\s]+=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "USER@REALM!TOKENID=SECRET with the secret a lowercase UUID"),
  /** Pin the node certificate(s) by SHA-256 fingerprint. */
  fingerprint: z.union([fingerprint, z.array(fingerprint).min(1)]).optional(),
  /** The cluster CA (`/etc/pve/pve-root-ca.pem`): PEM text or a file path. */
  ca: z.string().min(1).optional(),
  /** This host's PVE node name. @default the hostname up to the first dot */
  node: z
    .string()
    .regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/, "a PVE node name")
    .optional(),
  /**
   * `cluster`: this host stops every guest of the cluster and powers off every node (its own last).
   * `node`: only this node's guests (still waiting for later startup groups cluster-wide), then itself.
   * @default cluster
   */
  scope: z.enum(["cluster", "node"]).default("cluster"),
  /**
   * `auto`: disarm-ha (PVE ≥ 9.1) else every resource to `ignored`; `disarm`: require disarm-ha;
   * `ignore`: resources to `ignored`; `freeze`: datacenter `shutdown_policy=freeze` and leave HA
   * guests to the LRM; `off`: leave HA alone. Whatever is changed is recorded and restored.
   * @default auto
   */
  ha: z.enum(HA_MODES).default("auto"),
  /**
   * Ceph OSD flags set once every guest is down, before the nodes power off, and unset when the
   * cluster is back. `auto`: noout, norecover, norebalance, nobackfill when the cluster runs Ceph;
   * a list: those flags; `off`: leave Ceph alone. Only flags set here are unset later.
   * @default auto
   */
  ceph: z
    .union([z.enum(["auto", "off"]), z.array(z.enum(CEPH_FLAGS, { error: `a Ceph flag: ${CEPH_FLAGS.join(", ")}` })).min(1, "at least one flag (or off)")], {
      error: `auto, off, or a list of Ceph flags (${CEPH_FLAGS.join(", ")})`,
    })
    .default("auto"),
  /** Shutdown timeout of a guest without `startup: down=`. @default 180 s (what stopall uses) */
  guestTimeout: duration.default(180_000),
  /** Force-stop a guest still running after its timeout. @default true */
  forceAfter: z.boolean().default(true),
  /** Guests shut down at once, per node. @default 8 */
  concurrency: z.number().int().min(1).max(64).default(8),
  /** How often guest status is polled. @default 2 s */
  pollInterval: duration.default(2000),
  /** After a forced stop was due and PVE did not do it, send our own `stop` this much later. @default 15 s */
  forceGrace: duration.default(15_000),
  /** Longest wait for HA to report `disarmed` (then the `ignored` path is taken), and for Ceph flags to show. @default 120 s */
  haSettle: duration.default(120_000),
  /** Per-request limit. @default 15 s */
  requestTimeout: duration.default(15_000),
  /** When the API cannot be used, run `ha-manager`/`qm`/`pct`/`shutdown` here (on a PVE node only). @default true */
  localFallback: z.boolean().default(true),
  /** Shut down locked guests with `skiplock` (root@pam tokens only). @default false: leave them to pve-guests */
  skipLock: z.boolean().default(false),
})

/** The validated section. */
export type ProxmoxConfig = z.output<typeof proxmoxConfigSchema>

/** Split `USER@REALM!TOKENID=SECRET`. */
export function splitToken(token: string): { tokenId: string; secret: string } {
  const eq = token.indexOf("=")
  return { tokenId: token.slice(0, eq), secret: token.slice(eq + 1) }
}

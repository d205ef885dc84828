/**
 * `nutctl install hookscript`: put a small wrapper that runs `nutctl hook` into a storage's
 * snippets directory and, with --apply, set it on the chosen guests with `qm set` / `pct set`
 * (research/executors-reference.md §3: only root@pam may set `hookscript`, the volume must be on a
 * storage whose content includes `snippets`, and it must exist on every node the guest runs on).
 */
import type { InstallPaths } from "./_install-units.ts"
import type { InstallPlan, PlanCommand } from "./_install-plan.ts"

/** The snippet's file name; the volume id is `<storage>:snippets/nutctl-hook`. */
export const HOOKSCRIPT_NAME = "nutctl-hook"

/** One storage of /etc/pve/storage.cfg. */
export interface PveStorage {
  readonly name: string
  readonly type: string
  readonly path?: string
  readonly content: readonly string[]
}

/**
 * storage.cfg: `type: name` starts a section; indented `key value` lines follow. Only what the
 * hookscript needs is read.
 */
export function parseStorageCfg(text: string): PveStorage[] {
  const out: PveStorage[] = []
  let cur: { name: string; type: string; path?: string; content: string[] } | undefined
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "")
    if (line.trim() === "") continue
    const head = /^(\w+):\s*(\S+)\s*$/.exec(line)
    if (head && !/^\s/.test(line)) {
      cur = { name: head[2] as string, type: head[1] as string, content: [] }
      out.push(cur)
      continue
    }
    const kv = /^\s+(\S+)\s+(.*?)\s*$/.exec(line)
    if (!kv || cur === undefined) continue
    if (kv[1] === "path") cur.path = kv[2] as string
    if (kv[1] === "content") cur.content = (kv[2] as string).split(",").map((c) => c.trim())
  }
  return out
}

/** Storage types with a directory on the node (network ones are mounted at /mnt/pve/<name>). */
const MOUNTED_TYPES = new Set(["nfs", "cifs", "cephfs", "glusterfs"])

/**
 * Where a storage keeps snippets.
 * @returns the directory, or a sentence saying why this storage cannot hold them
 */
export function snippetsDir(storage: PveStorage): { dir: string } | { problem: string } {
  const base = storage.path ?? (MOUNTED_TYPES.has(storage.type) ? `/mnt/pve/${storage.name}` : undefined)
  if (base === undefined) return { problem: `storage ${storage.name} (${storage.type}) has no directory; pick a dir, nfs, cifs or cephfs storage` }
  if (!storage.content.includes("snippets")) {
    const content = [...storage.content.filter((c) => c !== ""), "snippets"].join(",")
    return { problem: `storage ${storage.name} does not hold snippets; allow them with: pvesm set ${storage.name} --content ${content}` }
  }
  return { dir: `${base.replace(/\/$/, "")}/snippets` }
}

/** The policy baked into the wrapper (PVE calls it with only `<vmid> <phase>`). */
export interface HookPolicyArgs {
  readonly minCharge?: number | undefined
  readonly minRuntime?: number | undefined
  readonly onError: "open" | "closed"
}

/** The snippet: a shell wrapper around `nutctl hook`. */
export function hookscriptText(paths: Pick<InstallPaths, "bin" | "config" | "stateDir">, policy: HookPolicyArgs): string {
  const flags = [
    `--config ${paths.config}`,
    ...(policy.minCharge !== undefined ? [`--min-charge ${policy.minCharge}`] : []),
    ...(policy.minRuntime !== undefined ? [`--min-runtime ${policy.minRuntime}`] : []),
    `--on-error ${policy.onError}`,
  ]
  return [
    "#!/bin/sh",
    "# Written by `nutctl install hookscript`. Proxmox VE runs it as `<this file> <vmid> <phase>`",
    "# (qm/pct set <vmid> --hookscript <storage>:snippets/nutctl-hook). In pre-start it refuses to start",
    "# the guest while the UPS is on battery or below the limits below; migrations and HA recovery always",
    "# pass. post-stop records how long the guest took to stop (the runtime budget learns from it).",
    "# --on-error open: start anyway when the UPS server cannot be asked; closed: refuse.",
    `TMPDIR=${paths.stateDir} exec ${paths.bin} hook "$@" ${flags.join(" ")}`,
    "",
  ].join("\n")
}

/** A guest on this node, from /etc/pve/{qemu-server,lxc}/<vmid>.conf. */
export interface LocalGuest {
  readonly vmid: string
  readonly type: "qemu" | "lxc"
  /** Its `hookscript:` now. */
  readonly hookscript: string | undefined
}

/** The `hookscript:` line of a guest config (before the first snapshot section). */
export function guestHookscript(conf: string): string | undefined {
  for (const line of conf.split("\n")) {
    if (line.startsWith("[")) break
    const m = /^hookscript:\s*(\S+)/.exec(line)
    if (m) return m[1]
  }
  return undefined
}

export interface HookscriptPlanOptions {
  readonly storage: string
  readonly dir: string
  readonly text: string
  /** Guests to set it on (with --apply), as found on this node. */
  readonly guests: readonly LocalGuest[]
  /** Replace another hookscript a guest already has. */
  readonly force: boolean
}

/** The plan: one file, and a `qm set`/`pct set` for each guest that does not have it yet. */
export function planHookscript(options: HookscriptPlanOptions): { plan: InstallPlan; skipped: string[] } {
  const volume = `${options.storage}:snippets/${HOOKSCRIPT_NAME}`
  const commands: PlanCommand[] = []
  const skipped: string[] = []
  for (const g of options.guests) {
    if (g.hookscript === volume) {
      skipped.push(`guest ${g.vmid} already runs ${volume}`)
      continue
    }
    if (g.hookscript !== undefined && !options.force) {
      skipped.push(`guest ${g.vmid} has its own hookscript ${g.hookscript}: not replaced (--force replaces it; or call nutctl hook from that script)`)
      continue
    }
    const tool = g.type === "qemu" ? "qm" : "pct"
    commands.push({ argv: [tool, "set", g.vmid, "--hookscript", volume], when: "always", why: `guest ${g.vmid}` })
  }
  return {
    plan: {
      platform: "proxmox",
      items: [
        { kind: "dir", path: options.dir, mode: 0o755 },
        { kind: "file", path: `${options.dir}/${HOOKSCRIPT_NAME}`, mode: 0o755, source: { kind: "text", text: options.text }, policy: "replace", purpose: `hookscript ${volume}` },
      ],
      commands,
      before: [],
      notes: [
        `The guest config names ${volume}: the file must exist on every node the guest can run on (a shared storage, or run this install on each node).`,
        "To start a guest on battery anyway: touch /run/nutctl/hook-override (gone at the next boot), or remove the hookscript: qm set VMID --delete hookscript.",
      ],
      manifest: undefined,
    },
    skipped,
  }
}

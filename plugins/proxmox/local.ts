/**
 * The way down without the API, on a PVE node itself: `ha-manager`, `qm`/`pct` and `shutdown`
 * talk to pmxcfs and the local daemons directly, so they still work when pveproxy is down or the
 * token is wrong. Commands go through an injected runner (tests pass a fake that only records;
 * nothing here may ever run for real in a test).
 */
import type { ExecutorLog } from "../../src/shutdown/index.ts"
import { parseStartup, shutdownGroups, type Guest } from "./inventory.ts"

/** What a command run returns. */
export interface CommandResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs argv without a shell. */
export interface CommandRunner {
  run(argv: readonly string[], options: { readonly signal?: AbortSignal; readonly timeoutMs?: number }): Promise<CommandResult>
}

/** Options of the local fallback. */
export interface LocalOptions {
  readonly runner: CommandRunner
  readonly log: ExecutorLog
  readonly signal?: AbortSignal
  /** This node's name (for messages). */
  readonly node: string
  readonly guestTimeoutMs: number
  readonly concurrency: number
  readonly forceStop: boolean
  readonly dryRun: boolean
}

async function must(o: LocalOptions, argv: readonly string[], timeoutMs = 60_000): Promise<string> {
  const r = await o.runner.run(argv, { ...(o.signal ? { signal: o.signal } : {}), timeoutMs })
  if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`)
  return r.stdout
}

/**
 * This node's guests from `qm list` / `pct list` and their `qm config` / `pct config` (startup,
 * template, lock). `qm list`: `VMID NAME STATUS MEM(MB) BOOTDISK(GB) PID`; `pct list`:
 * `VMID Status Lock Name` (Lock may be empty).
 */
export async function localGuests(o: LocalOptions): Promise<Guest[]> {
  const out: Guest[] = []
  for (const type of ["qemu", "lxc"] as const) {
    const text = await must(o, type === "qemu" ? ["qm", "list"] : ["pct", "list"])
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (!/^\d+$/.test(cols[0] ?? "")) continue
      const vmid = Number(cols[0])
      const status = (type === "qemu" ? cols[2] : cols[1]) ?? "unknown"
      const config = await must(o, type === "qemu" ? ["qm", "config", String(vmid)] : ["pct", "config", String(vmid)])
      const key = (k: string): string | undefined => new RegExp(`^${k}:\\s*(.+)$`, "m").exec(config)?.[1]?.trim()
      const { order, down } = parseStartup(key("startup"))
      out.push({
        vmid,
        type,
        node: o.node,
        name: (type === "qemu" ? cols[1] : cols.at(-1)) ?? String(vmid),
        status,
        template: key("template") === "1",
        lock: key("lock"),
        order,
        down,
        sid: undefined,
        haState: undefined,
      })
    }
  }
  return out
}

/**
 * Shut this node's guests down in reverse startup order, `concurrency` at a time within a group.
 * `qm shutdown` / `pct shutdown` block until the guest is down (or forced) themselves.
 */
export async function localStopGuests(o: LocalOptions, guests: readonly Guest[]): Promise<{ vmid: number; ok: boolean }[]> {
  const results: { vmid: number; ok: boolean }[] = []
  for (const group of shutdownGroups(guests.filter((g) => !g.template && g.status !== "stopped"))) {
    const queue = [...group.guests].sort((a, b) => b.vmid - a.vmid)
    const worker = async (): Promise<void> => {
      for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
        const timeout = Math.round((g.down !== undefined ? g.down * 1000 : o.guestTimeoutMs) / 1000)
        const argv = [g.type === "qemu" ? "qm" : "pct", "shutdown", String(g.vmid), "--timeout", String(timeout), ...(o.forceStop ? ["--forceStop", "1"] : [])]
        if (o.dryRun) {
          o.log.info(`Dry run: would run ${argv.join(" ")}`)
          results.push({ vmid: g.vmid, ok: true })
          continue
        }
        o.log.warn(`Local fallback: ${argv.join(" ")}`)
        try {
          await must(o, argv, (timeout + 30) * 1000)
          results.push({ vmid: g.vmid, ok: true })
        } catch (e) {
          o.log.error(`Cannot shut down guest ${g.vmid} locally`, e)
          results.push({ vmid: g.vmid, ok: false })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(o.concurrency, queue.length) }, worker))
  }
  return results
}

/** `qm stop` / `pct stop` (no clean shutdown: the fallback after a group ran out of time). */
export async function localHardStop(o: LocalOptions, guests: readonly Guest[]): Promise<number> {
  let stopped = 0
  await Promise.all(
    guests.map(async (g) => {
      const argv = [g.type === "qemu" ? "qm" : "pct", "stop", String(g.vmid)]
      if (o.dryRun) return o.log.info(`Dry run: would run ${argv.join(" ")}`)
      o.log.warn(`Local fallback: ${argv.join(" ")}`)
      try {
        await must(o, argv)
        stopped++
      } catch (e) {
        o.log.error(`Cannot stop guest ${g.vmid} locally`, e)
      }
    }),
  )
  return stopped
}

/** `ha-manager crm-command disarm-ha ignore` (9.1) or `ha-manager set SID --state ignored` per resource. */
export async function localHaOutOfTheWay(o: LocalOptions, how: { disarm: true } | { disarm: false; sids: readonly string[] }): Promise<void> {
  const commands = how.disarm ? [["ha-manager", "crm-command", "disarm-ha", "ignore"]] : how.sids.map((sid) => ["ha-manager", "set", sid, "--state", "ignored"])
  for (const argv of commands) {
    if (o.dryRun) o.log.info(`Dry run: would run ${argv.join(" ")}`)
    else {
      o.log.warn(`Local fallback: ${argv.join(" ")}`)
      await must(o, argv)
    }
  }
}

/** Restore through `ha-manager` (arm-ha, or each recorded state). */
export async function localHaRestore(o: LocalOptions, how: { arm: true } | { arm: false; states: Readonly<Record<string, string | null>> }): Promise<void> {
  const commands = how.arm ? [["ha-manager", "crm-command", "arm-ha"]] : Object.entries(how.states).map(([sid, state]) => ["ha-manager", "set", sid, "--state", state ?? "started"])
  for (const argv of commands) await must(o, argv)
}

/** Power this node off (`shutdown -h now`; systemd then runs pve-guests' stopall for anything left). */
export async function localPoweroff(o: LocalOptions): Promise<void> {
  const argv = ["shutdown", "-h", "now"]
  if (o.dryRun) {
    o.log.info(`Dry run: would run ${argv.join(" ")}`)
    return
  }
  o.log.warn(`Local fallback: ${argv.join(" ")}`)
  await must(o, argv)
}

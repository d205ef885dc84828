/**
 * `nutctl hook <vmid> <phase>`: the Proxmox VE guest hookscript (`nutctl install hookscript`
 * places a wrapper that runs it). PVE runs it synchronously as root on the guest's node, with
 * stdout in the task log; a non-zero exit in pre-start aborts the start, in other phases it is
 * only a warning (research/executors-reference.md §3). pre-start asks the UPS server whether the
 * guest may start; pre-stop/post-stop measure the stop for the shutdown's runtime budget.
 */
import { access, readFile } from "node:fs/promises"
import { hostname as osHostname } from "node:os"
import { join } from "node:path"
import { defineCommand } from "citty"
import { DEFAULT_NUT_PORT } from "../client/index.ts"
import { collectReadings } from "./_check-collect.ts"
import { openClient } from "./_connect.ts"
import { decideStart, haGuests, type HookPolicy } from "./_hook-decide.ts"
import { fileStopMarks, storeDurationSink, type DurationSink, type StopMarks } from "./_hook-durations.ts"
import { readClusterView } from "./_check-load.ts"
import type { ClusterView } from "./_check-config.ts"
import { cliEnv, type CliEnv } from "./_io.ts"
import { DEFAULT_HOST, UsageError, parseUpsTarget, type UpsTarget } from "./_target.ts"
import { DEFAULT_CLUSTER_CONFIG, DEFAULT_DATA_DIR } from "./_paths.ts"

/** What the hook touches besides the network; tests inject every field through citty's `data`. */
interface HookEnv {
  readonly now: () => number
  readonly hostname: string
  readonly readText: (path: string) => Promise<string | undefined>
  readonly exists: (path: string) => Promise<boolean>
  readonly sink: (stateDir: string) => DurationSink
  readonly marks: (runDir: string) => StopMarks
}

function hookEnv(data: unknown): HookEnv {
  const given = (typeof data === "object" && data !== null ? data : {}) as Partial<HookEnv>
  const now = given.now ?? Date.now
  return {
    now,
    hostname: given.hostname ?? osHostname(),
    readText: given.readText ?? ((p) => readFile(p, "utf8").catch(() => undefined)),
    exists: given.exists ?? ((p) => access(p).then(() => true, () => false)),
    sink: given.sink ?? ((dir) => storeDurationSink(dir, now)),
    marks: given.marks ?? ((dir) => fileStopMarks(join(dir, "hook"))),
  }
}

export default defineCommand({
  meta: { name: "hook", description: "Proxmox VE guest hookscript: refuse starts on battery (migrations and HA pass), record stop durations" },
  args: {
    vmid: { type: "positional", required: true, description: "The guest's VMID (PVE passes it)", valueHint: "VMID" },
    phase: { type: "positional", required: true, description: "pre-start, post-start, pre-stop or post-stop (PVE passes it)", valueHint: "PHASE" },
    config: { type: "string", description: `Cluster config (default: $NUTCTL_CONFIG or ${DEFAULT_CLUSTER_CONFIG}); this node's role says which UPS feeds it`, valueHint: "FILE" },
    hostname: { type: "string", description: "Use the role of this host in the cluster config", valueHint: "NAME" },
    ups: { type: "string", description: "Ask these UPSes instead (comma-separated UPS@HOST[:PORT])", valueHint: "LIST" },
    "min-charge": { type: "string", description: "Refuse starts below this battery charge (%) (default: hook.minCharge in the cluster config)", valueHint: "PCT" },
    "min-runtime": { type: "string", description: "Refuse starts below this runtime (seconds) (default: hook.minRuntime)", valueHint: "SECONDS" },
    "on-error": { type: "string", description: "When the UPS server cannot be asked: open = start anyway, closed = refuse (default: hook.onError, else open)", valueHint: "open|closed" },
    timeout: { type: "string", description: "Seconds to wait for the UPS server, the start task waits for the hook (default: hook.timeout, else 3)", valueHint: "SECONDS" },
    // --data-dir as in serve and check; --state-dir is its older name
    "data-dir": { type: "string", alias: ["state-dir"], description: "nutctl's store, serve's data directory (stop durations)", valueHint: "DIR", default: DEFAULT_DATA_DIR },
    "run-dir": { type: "string", description: "Where pre-stop marks and hook-override live", valueHint: "DIR", default: "/run/nutctl" },
    "pve-dir": { type: "string", description: "Proxmox VE's cluster file system (ha/resources.cfg)", valueHint: "DIR", default: "/etc/pve" },
  },
  async run({ args, data }) {
    const cli = cliEnv(data)
    const env = hookEnv(data)
    // known before anything can fail; the cluster config's hook.onError replaces it once read
    const failure = { onError: args["on-error"] ?? "open" }
    let code: 0 | 1 | 2
    try {
      code = await runHook(args, cli, env, failure)
    } catch (e) {
      cli.io.out(`nutctl: ${e instanceof Error ? e.message : String(e)}\n`)
      code = e instanceof UsageError ? 2 : args.phase === "pre-start" && failure.onError === "closed" ? 1 : 0
    }
    process.exitCode = code
    return code
  },
})

interface HookArgs {
  readonly vmid: string
  readonly phase: string
  readonly config?: string | undefined
  readonly hostname?: string | undefined
  readonly ups?: string | undefined
  readonly "min-charge"?: string | undefined
  readonly "min-runtime"?: string | undefined
  readonly "on-error"?: string | undefined
  readonly timeout?: string | undefined
  readonly "data-dir"?: string | undefined
  readonly "run-dir"?: string | undefined
  readonly "pve-dir"?: string | undefined
}

async function runHook(args: HookArgs, cli: CliEnv, env: HookEnv, failure: { onError: string }): Promise<0 | 1 | 2> {
  if (!/^\d+$/.test(args.vmid)) throw new UsageError(`Not a VMID: ${args.vmid}`)
  const given = args["on-error"]
  if (given !== undefined && given !== "open" && given !== "closed") throw new UsageError(`--on-error must be open or closed, not ${given}`)
  const flags = { minCharge: number(args["min-charge"], "--min-charge"), minRuntime: number(args["min-runtime"], "--min-runtime"), timeout: number(args.timeout, "--timeout") }
  const stateDir = args["data-dir"] ?? DEFAULT_DATA_DIR
  const runDir = args["run-dir"] ?? "/run/nutctl"
  const say = (line: string): void => cli.io.out(`nutctl: ${line}\n`)
  switch (args.phase) {
    case "pre-start":
      break
    case "pre-stop":
      await env.marks(runDir).put(args.vmid, env.now())
      return 0
    case "post-stop": {
      const since = await env.marks(runDir).take(args.vmid)
      if (since === undefined) return 0 // stopped from inside the guest (or crashed): not a stop PVE timed
      const ms = Math.max(0, env.now() - since)
      try {
        await env.sink(stateDir).record(args.vmid, ms)
        say(`guest ${args.vmid} took ${(ms / 1000).toFixed(1)} s to stop (recorded for the shutdown's runtime budget)`)
      } catch (e) {
        say(`guest ${args.vmid} took ${(ms / 1000).toFixed(1)} s to stop; cannot record it in ${stateDir}: ${(e as Error).message}`)
      }
      return 0
    }
    default:
      return 0 // post-start, and phases newer PVE versions may add
  }

  const pveDir = args["pve-dir"] ?? "/etc/pve"
  const [haText, override] = await Promise.all([env.readText(`${pveDir}/ha/resources.cfg`), env.exists(join(runDir, "hook-override"))])
  const migratedFrom = cli.env["PVE_MIGRATED_FROM"]
  const haManaged = haGuests(haText).has(args.vmid)
  // migrations and HA are decided before any network: the start task waits for this hook
  const quick = decideStart({ vmid: args.vmid, migratedFrom, haManaged, override, overrideFile: join(runDir, "hook-override"), readings: [], policy: { onError: "open" } })
  if (migratedFrom || haManaged || override) {
    say(quick.message)
    return 0
  }
  const view = await clusterView(args, cli, env)
  const conf = view?.loaded.config.hook ?? {}
  const onError = given ?? conf.onError ?? "open"
  failure.onError = onError
  const policy: HookPolicy = { minCharge: flags.minCharge ?? conf.minCharge, minRuntime: flags.minRuntime ?? conf.minRuntime, onError }
  const targets = hookTargets(args, view)
  const seconds = flags.timeout ?? conf.timeout ?? 3
  // hook.timeout is checked by the config's schema
  if (seconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not ${args.timeout}`)
  const readings = await collectReadings(targets, (t) => openClient(cli, t, { tls: "try", timeout: String(seconds) }))
  const decision = decideStart({ vmid: args.vmid, migratedFrom, haManaged, override, overrideFile: join(runDir, "hook-override"), readings, policy })
  say(decision.message)
  return decision.allow ? 0 : 1
}

/** The cluster config (its hook limits and this node's supplies); undefined when the default file is absent. */
function clusterView(args: HookArgs, cli: CliEnv, env: HookEnv): Promise<ClusterView | undefined> {
  const named = args.config ?? (cli.env["NUTCTL_CONFIG"] || undefined)
  return readClusterView(named ?? DEFAULT_CLUSTER_CONFIG, named !== undefined, args.hostname ?? env.hostname, (p) => cli.readFile(p))
}

/** --ups, else the powered supplies of this host's role, else every UPS on localhost. */
function hookTargets(args: HookArgs, view: ClusterView | undefined): readonly UpsTarget[] {
  if (args.ups !== undefined) return args.ups.split(",").map((t) => parseUpsTarget(t.trim()))
  const fromConfig = view?.targets
  if (fromConfig !== undefined) {
    const powered = fromConfig.targets.filter((t) => fromConfig.powered.has(`${t.ups}@${t.host}:${t.port}`))
    if (powered.length > 0) return powered
  }
  return [{ ups: undefined, host: DEFAULT_HOST, port: DEFAULT_NUT_PORT }]
}

function number(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (text.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`${option} must be a number ≥ 0, not ${text}`)
  return n
}

/**
 * `nutctl drill` (issue 5 item 8): rehearse a power failure without powering anything off. Every
 * host's plan runs as a dry run against the real APIs (read-only: the key/token is accepted,
 * guests and HA are listed, durations estimated), the drill learns those estimates, lays the
 * cluster out in time and says whether it fits the battery the UPS reports now.
 */
import { NutClient } from "../client/index.ts"
import { loadNutctlConfig, resolveRole, type ConfigFs, type LoadedConfig, type MonitorTarget } from "../config/index.ts"
import type { Clock } from "../monitor/index.ts"
import {
  DEFAULT_MARGIN,
  buildPlan,
  clusterTimeline,
  durationKeyOf,
  formatDuration,
  loadDurations,
  planSteps,
  recordDuration,
  runPlan,
  saveDrillRecord,
  type ClusterHost,
  type PowerControl,
  type ProgressSink,
} from "../shutdown/index.ts"
import type { NutctlStore } from "../store/index.ts"
import { roleExecutors } from "./_executors.ts"
import { formatDrillTimeline, type BatteryReading, type TriggerPolicy } from "./_drill-report.ts"

export interface DrillOptions {
  readonly config: string
  /** Hosts to rehearse; default: the roles' literal host names and this machine. */
  readonly hosts?: readonly string[]
}

export interface DrillIo {
  readonly fs: ConfigFs
  env(name: string): string | undefined
  readonly localHostname: string
  readonly clock: Clock
  readonly store: NutctlStore
  out(line: string): void
  err(line: string): void
  /** Read the UPS (battery.runtime, NUMLOGINS); default: a NUT client. */
  readUps?(target: MonitorTarget): Promise<BatteryReading & { readonly numLogins?: number }>
}

/** Run the drill; 0 when every check passed and the plan fits the battery (or cannot be judged). */
export async function runDrill(options: DrillOptions, io: DrillIo): Promise<0 | 1> {
  let loaded: LoadedConfig
  try {
    loaded = await loadNutctlConfig(options.config, { fs: io.fs })
  } catch (e) {
    for (const m of (e as { issues?: { message: string }[] }).issues?.map((i) => i.message) ?? [(e as Error).message]) io.err(`error: ${m}`)
    return 1
  }
  const { config } = loaded
  const hosts = options.hosts ?? defaultHosts(loaded, io.localHostname)
  io.out(`nutctl drill: ${loaded.file} — a dry run: every step only reads, nothing is changed or powered off`)
  if (hosts.length === 0) {
    io.err("error: no host to rehearse: give --hosts NAME,… (role patterns with wildcards name no host)")
    return 1
  }
  const readUps = io.readUps ?? readUpsOverNut
  // the UPS as the primary's monitor sees it (battery.runtime, NUMLOGINS)
  const upsTarget = drillUpsTarget(loaded, io.localHostname)
  let battery: (BatteryReading & { numLogins?: number }) | undefined
  if (upsTarget !== undefined) {
    try {
      battery = await readUps(upsTarget)
    } catch (e) {
      io.out(`  (cannot read ${upsTarget.system}: ${(e as Error).message})`)
    }
  }

  let failed = false
  const cluster: ClusterHost[] = []
  // each host's dry run, for the record `nutctl serve` reports (drill-store.ts)
  const runs: { host: string; ok: boolean; elapsedMs: number }[] = []
  const sources = { env: (n: string) => io.env(n), fs: io.fs }
  for (const host of hosts) {
    const role = resolveRole(config, host)
    io.out("")
    if (role === undefined) {
      io.out(`${host}: no role matches; nothing to rehearse`)
      continue
    }
    io.out(`${host} (${role.entry.role}: ${role.entry.shutdown.join(" → ") || "no executors"})`)
    const loadedExecutors = await roleExecutors({ loaded, role, sources })
    let hostOk = true
    for (const x of loadedExecutors) {
      if (x.problem === undefined) continue
      io.out(`  ${x.missingSecret ? "–" : "✖"} ${x.name}: ${x.missingSecret ? "not checked from here: " : ""}${x.problem}`)
      if (!x.missingSecret) failed = true
      if (!x.missingSecret) hostOk = false
    }
    const executors = loadedExecutors.flatMap((x) => (x.configured ? [x.configured] : []))
    const power: PowerControl | undefined =
      role.entry.role === "primary"
        ? {
            secondaries: async () => {
              if (battery?.numLogins === undefined) throw new Error(`cannot read NUMLOGINS of ${upsTarget?.system ?? "the UPS"}`)
              return Math.max(0, battery.numLogins - 1)
            },
            // a dry run never calls it
            killPower: async () => {},
          }
        : undefined
    const plan = await buildPlan({ host, executors, clock: io.clock, log: hostLog(io), dryRun: true, store: io.store, ...(power === undefined ? {} : { power }) })
    const result = await runPlan(plan, { clock: io.clock, store: io.store, learn: true, tickMs: 0, progress: stepLines(io) })
    if (result.state !== "done") failed = true
    runs.push({ host, ok: hostOk && result.state === "done", elapsedMs: result.endedAt - result.startedAt })
    cluster.push({ host, role: role.entry.role, plan })
  }

  // ----- the cluster in time -----
  const learned = await loadDurations(io.store, cluster.flatMap((h) => planSteps(h.plan).map(durationKeyOf)))
  const s = config.shutdown
  // the config's durations are seconds (upsmon.conf's unit)
  const secondaryDelayMs = ((s.pollfreqalert ?? 5) + (s.finaldelay ?? 5)) * 1000
  const timeline = clusterTimeline({ hosts: cluster, learned, secondaryDelayMs, primaryDelayMs: (s.finaldelay ?? 5) * 1000, margin: DEFAULT_MARGIN })
  await learnPrimaryWait(io.store, cluster, timeline.hosts, io.clock.now()).catch((e: unknown) => io.err(`warning: cannot record learned durations: ${(e as Error).message}`))
  io.out("")
  io.out(`Timeline (expected: learned durations where known, else the steps' estimates):`)
  const below = s.when?.runtimeBelow
  const onBatteryFor = s.when?.onBatteryFor
  const trigger: TriggerPolicy = {
    runtimeBelow: below === "auto" ? "auto" : typeof below === "number" ? below * 1000 : null,
    onBatteryFor: typeof onBatteryFor === "number" ? onBatteryFor * 1000 : null,
  }
  const verdict = formatDrillTimeline(timeline, { ...(battery === undefined ? {} : { battery }), trigger, margin: DEFAULT_MARGIN })
  for (const line of verdict.lines) io.out(line)
  const at = io.clock.now()
  for (const r of runs) {
    await saveDrillRecord(io.store, { version: 1, host: r.host, at, ok: r.ok && verdict.fits !== false, elapsedMs: r.elapsedMs }).catch((e: unknown) => io.err(`warning: cannot record the drill of ${r.host}: ${(e as Error).message}`))
  }
  if (!io.store.persistent) io.out("  (learned durations are not kept: no data directory; --data-dir DIR)")
  return failed || verdict.fits === false ? 1 : 0
}

/** Literal host names of the roles (no glob, no /regex/), and this machine when it has a role. */
export function defaultHosts(loaded: LoadedConfig, local: string): string[] {
  const out: string[] = []
  for (const r of loaded.config.roles) for (const h of r.hosts) if (!/[*?[\]]/.test(h) && !h.startsWith("/")) out.push(h)
  if (resolveRole(loaded.config, local) !== undefined && !out.some((h) => sameHost(h, local))) out.push(local)
  // secondaries first: the primary's wait depends on them
  return out.sort((a, b) => roleRank(loaded, a) - roleRank(loaded, b))
}

function roleRank(loaded: LoadedConfig, host: string): number {
  return resolveRole(loaded.config, host)?.entry.role === "primary" ? 1 : 0
}

/** The primary's waiting step learns how long the secondaries take, as a drill estimate. */
async function learnPrimaryWait(store: NutctlStore, hosts: readonly ClusterHost[], placed: readonly { host: string; timeline: { entries: readonly { key: string; startMs: number; endMs: number }[] } }[], at: number): Promise<void> {
  for (const h of hosts.filter((x) => x.role === "primary")) {
    const entries = placed.find((p) => p.host === h.host)?.timeline.entries ?? []
    for (const planned of planSteps(h.plan).filter((p) => p.step.waits === "secondaries")) {
      const e = entries.find((x) => x.key === planned.key)
      if (e !== undefined) await recordDuration(store, durationKeyOf(planned), { ms: e.endMs - e.startMs, at, source: "drill" })
    }
  }
}

function stepLines(io: DrillIo): ProgressSink {
  return (e) => {
    if (e.kind !== "step-end") return
    const mark = e.state === "done" ? "✔" : "✖"
    io.out(`  ${mark} ${e.key}${e.note ? `  ${e.note}` : ""}${e.error ? `  ${e.error}` : ""}${e.elapsedMs >= 1000 ? `  (${formatDuration(e.elapsedMs)})` : ""}`)
  }
}

function hostLog(io: DrillIo): (level: "debug" | "info" | "warn" | "error", m: string) => void {
  return (level, m) => {
    if (level === "warn") io.out(`    note: ${m}`)
  }
}

async function readUpsOverNut(target: MonitorTarget): Promise<BatteryReading & { numLogins?: number }> {
  const client = await NutClient.connect({ host: target.host, port: target.port, tls: "try", timeoutMs: 3000 })
  try {
    const num = async (name: string): Promise<number | undefined> => {
      const v = Number.parseFloat(await client.getVar(target.ups, name).catch(() => ""))
      return Number.isFinite(v) ? v : undefined
    }
    const runtimeS = await num("battery.runtime")
    const runtimeLowS = await num("battery.runtime.low")
    const chargePct = await num("battery.charge")
    const status = await client.getVar(target.ups, "ups.status").catch(() => undefined)
    const numLogins = await client.getNumLogins(target.ups).catch(() => undefined)
    return {
      ups: target.system,
      ...(runtimeS === undefined ? {} : { runtimeS }),
      ...(runtimeLowS === undefined ? {} : { runtimeLowS }),
      ...(chargePct === undefined ? {} : { chargePct }),
      ...(status === undefined ? {} : { status }),
      ...(numLogins === undefined ? {} : { numLogins }),
    }
  } finally {
    await client.logout().catch(() => {})
  }
}

/**
 * Where the drill reads the UPS: on the primary, what its monitor watches (`rack@localhost`);
 * elsewhere a secondary's target, which names the primary by an address that works from here.
 */
function drillUpsTarget(loaded: LoadedConfig, local: string): MonitorTarget | undefined {
  const roles = loaded.config.roles
  const own = resolveRole(loaded.config, local)?.entry
  if (own?.role === "primary" && own.monitor[0] !== undefined) return own.monitor[0]
  return roles.find((r) => r.role === "secondary" && r.monitor.length > 0)?.monitor[0] ?? roles.flatMap((r) => r.monitor)[0]
}

function sameHost(a: string, b: string): boolean {
  const short = (h: string): string => h.toLowerCase().split(".")[0] ?? ""
  return a.toLowerCase() === b.toLowerCase() || short(a) === short(b)
}

/**
 * `nutctl drill --simulate`: the whole cluster in one process with compressed time — the
 * simulated UPS behind nutctl's NUT server, the primary's monitor (local link) with the truenas
 * executor against the TrueNAS simulator, three secondaries' monitors (NUT over 127.0.0.1) with
 * their executors — and prints what happens, in simulated time, next to what the plans predicted.
 *
 * The trigger is the primary's `runtimeBelow: auto` check (this file stands in for the monitor
 * until the monitor runs it): on battery, once battery.runtime no longer covers the cluster's need,
 * the primary sets FSD. Each secondary keeps a second NUT login open while its plan runs, so the
 * primary's "wait until the secondaries logged out" step ends only when they are really down
 * (upsmon drops its own connection before SHUTDOWNCMD, which would end the wait at once).
 */
import type { ConsolaInstance } from "consola"
import { NutClient } from "../client/index.ts"
import { scaledClock, systemClock as hidSystemClock } from "../hid/index.ts"
import { createLocalLink, createMonitorLoop, createNetworkLink, monitorConfigFromNutctl, type Clock, type MonitorLogger, type ShutdownHandler, type SupplyLink } from "../monitor/index.ts"
import {
  DEFAULT_MARGIN,
  buildPlan,
  clusterTimeline,
  formatDuration,
  recordDuration,
  runPlan,
  type ClusterHost,
  type ConfiguredExecutor,
  type PowerControl,
  type ProgressEvent,
} from "../shutdown/index.ts"
import { createStore, type NutctlStore } from "../store/index.ts"
import type { UpsState } from "../ups/index.ts"
import { SIM_UPS, SIM_USERS, commandStandIns, startSimWorld, type SecondariesFactory, type SimWorld } from "./_drill-sim-cluster.ts"
import { localUpsFor } from "./_monitor.ts"

export interface SimulateOptions {
  /** Time compression. @default 40 */
  readonly speed?: number
  /** @default command stand-ins */
  readonly secondaries?: SecondariesFactory
  /** @default 25.04 */
  readonly truenasVersion?: "24.10" | "25.04" | "25.10"
  /** battery.charge when mains is lost. @default 30 */
  readonly chargePct?: number
  /** Give up after this much wall time. @default 55 s */
  readonly wallLimitMs?: number
  readonly log: ConsolaInstance
  out(line: string): void
}

/** What happened, for tests. */
export interface SimulateResult {
  readonly ok: boolean
  /** Simulated ms after the outage. */
  readonly lines: readonly { readonly atMs: number; readonly host: string; readonly text: string }[]
  readonly triggerAtMs?: number
  readonly nasOffAtMs?: number
  /** Simulated ms after the outage when each secondary's plan ended. */
  readonly secondariesDoneAtMs: Readonly<Record<string, number>>
  readonly killRequested: boolean
  readonly wallMs: number
  readonly failures: readonly string[]
}

const PRIMARY = "truenas"

/** Run the simulated drill. */
export async function runSimulatedDrill(options: SimulateOptions): Promise<SimulateResult> {
  const speed = options.speed ?? 40
  const wallStart = Date.now()
  const clock: Clock = scaledClock(hidSystemClock, speed)
  const failures: string[] = []
  const lines: { atMs: number; host: string; text: string }[] = []
  let outageAt: number | undefined
  const say = (host: string, text: string): void => {
    const atMs = outageAt === undefined ? 0 : clock.now() - outageAt
    lines.push({ atMs, host, text })
    options.out(`  T+${formatDuration(atMs).padEnd(8)} ${host.padEnd(8)} ${text}`)
  }

  const world: SimWorld = await startSimWorld({ speed, chargePct: options.chargePct ?? 30, outageAfterS: 5, nasOffS: 45, truenasVersion: options.truenasVersion ?? "25.04", log: options.log })
  const secondaries = await (options.secondaries ?? commandStandIns())({ clock, speed })
  const stores = new Map<string, NutctlStore>()
  const storeOf = (host: string): NutctlStore => stores.get(host) ?? (stores.set(host, createStore()), stores.get(host) as NutctlStore)
  const stop = new AbortController()
  const loops: Promise<unknown>[] = []
  const holds: NutClient[] = []
  const done: Record<string, number> = {}
  let nasOffAt: number | undefined
  let triggerAt: number | undefined
  let killRequested = false
  let predictedMs: number | undefined
  try {
    const ups = world.upsd.ups[0]
    if (ups === undefined) throw new Error("the simulated UPS is missing")
    const system = `${SIM_UPS}@127.0.0.1:${world.port}`
    options.out(`Simulated cluster, time ×${speed} (T = simulated time after mains is lost; nothing on this machine is powered off):`)
    options.out(`  UPS ${system}: APC Back-UPS BX1600MI simulator, battery at ${options.chargePct ?? 30} %`)
    options.out(`  primary ${PRIMARY}: TrueNAS ${world.nas.version} middleware simulator at ${world.nas.url}`)
    options.out(`  secondaries ${secondaries.hosts.join(", ")}: ${secondaries.label}`)

    // ----- the plans and the cluster's need (what runtimeBelow: auto compares with) -----
    const executorsOf = new Map<string, ConfiguredExecutor[]>([[PRIMARY, await world.primaryExecutors()]])
    for (const h of secondaries.hosts) executorsOf.set(h, await secondaries.executors(h))
    for (const [key, ms] of secondaries.learned ?? []) for (const h of secondaries.hosts) if (key.startsWith(`${h}-`)) await recordDuration(storeOf(h), key, { ms, at: clock.now(), source: "drill" })
    const numLogins = (): number => world.upsd.server.context.numLogins(ups)
    // the primary's own login counts in NUMLOGINS until its monitor drops it before the plan runs
    let primaryLoggedIn = false
    const power: PowerControl = {
      secondaries: async () => Math.max(0, numLogins() - (primaryLoggedIn ? 1 : 0)),
      killPower: async () => {
        const client = await NutClient.connect({ host: "127.0.0.1", port: world.port, timeoutMs: 5000 })
        try {
          await client.authenticate(SIM_USERS.primary.user, SIM_USERS.primary.password)
          await client.instcmd(SIM_UPS, "shutdown.return")
          killRequested = true
        } finally {
          await client.logout().catch(() => {})
        }
      },
    }
    const quiet = (): void => {}
    const cluster: ClusterHost[] = []
    for (const [host, executors] of executorsOf) {
      const plan = await buildPlan({ host, executors, clock, log: quiet, dryRun: true, ...(host === PRIMARY ? { power } : {}) })
      cluster.push({ host, role: host === PRIMARY ? "primary" : "secondary", plan })
    }
    const learned = new Map<string, number>(secondaries.learned ?? [])
    const predicted = clusterTimeline({ hosts: cluster, learned, secondaryDelayMs: 10_000, primaryDelayMs: 5000, margin: DEFAULT_MARGIN })
    predictedMs = predicted.totalMs
    options.out(`  predicted: the cluster needs ${formatDuration(predicted.totalMs)} after the trigger; with the margin ${formatDuration(predicted.needMs)} of battery (runtimeBelow: auto)`)
    options.out("")

    // ----- monitors: the primary in process, the secondaries over NUT -----
    await driverConnected(ups.state, clock)
    const target = (role: "primary" | "secondary") => ({ system, ups: SIM_UPS, host: "127.0.0.1", port: world.port, powerValue: 1, role })
    const monitorLog = (host: string): MonitorLogger => (level, message) => {
      if (level === "crit" || level === "alert" || level === "error") say(host, message)
      else options.log.debug(`[${host}] ${message}`)
    }
    const handler = (host: string, links: () => readonly SupplyLink[], hold: NutClient | undefined): ShutdownHandler => ({
      async run() {
        const plan = await buildPlan({ host, executors: executorsOf.get(host) ?? [], clock, log: quiet, dryRun: false, store: storeOf(host), ...(host === PRIMARY ? { power } : {}) })
        const result = await runPlan(plan, { clock, store: storeOf(host), tickMs: 0, progress: planLines(host, say), reason: "drill --simulate" })
        done[host] = clock.now() - (outageAt ?? clock.now())
        if (host !== PRIMARY) {
          // this "host" is down now: its connections go with it
          for (const l of links()) l.drop()
          await hold?.logout().catch(() => {})
          say(host, "down (logged out)")
        }
        return { ok: result.state === "done", failures: result.failures }
      },
    })
    for (const host of [PRIMARY, ...secondaries.hosts]) {
      const role = host === PRIMARY ? "primary" : "secondary"
      const creds = SIM_USERS[role]
      const config = monitorConfigFromNutctl({ role: { role, monitor: [target(role)] }, shutdown: { hostsync: 15, finaldelay: 5 } }, { login: () => ({ user: creds.user, password: creds.password }) })
      const supply = config.supplies[0]
      if (supply === undefined) continue
      const served = role === "primary" ? localUpsFor(supply, world.upsd) : undefined
      const local = served === undefined ? undefined : { ...served, login: () => trackLogin(served.login(), (on) => (primaryLoggedIn = on)) }
      const links: SupplyLink[] = [local !== undefined ? createLocalLink({ supply, ups: local, log: monitorLog(host) }) : createNetworkLink({ supply, log: monitorLog(host), push: true })]
      let hold: NutClient | undefined
      if (role === "secondary") {
        // the plan's own login: held until the plan is done (see the file comment)
        hold = await NutClient.connect({ host: "127.0.0.1", port: world.port, timeoutMs: 5000 })
        await hold.authenticate(creds.user, creds.password)
        await hold.login(SIM_UPS)
        holds.push(hold)
      }
      const loop = createMonitorLoop({ config, links, clock, log: monitorLog(host), shutdown: handler(host, () => links, hold) })
      loops.push(loop.run(stop.signal).catch((e: unknown) => failures.push(`${host}: the monitor stopped: ${(e as Error).message}`)))
    }

    // ----- the primary's runtimeBelow: auto, and the story of the UPS -----
    const runtime = runtimeReader(ups.state, clock, (note) => say(SIM_UPS, note))
    let lastStatus = ""
    const unsubscribe = ups.state.subscribe(() => {
      const status = ups.state.status
      if (status === lastStatus) return
      if (outageAt === undefined && /\bOB\b/.test(status)) {
        outageAt = clock.now()
        say(SIM_UPS, `on battery (ups.status ${status}, battery.runtime ${formatDuration(runtime() * 1000)})`)
      } else if (outageAt !== undefined) {
        say(SIM_UPS, `ups.status ${status}`)
      }
      lastStatus = status
    })
    void world.nas.whenOff().then(() => {
      nasOffAt = clock.now() - (outageAt ?? clock.now())
      say(PRIMARY, `the TrueNAS simulator is off (battery.runtime left: ${formatDuration(runtime() * 1000)})`)
    })
    const deadline = wallStart + (options.wallLimitMs ?? 55_000)
    while (Date.now() < deadline) {
      await clock.sleep(2000)
      const left = runtime()
      if (!ups.state.fsd && outageAt !== undefined && /\bOB\b/.test(ups.state.rawStatus) && Number.isFinite(left) && left * 1000 <= predicted.needMs) {
        triggerAt = clock.now() - outageAt
        say(PRIMARY, `battery.runtime ${formatDuration(left * 1000)} no longer covers the cluster's ${formatDuration(predicted.needMs)}: sets FSD (runtimeBelow: auto)`)
        ups.state.setFsd()
      }
      if (triggerAt === undefined && ups.state.fsd && outageAt !== undefined) triggerAt = clock.now() - outageAt
      if (nasOffAt !== undefined && done[PRIMARY] !== undefined) break
    }
    unsubscribe()
    if (nasOffAt === undefined || done[PRIMARY] === undefined) failures.push(`the cluster did not finish within ${formatDuration(options.wallLimitMs ?? 55_000)} of wall time`)
  } finally {
    stop.abort()
    await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 2000))])
    for (const h of holds) await h.logout().catch(() => {})
    await secondaries.close()
    for (const s of stores.values()) await s.dispose()
    await world.stop()
  }

  // ----- verdict -----
  const lastSecondary = Math.max(0, ...secondaries.hosts.map((h) => done[h] ?? Number.POSITIVE_INFINITY))
  const primaryPonr = lines.find((l) => l.host === PRIMARY && l.text.includes("point of no return"))?.atMs
  if (nasOffAt !== undefined && primaryPonr !== undefined && primaryPonr < lastSecondary) failures.push("the NAS was told to power off before every secondary was down")
  for (const h of secondaries.hosts) if (done[h] === undefined) failures.push(`${h} never finished its plan`)
  if (!killRequested) failures.push("the UPS kill request was not sent")
  failures.push(...(secondaries.summary?.() ?? []).filter((l) => l.startsWith("✖")).map((l) => l.slice(2)))
  const wallMs = Date.now() - wallStart
  options.out("")
  for (const l of secondaries.summary?.() ?? []) options.out(`  ${l}`)
  if (nasOffAt !== undefined && triggerAt !== undefined) options.out(`  from the trigger to the NAS off: ${formatDuration(nasOffAt - triggerAt)} (predicted ${formatDuration(predictedMs ?? 0)})`)
  if (failures.length === 0) {
    options.out(`✔ every secondary was down before the NAS powered off; NAS off at T+${formatDuration(nasOffAt ?? 0)}, trigger at T+${formatDuration(triggerAt ?? 0)}; ${formatDuration(wallMs)} of wall time`)
  } else {
    for (const f of failures) options.out(`✖ ${f}`)
  }
  return {
    ok: failures.length === 0,
    lines,
    ...(triggerAt === undefined ? {} : { triggerAtMs: triggerAt }),
    ...(nasOffAt === undefined ? {} : { nasOffAtMs: nasOffAt }),
    secondariesDoneAtMs: done,
    killRequested,
    wallMs,
    failures,
  }
}

/** Wait (at most 30 simulated seconds) until the driver has published the UPS. */
async function driverConnected(state: UpsState, clock: Clock): Promise<void> {
  for (let i = 0; i < 30 && state.availability() === "not-connected"; i++) await clock.sleep(1000)
}

/** A LocalUps login whose state is reported (the primary's own NUMLOGINS share). */
function trackLogin(logout: () => void, on: (loggedIn: boolean) => void): () => void {
  on(true)
  return () => {
    on(false)
    logout()
  }
}

/**
 * battery.runtime in seconds. Some UPSes (and the simulated BX's driver mapping today) never
 * refresh it while the charge falls; then it is estimated as the time until the charge reaches 0
 * at the rate it has been falling on battery, and the output says so once.
 */
function runtimeReader(state: UpsState, clock: Clock, note: (text: string) => void): () => number {
  let first: { runtime: number; charge: number; at: number } | undefined
  let noted = false
  return () => {
    const runtime = Number(state.value("battery.runtime"))
    const charge = Number(state.value("battery.charge"))
    const onBattery = /\bOB\b/.test(state.rawStatus)
    if (!onBattery || !Number.isFinite(charge)) return runtime
    first ??= { runtime, charge, at: clock.now() }
    const minutes = (clock.now() - first.at) / 60_000
    // a rate needs a few percent over a minute or more; 1 % steps over seconds say nothing
    if (runtime !== first.runtime || first.charge - charge < 2 || minutes < 1) return runtime
    if (!noted) {
      noted = true
      note(`battery.runtime stays at ${first.runtime} s while the charge falls: estimating it from how fast battery.charge drops`)
    }
    return (charge / ((first.charge - charge) / minutes)) * 60
  }
}

/** Step lines of one host's plan. */
function planLines(host: string, say: (host: string, text: string) => void): (e: ProgressEvent) => void {
  return (e) => {
    if (e.kind === "step-start") say(host, `${e.key}: ${e.description}`)
    else if (e.kind === "point-of-no-return") say(host, `point of no return: ${e.key}`)
    else if (e.kind === "fallback") say(host, `${e.key}: ${e.reason}; fallback: ${e.description}`)
    else if (e.kind === "step-end" && e.state !== "done") say(host, `${e.key} ${e.state}${e.error ? `: ${e.error}` : ""}`)
    else if (e.kind === "step-end" && e.note) say(host, `${e.key} done: ${e.note}`)
  }
}

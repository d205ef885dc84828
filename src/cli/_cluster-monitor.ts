/**
 * The monitor from nutctl's cluster config (issue 4 item 9/3): this host's role (by hostname) says
 * what it monitors (`roles[].monitor`) and how it shuts down (`roles[].shutdown` → `executors:`,
 * the built-in plugins command, proxmox and truenas or a user's own module); `shutdown:` holds
 * upsmon.conf's timers and `when:`. A primary monitors the UPS it serves through the local
 * shortcut; a secondary reaches the primary over NUT with the cluster's users (and push).
 *
 * The shutdown is issue 5's plan runner (journal, learned durations and executor state in the store
 * under the data directory), with nutctl's semantics rather than upsmon's: every host keeps its
 * login until its plan is done, so a primary's "wait for the secondaries" means "their guests are
 * down", and power returning before a plan's point of no return calls it off and restores.
 */
import type { ConsolaInstance } from "consola"
import {
  ConfigError,
  monitorLogin,
  nodeConfigFs,
  resolveRole,
  resolveSecret,
  type ConfigFs,
  type LoadedConfig,
  type RoleEntry,
  type RoleMatch,
} from "../config/index.ts"
import { monitorConfigFromNutctl, systemClock, type Clock, type MonitorRecord, type NutctlMonitorTarget } from "../monitor/index.ts"
import { saveBudget, storedBudget, type ExecutorCatalog, type PlanResult, type PowerControl, type RuntimeBudget } from "../shutdown/index.ts"
import { createStore, type NutctlStore } from "../store/index.ts"
import { budgetHolder, clusterShutdownHandler, keepBudget, primaryPowerControl, restoreAtStart, type BudgetHolder, type ClusterShutdownHandler } from "./_cluster-shutdown.ts"
import { roleExecutors } from "./_executors.ts"
import { usableDataDir } from "./_history.ts"
import { assembleMonitor, monitorLogger, type LocalServer, type NutMonitor } from "./_monitor.ts"
import type { ShutdownFeed } from "./_shutdown-view.ts"

/** This host's place in a loaded cluster config. */
export interface ClusterRole {
  readonly loaded: LoadedConfig
  /** The hostname the role was resolved for. */
  readonly host: string
  /** undefined: the host is in no role (it monitors nothing). */
  readonly role: RoleMatch<RoleEntry> | undefined
}

/** Resolve this host's role in a loaded config. */
export function clusterRole(loaded: LoadedConfig, host: string): ClusterRole {
  return { loaded, host, role: resolveRole(loaded.config, host) }
}

export interface ClusterMonitorOptions {
  readonly cluster: ClusterRole
  readonly log: ConsolaInstance
  readonly dryRun: boolean
  readonly wall: boolean
  /** What this process serves (the primary's `serve`): supplies on it use the local shortcut. */
  readonly local?: LocalServer
  readonly env: (name: string) => string | undefined
  /** @default the real file system */
  readonly fs?: ConfigFs
  /**
   * The state directory: shutdown journal, learned durations, executor state (HA states to put
   * back). The CLI passes `--data-dir` (default /var/lib/nutctl). @default memory only; a dry run
   * always keeps everything in memory
   */
  readonly dataDir?: string
  /** Executor plugins by name. @default the built-in ones (command, proxmox, truenas) */
  readonly catalog?: ExecutorCatalog
  /** @default real time */
  readonly clock?: Clock
  /** Every notification and decision (HTTP events). */
  readonly onRecord?: (record: MonitorRecord) => void
  /** Every finished plan run. */
  readonly onPlanResult?: (result: PlanResult) => void
  /**
   * What HTTP shows of the plan (_shutdown-view.ts): told the executors, each laid-out budget and
   * the runner's progress. With it the plan is laid out (a dry plan, at start and hourly) even when
   * `runtimeBelow` is not `auto`, only to be shown.
   */
  readonly shutdownFeed?: ShutdownFeed
}

/**
 * Build the monitor of this host's role; undefined when the role monitors nothing (or the host has
 * no role). Nothing runs until `runMonitor(monitor)` (or `loop.run()`, without the restore at start
 * and the runtime budget).
 * @throws ConfigError for a secret that cannot be read, an executor this build does not have or
 *   settings its plugin refuses; Error for a data directory that cannot be used
 */
export async function createClusterMonitor(options: ClusterMonitorOptions): Promise<NutMonitor | undefined> {
  const { loaded, role, host } = options.cluster
  const feed = options.shutdownFeed
  if (role === undefined || role.entry.monitor.length === 0) {
    feed?.role(0)
    return undefined
  }
  const { config, file } = loaded
  const sources = { env: options.env, fs: options.fs ?? nodeConfigFs }
  const logins = new Map<string, { user: string; password: string }>()
  for (const [j, target] of role.entry.monitor.entries()) {
    const login = monitorLogin(config, role.entry, target)
    if (login === undefined) continue
    const key = target.password !== undefined ? `roles[${role.index}].monitor[${j}].password` : `users.${login.user}.password`
    const password = login.password === undefined ? "" : await resolveSecret(login.password, sources, { file, key })
    logins.set(target.system, { user: login.user, password })
  }
  const loadedExecutors = await roleExecutors({ loaded, role, sources, ...(options.catalog === undefined ? {} : { catalog: options.catalog }) })
  const problems = loadedExecutors.filter((x) => x.problem !== undefined)
  if (problems.length > 0) {
    throw new ConfigError(problems.map((x) => ({ code: "CONFIG_INVALID", file, key: `executors.${x.name}`, expected: "an executor this host can load and configure", message: x.problem as string })))
  }
  const executors = loadedExecutors.flatMap((x) => (x.configured === undefined ? [] : [x.configured]))
  const s = config.shutdown
  const monitorConfig = monitorConfigFromNutctl(
    { role: role.entry, shutdown: { hostsync: s.hostsync, finaldelay: s.finaldelay, when: s.when } },
    {
      ...(s.minsupplies === undefined ? {} : { minSupplies: s.minsupplies }),
      ...(s.pollfreq === undefined ? {} : { pollFreq: s.pollfreq }),
      ...(s.pollfreqalert === undefined ? {} : { pollFreqAlert: s.pollfreqalert }),
      ...(s.deadtime === undefined ? {} : { deadTime: s.deadtime }),
      ...(s.powerdownflag === undefined ? {} : { powerDownFlag: s.powerdownflag }),
      ...(s.notifycmd === undefined ? {} : { notifyCmd: s.notifycmd }),
      login: (t: NutctlMonitorTarget) => logins.get(t.system),
      keepLoginDuringShutdown: true,
    },
  )
  const store = await openStore(options)
  feed?.role(executors.length)
  const clock = options.clock ?? systemClock
  const log = monitorLogger(options.log)
  const ctx = { host, executors, store, clock, log, dryRun: options.dryRun }
  const below = s.when?.runtimeBelow
  const budget = below === undefined || below === null ? undefined : budgetHolder(below === "auto" ? undefined : below)
  let power: PowerControl | undefined
  let handler: ClusterShutdownHandler | undefined
  const monitor = assembleMonitor({
    config: monitorConfig,
    executors,
    log: options.log,
    dryRun: options.dryRun,
    wall: options.wall,
    clock,
    ...(options.local === undefined ? {} : { local: options.local }),
    network: { tls: "try", push: s.push !== false },
    ...(budget === undefined ? {} : { runtimeBudget: budget }),
    onRecord: (record) => {
      if (record.kind === "decision" && record.code === "SET_FSD") handler?.noteFsd()
      options.onRecord?.(record)
    },
    shutdown: (links) => {
      power = primaryPowerControl(links, { clock, log, upsParams: (ups) => config.ups[ups]?.params ?? {} })
      handler = clusterShutdownHandler({
        ...ctx,
        ...(power === undefined ? {} : { power }),
        ...(feed === undefined ? {} : { progress: feed.progress }),
        ...(options.onPlanResult === undefined ? {} : { onResult: options.onPlanResult }),
      })
      return handler
    },
  })
  const withPower = { ...ctx, ...(power === undefined ? {} : { power }) }
  return {
    ...monitor,
    async beside(signal) {
      const laying =
        below === "auto" && budget !== undefined
          ? keepBudget(persisting(budget, store, host, clock, log, feed), withPower, signal)
          : feed !== undefined && executors.length > 0
            ? keepBudget(shownOnly(feed), withPower, signal, "shutdown plan")
            : undefined
      await Promise.all([restoreAtStart(() => monitor.loop.state, withPower, signal), laying])
    },
    dispose: () => store.dispose(),
  }
}

/**
 * The auto budget, also saved in the store each time keepBudget lays the plan out (at start and
 * hourly, changed or not): `nutctl check` compares battery.runtime with it, and its age tells
 * check whether a monitor still keeps it.
 */
function persisting(holder: BudgetHolder, store: NutctlStore, host: string, clock: Clock, log: (level: "warning", message: string) => void, feed?: ShutdownFeed): BudgetHolder {
  return onLaidOut(holder, (needMs, timeline) => {
    feed?.budget({ needMs, timeline })
    saveBudget(store, storedBudget(host, { needMs, timeline }, clock.now())).catch((e: unknown) => log("warning", `runtimeBelow: auto: cannot save the budget for nutctl check: ${(e as Error).message}`))
  })
}

/** A budget laid out only to be shown (runtimeBelow is not auto: the loop does not read it). */
function shownOnly(feed: ShutdownFeed): BudgetHolder {
  return onLaidOut(budgetHolder(), (needMs, timeline) => feed.budget({ needMs, timeline }))
}

/** `holder`, also telling `then` each budget set with its timeline (a laid-out plan). */
function onLaidOut(holder: BudgetHolder, then: (needMs: number, timeline: RuntimeBudget["timeline"]) => void): BudgetHolder {
  return {
    covers: (runtime) => holder.covers(runtime),
    get needMs() {
      return holder.needMs
    },
    set(budget) {
      holder.set(budget)
      const { timeline } = budget as Partial<RuntimeBudget>
      if (timeline !== undefined) then(budget.needMs, timeline)
    },
  }
}

/** The store under the data directory; memory for a dry run or without one. */
async function openStore(options: ClusterMonitorOptions): Promise<NutctlStore> {
  if (options.dryRun || options.dataDir === undefined) return createStore()
  await usableDataDir(options.dataDir)
  return createStore({ dir: options.dataDir })
}

/**
 * The monitor from nutctl's cluster config (issue 4 item 9/3): this host's role (by hostname) says
 * what it monitors (`roles[].monitor`) and how it shuts down (`roles[].shutdown` → `executors:`);
 * `shutdown:` holds upsmon.conf's timers. A primary monitors the UPS it serves through the local
 * shortcut; a secondary reaches the primary over NUT with the cluster's users (and push).
 */
import type { ConsolaInstance } from "consola"
import commandExecutor from "../../plugins/command/index.ts"
import {
  ConfigError,
  monitorLogin,
  nodeConfigFs,
  resolveRole,
  resolveSecret,
  resolveSecrets,
  type ConfigFs,
  type LoadedConfig,
  type RoleEntry,
  type RoleMatch,
} from "../config/index.ts"
import { configuredExecutor, monitorConfigFromNutctl, type ConfiguredExecutor, type NutctlMonitorTarget } from "../monitor/index.ts"
import type { Executor } from "../shutdown/index.ts"
import { assembleMonitor, startMonitorBeside, type LocalServer, type NutMonitor } from "./_monitor.ts"

/** Executor plugins this build has, by the name `executors.<key>` (or its `type`) uses. */
const EXECUTOR_PLUGINS: Readonly<Record<string, Executor<never>>> = {
  command: commandExecutor as Executor<never>,
}

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
}

/**
 * Build the monitor of this host's role; undefined when the role monitors nothing (or the host has
 * no role). Nothing runs until `loop.run()`.
 * @throws ConfigError for a secret that cannot be read or an executor this build does not have;
 *   ExecutorConfigError for executor settings its plugin refuses
 */
export async function createClusterMonitor(options: ClusterMonitorOptions): Promise<NutMonitor | undefined> {
  const { loaded, role } = options.cluster
  if (role === undefined || role.entry.monitor.length === 0) return undefined
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
  const executors = await roleExecutors(loaded, role, sources)
  const s = config.shutdown
  const monitorConfig = monitorConfigFromNutctl(
    { role: role.entry, shutdown: { hostsync: s.hostsync, finaldelay: s.finaldelay } },
    {
      ...(s.minsupplies === undefined ? {} : { minSupplies: s.minsupplies }),
      ...(s.pollfreq === undefined ? {} : { pollFreq: s.pollfreq }),
      ...(s.pollfreqalert === undefined ? {} : { pollFreqAlert: s.pollfreqalert }),
      ...(s.deadtime === undefined ? {} : { deadTime: s.deadtime }),
      ...(s.powerdownflag === undefined ? {} : { powerDownFlag: s.powerdownflag }),
      ...(s.notifycmd === undefined ? {} : { notifyCmd: s.notifycmd }),
      login: (t: NutctlMonitorTarget) => logins.get(t.system),
    },
  )
  return assembleMonitor({
    config: monitorConfig,
    executors,
    log: options.log,
    dryRun: options.dryRun,
    wall: options.wall,
    ...(options.local === undefined ? {} : { local: options.local }),
    network: { tls: "try", push: s.push !== false },
  })
}

/** `roles[].shutdown` → the executors of `executors:`, in order, with their secrets resolved. */
async function roleExecutors(loaded: LoadedConfig, role: RoleMatch<RoleEntry>, sources: { env: (name: string) => string | undefined; fs: ConfigFs }): Promise<ConfiguredExecutor[]> {
  const { config, file } = loaded
  const out: ConfiguredExecutor[] = []
  for (const [i, name] of role.entry.shutdown.entries()) {
    const entry = config.executors[name]
    const key = `roles[${role.index}].shutdown[${i}]`
    if (entry === undefined) {
      throw new ConfigError([{ code: "CONFIG_INVALID", file, key, expected: "the name of an executors: entry", got: name, message: `${file}: ${key} names executor ${name}, which executors: does not define` }])
    }
    const { type, ...settings } = entry
    const plugin = EXECUTOR_PLUGINS[type ?? name]
    if (plugin === undefined) {
      const known = Object.keys(EXECUTOR_PLUGINS).join(", ")
      const message = `${file}: executors.${name} needs the executor plugin ${type ?? name}, which this nutctl does not have (available: ${known})`
      throw new ConfigError([{ code: "CONFIG_INVALID", file, key: `executors.${name}`, expected: `one of the executors ${known}`, got: type ?? name, message }])
    }
    const resolved = await resolveSecrets(settings, sources, { file, key: `executors.${name}` })
    out.push(await configuredExecutor(plugin, resolved, `${file} executors.${name}`))
  }
  return out
}

/**
 * `serve` from the cluster config: start this role's monitor in the background (beside the server
 * on a primary, alone on a secondary). Problems are logged; returns undefined when nothing runs,
 * with `failed` telling a config problem (exit 1) from a role that monitors nothing.
 */
export async function startClusterMonitor(options: ClusterMonitorOptions): Promise<{ monitor?: { stop(): Promise<void>; readonly done: Promise<void> }; failed: boolean }> {
  let monitor: NutMonitor | undefined
  try {
    monitor = await createClusterMonitor(options)
  } catch (e) {
    for (const m of e instanceof ConfigError ? e.issues.map((i) => i.message) : [(e as Error).message]) options.log.error(m)
    return { failed: true }
  }
  if (monitor === undefined) {
    const { role, host } = options.cluster
    options.log.info(role === undefined ? `Host ${host} is in no role: nothing to monitor` : `The ${role.entry.role} role of host ${host} monitors nothing (roles[${role.index}].monitor is empty)`)
    return { failed: false }
  }
  return { monitor: await startMonitorBeside(monitor, { log: options.log, dryRun: options.dryRun, local: options.local }), failed: false }
}

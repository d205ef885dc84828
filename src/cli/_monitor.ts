/**
 * The monitor as `nutctl monitor` and `nutctl serve` run it from NUT's files: upsmon.conf (and
 * upssched.conf when NOTIFYCMD is upssched) → MonitorConfig, one link per MONITOR line (the local
 * shortcut for UPSes this process serves), SHUTDOWNCMD → the `command` executor, and the node:
 * capabilities (shell, wall, POWERDOWNFLAG file, real time).
 */
import { hostname } from "node:os"
import { dirname, join } from "node:path"
import type { ConsolaInstance } from "consola"
import commandExecutor from "../../plugins/command/index.ts"
import { ConfigError, checkSecretFileMode, configIssue, errnoCode, nodeConfigFs, parseUpsmonConf, readFailure, type ConfigWarning, type UpsmonConf } from "../config/index.ts"
import {
  type Clock,
  configuredExecutor,
  createLocalLink,
  createMonitorLoop,
  createNetworkLink,
  executorShutdownHandler,
  isUpsschedCommand,
  monitorConfigFromUpsmonConf,
  nodeFlagFile,
  nodeShellRunner,
  nodeWall,
  parseUpsschedConf,
  systemClock,
  type ConfiguredExecutor,
  type LocalUps,
  type LogLevel,
  type MonitorConfig,
  type MonitorOutcome,
  type MonitorRecord,
  type NetworkLinkOptions,
  type MonitorLogger,
  type MonitorLoop,
  type RuntimeBudgetCheck,
  type ShutdownHandler,
  type SupplyConfig,
  type SupplyLink,
  type UpsschedConf,
} from "../monitor/index.ts"
import type { ClientInfo, ListenAddress, NutServer, ServedUps } from "../server/index.ts"

/** What this process serves, for the local shortcut. */
export interface LocalServer {
  readonly server: NutServer
  readonly ups: readonly ServedUps[]
  readonly addresses: readonly ListenAddress[]
}

export interface NutMonitorOptions {
  /** The NUT config directory (upssched.conf is read from here). */
  readonly dir: string
  readonly upsmon: UpsmonConf
  /** upssched.conf, already read (when NOTIFYCMD is upssched); otherwise read from `dir`. */
  readonly upssched?: UpsschedConf
  readonly log: ConsolaInstance
  /** Decide and log only. */
  readonly dryRun: boolean
  /** Send WALL messages with wall(1). */
  readonly wall: boolean
  readonly local?: LocalServer
  /** Every notify/decision record (HTTP events and history). */
  readonly onRecord?: (record: MonitorRecord) => void
}

/** A monitor built from NUT's files, and which of its supplies use the local shortcut. */
export interface NutMonitor {
  readonly loop: MonitorLoop
  /** MINSUPPLIES, for status views. */
  readonly minSupplies: number
  readonly local: readonly string[]
  /** Work beside the loop while it runs (the cluster monitor: restore at start, runtime budget). */
  readonly beside?: (signal: AbortSignal) => Promise<void>
  /** Release what the monitor holds (its store). */
  readonly dispose?: () => Promise<void>
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1"])

/**
 * Read DIR/upsmon.conf with its warnings (including a password file readable by others);
 * undefined when the file does not exist and `required` is false.
 * @throws ConfigError for a file that does not parse or cannot be read
 */
export async function readUpsmonConf(dir: string, required: boolean): Promise<{ conf: UpsmonConf; warnings: readonly ConfigWarning[] } | undefined> {
  const file = join(dir, "upsmon.conf")
  let text: string
  try {
    text = await nodeConfigFs.readText(file)
  } catch (e) {
    const { reason, notFound } = readFailure(e)
    if (!required && notFound && errnoCode(e) !== "ENOTDIR") return undefined
    throw new ConfigError([configIssue({ code: notFound ? "CONFIG_NOT_FOUND" : "CONFIG_UNREADABLE", file, expected: "a readable file", message: upsmonReadMessage(dir, file, e, reason) })])
  }
  const conf = parseUpsmonConf(text, file)
  const mode = checkSecretFileMode(file, await nodeConfigFs.mode(file).catch(() => undefined), { allowGroup: true })
  return { conf, warnings: [...(mode ? [mode] : []), ...conf.warnings] }
}

/** Why DIR/upsmon.conf cannot be read, with what to do about it. */
function upsmonReadMessage(dir: string, file: string, cause: unknown, reason: string): string {
  // `--nut-config /etc/nut/upsmon.conf`: the path of a file inside a file
  if (errnoCode(cause) === "ENOTDIR") return `${dir} is a file, not a directory: --nut-config takes the directory that holds upsmon.conf (${dirname(dir)})`
  if (reason === "no such file") return `Cannot read ${file}: no such file; the monitor reads upsmon.conf from the --nut-config directory (like /etc/nut), as upsmon does`
  return `Cannot read ${file}: ${reason}`
}

/**
 * Build the monitor; nothing runs until `loop.run()`.
 * @throws ExecutorConfigError, MonitorConfigError, or an Error for an unreadable upssched.conf
 */
export async function createNutMonitor(options: NutMonitorOptions): Promise<NutMonitor> {
  const { upsmon } = options
  const config = monitorConfigFromUpsmonConf(upsmon)
  const upssched = isUpsschedCommand(config.notifyCmd) ? (options.upssched ?? (await readUpssched(options.dir))) : undefined
  const executors = config.shutdownCmd === undefined ? [] : [await configuredExecutor(commandExecutor, { command: config.shutdownCmd }, "upsmon.conf SHUTDOWNCMD")]
  return assembleMonitor({
    config,
    executors,
    log: options.log,
    dryRun: options.dryRun,
    wall: options.wall,
    ...(options.local === undefined ? {} : { local: options.local }),
    ...(upssched === undefined ? {} : { upssched }),
    network: { tls: upsmon.forceSsl ? "require" : "try", ...(upsmon.certVerify ? { tlsOptions: { verify: true } } : {}) },
    ...(options.onRecord === undefined ? {} : { onRecord: options.onRecord }),
  })
}

/** Everything a monitor is built from, whichever config it came from. */
export interface MonitorParts {
  readonly config: MonitorConfig
  /** The shutdown plan, in order. */
  readonly executors: readonly ConfiguredExecutor[]
  readonly log: ConsolaInstance
  readonly dryRun: boolean
  readonly wall: boolean
  /** What this process serves: supplies on it use the local shortcut. */
  readonly local?: LocalServer
  readonly upssched?: UpsschedConf
  /** Settings of every network link (TLS, push). */
  readonly network?: Pick<NetworkLinkOptions, "tls" | "tlsOptions" | "push">
  /**
   * The shutdown hand-off, given the links (a primary's plan asks them for NUMLOGINS and the UPS
   * kill). @default the executors' plans one after the other (upsmon's SHUTDOWNCMD)
   */
  readonly shutdown?: (links: readonly AssembledLink[]) => ShutdownHandler
  /** `shutdown.when.runtimeBelow`. */
  readonly runtimeBudget?: RuntimeBudgetCheck
  /** @default real time */
  readonly clock?: Clock
  readonly onRecord?: (record: MonitorRecord) => void
}

/** One supply's link as assembled, for a shutdown hand-off that needs it. */
export interface AssembledLink {
  readonly supply: SupplyConfig
  readonly link: SupplyLink
  /** The UPS this process serves, when the link is the local shortcut. */
  readonly local?: {
    readonly served: ServedUps
    /** LIST CLIENT of that UPS without this monitor's own login. */
    others(): readonly ClientInfo[]
  }
}

/** The loop with its links and node: capabilities. */
export function assembleMonitor(parts: MonitorParts): NutMonitor {
  const { config, log, dryRun } = parts
  const clock = parts.clock ?? systemClock
  const logger = monitorLogger(log)
  const local: string[] = []
  const assembled: AssembledLink[] = config.supplies.map((supply) => {
    const access = parts.local && localAccess(supply, parts.local)
    if (access !== undefined) {
      local.push(supply.system)
      return { supply, link: createLocalLink({ supply, ups: access.ups, log: logger }), local: { served: access.served, others: access.others } }
    }
    return { supply, link: createNetworkLink({ supply, log: logger, ...parts.network }) }
  })
  const loop = createMonitorLoop({
    config,
    links: assembled.map((a) => a.link),
    clock,
    log: logger,
    shutdown: parts.shutdown?.(assembled) ?? executorShutdownHandler({ executors: parts.executors, host: hostname(), clock, log: logger, dryRun }),
    ...(parts.runtimeBudget === undefined ? {} : { runtimeBudget: parts.runtimeBudget }),
    ...(parts.onRecord === undefined ? {} : { onRecord: parts.onRecord }),
    runShell: nodeShellRunner(process.env),
    ...(parts.wall ? { wall: nodeWall() } : {}),
    flagFile: nodeFlagFile,
    ...(parts.upssched === undefined ? {} : { upssched: parts.upssched }),
    dryRun,
  })
  return { loop, local, minSupplies: config.minSupplies }
}

/**
 * Run until the shutdown was handed over (exit status 0, or 1 when part of it failed) or until
 * `signal` aborts (0). Waits for NOTIFYCMDs still running, as upsmon's forks outlive nothing.
 */
export async function runNutMonitor(monitor: NutMonitor, log: ConsolaInstance, signal: AbortSignal): Promise<number> {
  const outcome = await runMonitor(monitor, signal)
  if (outcome.kind === "stopped") return 0
  if (outcome.report.ok) log.info("Shutdown handed over: the monitor is done")
  return outcome.report.ok ? 0 : 1
}

/**
 * Run the loop with the monitor's work beside it, until the shutdown was handed over or `signal`
 * aborts; then wait for NOTIFYCMDs still running and release the monitor.
 */
export async function runMonitor(monitor: NutMonitor, signal: AbortSignal): Promise<MonitorOutcome> {
  const beside = new AbortController()
  const work = monitor.beside?.(beside.signal)
  try {
    return await monitor.loop.run(signal)
  } finally {
    beside.abort()
    await work?.catch(() => undefined)
    await monitor.loop.settle()
    await monitor.dispose?.()
  }
}

/** How long `serve` lets its drivers connect before the monitor's first poll. */
const DRIVER_GRACE_MS = 5000

/**
 * Give the served drivers their chance to connect before a monitor polls them: upsd's drivers
 * connect within a second or so, and a monitor polling before that would start with
 * COMMBAD/COMMOK (and their NOTIFYCMDs) for nothing. Part of building a monitor, so a reload
 * waits here while the previous monitor still runs.
 */
export async function letDriversConnect(local: LocalServer | undefined): Promise<void> {
  if (local !== undefined) await waitForDrivers(local.ups, DRIVER_GRACE_MS)
}

async function waitForDrivers(served: readonly ServedUps[], timeoutMs: number): Promise<void> {
  const pending = served.filter((u) => u.state.availability() === "not-connected")
  if (pending.length === 0) return
  await new Promise<void>((resolve) => {
    const unsubscribe: (() => void)[] = []
    const done = (): void => {
      clearTimeout(timer)
      for (const u of unsubscribe) u()
      resolve()
    }
    const timer = setTimeout(done, timeoutMs)
    for (const u of pending) {
      unsubscribe.push(
        u.state.subscribe(() => {
          if (pending.every((p) => p.state.availability() !== "not-connected")) done()
        }),
      )
    }
  })
}

/** The served UPS a MONITOR line names when it points at this process (loopback, a port we listen on), for the local shortcut. */
export function localUpsFor(supply: SupplyConfig, local: LocalServer): LocalUps | undefined {
  return localAccess(supply, local)?.ups
}

/** The local shortcut to a served UPS, and the other clients logged in to it. */
function localAccess(supply: SupplyConfig, local: LocalServer): { ups: LocalUps; served: ServedUps; others(): ClientInfo[] } | undefined {
  if (!LOOPBACK.has(supply.host.toLowerCase()) || !local.addresses.some((a) => a.port === supply.port)) return undefined
  const served = local.ups.find((u) => u.name.toLowerCase() === supply.ups.toLowerCase())
  if (served === undefined) return undefined
  const { context } = local.server
  let own: ClientInfo | undefined
  const ups: LocalUps = {
    state: served.state,
    numLogins: () => context.numLogins(served),
    login: () => {
      // shows in LIST CLIENT as upsmon on this host would
      const client = { address: supply.host === "::1" ? "::1" : "127.0.0.1", seq: 0 }
      own = client
      context.login(served, client)
      return () => {
        context.logout(served, client)
        if (own === client) own = undefined
      }
    },
    hasAction: (user, password, action) => context.users.hasAction(user, password, action),
  }
  return { ups, served, others: () => context.clients(served).filter((c) => c !== own) }
}

/** DIR/upssched.conf, which a NOTIFYCMD of upssched needs. @throws ConfigError, or Error when it cannot be read */
export async function readUpssched(dir: string): Promise<UpsschedConf> {
  const path = join(dir, "upssched.conf")
  let text: string
  try {
    text = await nodeConfigFs.readText(path)
  } catch (e) {
    throw new Error(`Cannot read ${path}: ${(e as Error).message} (NOTIFYCMD is upssched, which needs it)`)
  }
  return parseUpsschedConf(text, path)
}

/** The monitor's syslog levels on consola. */
export function monitorLogger(log: ConsolaInstance): MonitorLogger {
  const write: Record<LogLevel, (m: string) => void> = {
    debug: (m) => log.debug(m),
    info: (m) => log.info(m),
    notice: (m) => log.info(m),
    warning: (m) => log.warn(m),
    error: (m) => log.error(m),
    // crit is the normal path of a shutdown ("Executing automatic power-fail shutdown"), not a fault
    crit: (m) => log.warn(m),
    alert: (m) => log.error(m),
  }
  return (level, message) => write[level](message)
}

/**
 * Run a built monitor in the background of `serve` (after {@link letDriversConnect}). Returns its
 * stop (a normal stop: LOGOUT); a shutdown or a crash sets the exit code.
 */
export async function startMonitorBeside(
  monitor: NutMonitor,
  options: { readonly log: ConsolaInstance; readonly dryRun: boolean },
): Promise<{ stop(): Promise<void>; readonly done: Promise<void>; readonly loop: MonitorLoop; readonly minSupplies: number }> {
  const { log } = options
  const remote = monitor.loop.state.supplies.map((s) => s.supply.system).filter((s) => !monitor.local.includes(s))
  log.success(
    `nutctl monitoring ${[...monitor.local.map((s) => `${s} (in process)`), ...remote].join(", ")}${options.dryRun ? " (dry run)" : ""}`,
  )
  const abort = new AbortController()
  const running = runNutMonitor(monitor, log, abort.signal).then(
    (code) => {
      if (code !== 0) process.exitCode = code
    },
    (e: unknown) => {
      log.error(`The monitor stopped: ${(e as Error).message}`)
      process.exitCode = 1
    },
  )
  return {
    loop: monitor.loop,
    minSupplies: monitor.minSupplies,
    /** Settles when the monitor ended by itself (the shutdown was handed over) or was stopped. */
    done: running,
    async stop() {
      abort.abort()
      await running
    },
  }
}

/**
 * What `nutctl killpower` works from: POWERDOWNFLAG, the UPSes this host drives, how to reach each
 * (the running server as a user allowed to run the chain, then the device through its driver) and
 * POWEROFF_WAIT — from NUT's files (upsmon.conf, ups.conf, upsd.conf, upsd.users, nut.conf) or from
 * the cluster config (`shutdown.powerdownflag`, `shutdown.poweroffwait`, `ups:`, `users:`, `server:`).
 */
import { join } from "node:path"
import {
  createUserRecord,
  loadNutConfigDir,
  loadNutctlConfig,
  nodeConfigFs,
  parseNutConf,
  resolveRole,
  resolveSecret,
  upsDefinitions,
  type ConfigFs,
  type UpsDefinition,
} from "../config/index.ts"
import { DEFAULT_STATEPATH, createDriver, isExternalUps, type DriverCapabilities, type DriverLog } from "../drivers/index.ts"
import {
  driverKillpowerRoute,
  killpowerChain,
  nutKillpowerRoute,
  powerDownFlagStatus,
  type Clock,
  type FlagFile,
  type KillpowerFlag,
  type KillpowerRoute,
  type KillpowerTarget,
} from "../monitor/index.ts"
import { DEFAULT_SERVER_SETTINGS, type ListenAddress, type UserRecord } from "../server/index.ts"

/** Everything killpower needs, read from the config. */
export interface KillpowerPlan {
  readonly flag: KillpowerFlag
  readonly targets: readonly KillpowerTarget[]
  readonly powerOffWaitMs?: number
  /** Lines for the log (why a route is missing, the host's role …). */
  readonly notes: readonly string[]
}

export interface KillpowerSource {
  readonly nutConfig?: string | undefined
  readonly config?: string | undefined
  readonly hostname: string
}

export interface KillpowerIo {
  readonly env: (name: string) => string | undefined
  readonly flagFile: FlagFile
  readonly clock: Clock
  readonly driverLog: DriverLog
  /** HID access for usbhid-ups (node-hid, or the simulator for `sim:` ports). */
  readonly capabilities: DriverCapabilities
  /** @default the real file system */
  readonly fs?: ConfigFs
  /** NUT_STATEPATH. */
  readonly statePath?: string | undefined
}

/**
 * Read the plan. `config` is the cluster file (the caller picks the default); exactly one of
 * `nutConfig` and `config` is used, NUT's files first.
 * @throws ConfigError when a file does not load
 */
export async function planKillpower(src: KillpowerSource, io: KillpowerIo): Promise<KillpowerPlan> {
  return src.nutConfig !== undefined ? fromNutDir(src.nutConfig, io) : fromCluster(src.config as string, src.hostname, io)
}

async function fromNutDir(dir: string, io: KillpowerIo): Promise<KillpowerPlan> {
  const fs = io.fs ?? nodeConfigFs
  const loaded = await loadNutConfigDir(dir, { fs })
  const notes: string[] = []
  const flagPath = loaded.upsmon?.powerDownFlag
  const nutConf = await fs.readText(join(dir, "nut.conf")).then(
    (text) => parseNutConf(text, join(dir, "nut.conf")),
    () => undefined,
  )
  const wait = nutConf?.vars["POWEROFF_WAIT"]
  const powerOffWaitMs = wait === undefined || wait === "" ? undefined : parseSleep(wait)
  if (wait !== undefined && wait !== "" && powerOffWaitMs === undefined) notes.push(`nut.conf: POWEROFF_WAIT=${wait} is not a sleep(1) duration: not waiting`)
  const { setup } = loaded
  const server = serverAddress(setup.server.listen)
  const user = chainUser(setup.users)
  const targets = setup.ups.map((def) =>
    target(def, io, {
      server,
      user: user && { name: user.name, password: async () => user.password ?? "" },
      statepath: setup.statePath ?? io.statePath ?? DEFAULT_STATEPATH,
      external: isExternalUps(loaded.upsGlobals, def.name),
    }),
  )
  if (user === undefined && targets.length > 0) notes.push("upsd.users has no user allowed to run shutdown.return (instcmds): only the device route is tried")
  return { flag: await flagOf(flagPath, io), targets, ...(powerOffWaitMs === undefined ? {} : { powerOffWaitMs }), notes }
}

async function fromCluster(file: string, hostname: string, io: KillpowerIo): Promise<KillpowerPlan> {
  const fs = io.fs ?? nodeConfigFs
  const loaded = await loadNutctlConfig(file, { fs })
  const { config } = loaded
  const notes: string[] = []
  const role = resolveRole(config, hostname)
  const wait = config.shutdown.poweroffwait
  const flag = await flagOf(config.shutdown.powerdownflag, io)
  const base = { flag, ...(wait === undefined ? {} : { powerOffWaitMs: wait * 1000 }) }
  // the UPS hangs on the primary; a secondary's power is cut by the primary's killpower
  if (config.roles.length > 0 && role?.entry.role !== "primary") {
    notes.push(`Host ${hostname} is ${role ? "a secondary" : "in no role"}: it drives no UPS (the primary cuts the power)`)
    return { ...base, targets: [], notes }
  }
  const users = Object.entries(config.users).map(([name, u]) => ({ record: createUserRecord({ name, password: undefined, instcmds: u.instcmds }), password: u.password }))
  const chosen = chainUser(users.map((u) => u.record))
  const secret = chosen && users.find((u) => u.record.name === chosen.name)?.password
  const server = serverAddress(config.server.listen ?? DEFAULT_SERVER_SETTINGS.listen)
  const targets = upsDefinitions(loaded).map((def) =>
    target(def, io, {
      server,
      user: chosen && {
        name: chosen.name,
        // resolved only when the server route is used: late in a shutdown, env secrets may be gone
        password: async () => (secret === undefined ? "" : resolveSecret(secret, { env: io.env, fs }, { file, key: `users.${chosen.name}.password` })),
      },
      statepath: io.statePath ?? DEFAULT_STATEPATH,
      external: false,
    }),
  )
  if (chosen === undefined && targets.length > 0) notes.push("users: has no user allowed to run shutdown.return (instcmds): only the device route is tried")
  return { ...base, targets, notes }
}

async function flagOf(path: string | undefined, io: KillpowerIo): Promise<KillpowerFlag> {
  if (path === undefined) return { configured: false }
  return { configured: true, path, status: await powerDownFlagStatus(io.flagFile, path) }
}

interface RouteSettings {
  readonly server: ListenAddress
  readonly user: { readonly name: string; password(): Promise<string> } | undefined
  readonly statepath: string
  readonly external: boolean
}

function target(def: UpsDefinition, io: KillpowerIo, r: RouteSettings): KillpowerTarget {
  const chain = killpowerChain(def.params)
  const server: KillpowerRoute = {
    description: `the server at ${r.server.host.includes(":") ? `[${r.server.host}]` : r.server.host}:${r.server.port}${r.user ? ` as ${r.user.name}` : ""}`,
    probeWhenDry: true,
    async open() {
      const password = r.user === undefined ? undefined : await r.user.password()
      return nutKillpowerRoute({
        host: r.server.host,
        port: r.server.port,
        ups: def.name,
        ...(r.user === undefined ? {} : { user: r.user.name, password: password ?? "" }),
      }).open()
    },
  }
  const device = driverKillpowerRoute({
    description: `the device (${def.driver}, port ${def.port})`,
    create: () => createDriver({ ...def, statepath: r.statepath, external: r.external }, io.driverLog, io.capabilities),
    clock: io.clock,
  })
  return { ups: def.name, chain, routes: [server, device] }
}

/** The user that may run the most of the chain's commands (`all` first), as upscmd would log in. */
function chainUser(users: readonly UserRecord[]): UserRecord | undefined {
  const commands = ["shutdown.return", "shutdown.reboot", "load.off.delay", "shutdown.stayoff"]
  let best: { user: UserRecord; score: number } | undefined
  for (const user of users) {
    const score = user.instcmds.has("all") ? commands.length + 1 : commands.filter((c) => user.instcmds.has(c)).length
    if (score > 0 && (best === undefined || score > best.score)) best = { user, score }
  }
  return best?.user
}

/** The server's first address, as a client on this host reaches it (wildcards → loopback). */
function serverAddress(listen: readonly ListenAddress[]): ListenAddress {
  const first = listen[0] ?? { host: "127.0.0.1", port: 3493 }
  if (first.host === "0.0.0.0" || first.host === "*") return { host: "127.0.0.1", port: first.port }
  if (first.host === "::") return { host: "::1", port: first.port }
  return first
}

/** sleep(1) durations as nut.conf's POWEROFF_WAIT uses them: `120`, `15m`, `1h`, `1.5d`. */
export function parseSleep(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)([smhd]?)\s*$/.exec(text)
  if (!m) return undefined
  const unit = { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "" | "s" | "m" | "h" | "d"]
  return Number(m[1]) * unit
}

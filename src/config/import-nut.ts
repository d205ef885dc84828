/**
 * NUT's own files (ups.conf, upsd.conf, upsd.users, upsmon.conf, upssched.conf, nut.conf) → one
 * cluster config. The host the files come from gets a role (primary when its upsmon.conf has a
 * primary MONITOR or nut.conf serves), the secondaries named on the command line get theirs, and
 * everything upsmon.conf says that nutctl's `shutdown:` knows is carried; the rest is reported.
 */
import type { UpsschedConf } from "../monitor/index.ts"
import { DEFAULT_SERVER_SETTINGS } from "../server/index.ts"
import { ImportCollector, importUps, importUser, listenText, type ImportOptions, type ImportResult, type ImportedConfig } from "./import-result.ts"
import type { NutConfigDir } from "./nut-dir.ts"
import type { UpsmonConf } from "./upsmon-conf.ts"

/** Everything read from the directory. */
export interface NutImportInput {
  readonly dir: NutConfigDir
  /** nut.conf's variables (POWEROFF_WAIT …). */
  readonly nutConf?: Readonly<Record<string, string>>
  readonly upssched?: UpsschedConf
}

/** upsmon 2.8.0's defaults (seconds); only settings that differ are written. */
const UPSMON = { minSupplies: 1, pollFreq: 5, pollFreqAlert: 5, hostSync: 15, deadTime: 15, finalDelay: 5, rbWarnTime: 43200, noCommWarnTime: 300 } as const

/** Import a NUT config directory. */
export function importNutConfig(input: NutImportInput, options: ImportOptions): ImportResult {
  const c = new ImportCollector(options.secretsDir)
  const { dir } = input
  const config: ImportedConfig = {}
  const serves = dir.upsd !== undefined && dir.mode !== "netclient"

  if (serves) {
    const ups: NonNullable<ImportedConfig["ups"]> = {}
    for (const def of dir.setup.ups) {
      const entry = importUps(def, c)
      if (entry !== undefined) ups[def.name] = entry
    }
    config.ups = ups
    config.server = importServer(dir, options, c)
    const users: NonNullable<ImportedConfig["users"]> = {}
    for (const u of dir.setup.users) users[u.name] = importUser(u, c)
    config.users = users
  }
  for (const [k, v] of Object.entries(dir.upsGlobals)) c.lost(`ups.conf global ${k} = ${v}: nutctl's ups: has no global settings`)

  const mon = dir.upsmon
  const roles: Array<Record<string, unknown>> = []
  const executors: NonNullable<ImportedConfig["executors"]> = {}
  if (mon !== undefined && mon.monitors.length > 0) {
    const primary = mon.monitors.some((m) => m.role === "primary")
    const shutdown: string[] = []
    if (mon.shutdownCmd !== undefined) {
      executors["command"] = { command: mon.shutdownCmd }
      shutdown.push("command")
    } else c.note("upsmon.conf has no SHUTDOWNCMD: this host's role shuts nothing down (add an executor to roles[0].shutdown)")
    roles.push({ name: primary ? "primary" : "secondary", hosts: options.hostname, role: primary ? "primary" : "secondary", monitor: mon.monitors.map((m) => monitorEntry(m, config, c)), shutdown })
    if (mon.monitors.some((m) => m.role !== (primary ? "primary" : "secondary"))) {
      c.lost("upsmon.conf mixes primary and secondary MONITOR lines: nutctl gives a host one role; the imported role is primary for all of them")
    }
  } else if (serves) {
    roles.push({ name: "primary", hosts: options.hostname, role: "primary", monitor: [], shutdown: [] })
    c.note("no upsmon.conf: the primary serves the UPS but monitors nothing (add monitor: [ups@localhost] and an executor)")
  }
  const secondaries = secondaryRole(dir, options, c)
  if (secondaries !== undefined) {
    roles.push(secondaries.role)
    executors["node-shutdown"] = { type: "command", command: "/sbin/shutdown -h +0" }
  }
  config.roles = roles
  config.executors = executors
  config.shutdown = importShutdown(mon, input, c)
  return { source: dir.dir, config, secrets: c.secrets, notCarried: c.notCarried, notes: c.notes }
}

function importServer(dir: NutConfigDir, options: ImportOptions, c: ImportCollector): Record<string, unknown> {
  const s = dir.setup.server
  const server: Record<string, unknown> = { listen: s.listen.map(listenText) }
  if (options.allow !== undefined && options.allow.length > 0) server["allow"] = [...options.allow]
  else c.note("upsd.conf has no client list (NUT has none since 2.4): server.allow is not set, so every address that reaches LISTEN may connect; import with --allow 10.0.10.0/24 to limit it")
  if (s.maxAge !== DEFAULT_SERVER_SETTINGS.maxAge) server["maxage"] = s.maxAge
  if (s.maxConn !== DEFAULT_SERVER_SETTINGS.maxConn) server["maxconn"] = s.maxConn
  if (s.trackingDelay !== DEFAULT_SERVER_SETTINGS.trackingDelay) server["trackingdelay"] = s.trackingDelay
  if (dir.setup.allowNoDevice) server["allowNoDevice"] = true
  const upsd = dir.upsd
  if (upsd?.certFile !== undefined) server["tls"] = { certfile: upsd.certFile.startsWith("/") ? upsd.certFile : `${dir.dir}/${upsd.certFile}`, ...(upsd.disableWeakSsl ? { disableWeak: true } : {}) }
  if (upsd?.statePath !== undefined) c.lost(`upsd.conf STATEPATH ${upsd.statePath}: nutctl's drivers need no socket directory (serve --nut-config keeps it for real NUT drivers)`)
  if (upsd?.dataPath !== undefined) c.lost(`upsd.conf DATAPATH ${upsd.dataPath}: not used by nutctl`)
  if (upsd?.debugMin !== undefined) c.lost(`upsd.conf DEBUG_MIN ${upsd.debugMin}: use nutctl serve -v`)
  return server
}

/** A MONITOR line as a `monitor:` entry; its password only when `users:` does not hold it already. */
function monitorEntry(m: UpsmonConf["monitors"][number], config: ImportedConfig, c: ImportCollector): string | Record<string, unknown> {
  const known = config.users?.[m.user]
  const entry: Record<string, unknown> = { system: m.system, user: m.user }
  if (m.powerValue !== 1) entry["powervalue"] = m.powerValue
  const same = known !== undefined && c.secrets.some((s) => s.key === `users.${m.user}.password` && s.value === m.password)
  if (!same) entry["password"] = c.secret(`monitor-${m.user}`, m.password, `MONITOR ${m.system} password`)
  return entry
}

/** The hosts named with --secondaries, monitoring every UPS the primary serves, as the first upsmon secondary user. */
function secondaryRole(dir: NutConfigDir, options: ImportOptions, c: ImportCollector): { role: Record<string, unknown> } | undefined {
  const user = dir.setup.users.find((u) => u.actions.has("login") && !u.actions.has("primary") && !u.actions.has("master"))
  const hosts = options.secondaries ?? []
  if (hosts.length === 0) {
    if (user !== undefined) c.note(`upsd.users has the upsmon secondary ${user.name}: name the hosts that log in with it (--secondaries pve-compute-01,pve-compute-02,pve-compute-03) to give them a role`)
    return undefined
  }
  if (dir.upsd === undefined || dir.setup.ups.length === 0) {
    c.note("--secondaries: these files serve no UPS, so there is nothing for secondaries to monitor")
    return undefined
  }
  if (user === undefined) c.note("upsd.users has no upsmon secondary user: the secondaries cannot log in until one is added to users:")
  const listen = dir.setup.server.listen
  const network = listen.find((a) => !a.host.startsWith("127.") && a.host !== "::1")
  if (network === undefined) c.note("upsd.conf listens on loopback only: the secondaries cannot reach it until server.listen has a network address")
  const port = (network ?? listen[0])?.port
  const address = options.primaryAddress ?? options.hostname
  const where = port === undefined || port === 3493 ? address : `${address}:${port}`
  const monitor = dir.setup.ups.map((u) => (user === undefined ? `${u.name}@${where}` : { system: `${u.name}@${where}`, user: user.name }))
  return { role: { name: "secondaries", hosts: [...hosts], role: "secondary", monitor, shutdown: ["node-shutdown"] } }
}

function importShutdown(mon: UpsmonConf | undefined, input: NutImportInput, c: ImportCollector): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (mon !== undefined) {
    if (mon.hostSync !== UPSMON.hostSync) out["hostsync"] = mon.hostSync
    if (mon.finalDelay !== UPSMON.finalDelay) out["finaldelay"] = mon.finalDelay
    if (mon.minSupplies !== UPSMON.minSupplies) out["minsupplies"] = mon.minSupplies
    if (mon.pollFreq !== UPSMON.pollFreq) out["pollfreq"] = mon.pollFreq
    if (mon.pollFreqAlert !== UPSMON.pollFreqAlert) out["pollfreqalert"] = mon.pollFreqAlert
    if (mon.deadTime !== UPSMON.deadTime) out["deadtime"] = mon.deadTime
    if (mon.powerDownFlag !== undefined) out["powerdownflag"] = mon.powerDownFlag
    if (mon.notifyCmd !== undefined && !isUpssched(mon.notifyCmd)) out["notifycmd"] = mon.notifyCmd
    if (mon.rbWarnTime !== UPSMON.rbWarnTime) c.lost(`upsmon.conf RBWARNTIME ${mon.rbWarnTime}: nutctl's config has no place for it (the monitor uses 43200 s)`)
    if (mon.noCommWarnTime !== UPSMON.noCommWarnTime) c.lost(`upsmon.conf NOCOMMWARNTIME ${mon.noCommWarnTime}: nutctl's config has no place for it (the monitor uses 300 s)`)
    const flags = Object.entries(mon.notifyFlags).map(([t, f]) => `${t} ${(f ?? []).join("+")}`)
    if (flags.length > 0) {
      c.lost(`upsmon.conf NOTIFYFLAG (${flags.join(", ")}): nutctl's config has no place for them; the monitor uses NUT's defaults (SYSLOG+WALL${mon.notifyCmd !== undefined ? ", so NOTIFYCMD only runs for what the defaults EXEC" : ""})`)
    }
    const msgs = Object.keys(mon.notifyMessages)
    if (msgs.length > 0) c.lost(`upsmon.conf NOTIFYMSG for ${msgs.join(", ")}: nutctl's config has no place for them`)
    if (mon.runAsUser !== undefined) c.lost(`upsmon.conf RUN_AS_USER ${mon.runAsUser}: nutctl runs as its service's user`)
    if (mon.certPath !== undefined || mon.certIdent !== undefined || mon.certHosts.length > 0 || mon.certVerify || mon.forceSsl) {
      c.lost("upsmon.conf CERTPATH/CERTIDENT/CERTHOST/CERTVERIFY/FORCESSL: the monitor uses STARTTLS when the server offers it, with no certificate checks configurable in the cluster config yet")
    }
    for (const [k, v] of Object.entries(mon.newer)) c.lost(`upsmon.conf ${k} ${v}: a newer upsmon setting nutctl's config has no place for`)
    if (mon.notifyCmd !== undefined && isUpssched(mon.notifyCmd)) reportUpssched(input.upssched, c)
  }
  const wait = input.nutConf?.["POWEROFF_WAIT"]
  if (wait !== undefined && wait !== "") {
    if (/^\d+[smh]?$/.test(wait)) out["poweroffwait"] = /^\d+$/.test(wait) ? Number(wait) : wait
    else c.lost(`nut.conf POWEROFF_WAIT=${wait}: not a duration nutctl reads (write 15m or seconds)`)
  }
  return out
}

function isUpssched(cmd: string): boolean {
  return /(^|\/)upssched(\s|$)/.test(cmd.trim())
}

function reportUpssched(conf: UpsschedConf | undefined, c: ImportCollector): void {
  if (conf === undefined) {
    c.lost("upsmon.conf NOTIFYCMD is upssched but upssched.conf was not found: its timers are not carried over")
    return
  }
  const timers = conf.rules.filter((r) => r.action.kind === "start-timer")
  const lines = conf.rules.map((r) => `AT ${r.notifyType} ${r.upsName} ${r.action.kind.toUpperCase()} ${"name" in r.action ? r.action.name : r.action.command}${r.action.kind === "start-timer" ? ` ${r.action.seconds}` : ""}`)
  c.lost(`upssched.conf (CMDSCRIPT ${conf.cmdScript ?? "none"}): ${conf.rules.length} rules are not carried over, the cluster config has no upssched: ${lines.join("; ")}`)
  const onbatt = timers.find((r) => r.notifyType.toUpperCase() === "ONBATT")
  if (onbatt !== undefined && onbatt.action.kind === "start-timer") {
    c.note(`if timer ${onbatt.action.name} (${onbatt.action.seconds} s after ONBATT) shuts the host down, say so with shutdown.when.onBatteryFor: ${onbatt.action.seconds}s`)
  }
}

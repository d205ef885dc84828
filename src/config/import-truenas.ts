/**
 * TrueNAS's UPS service settings (`midclt call ups.config`, research/executors-reference.md
 * §5.4) → one cluster config. MASTER becomes the NAS's primary role, SLAVE a secondary one;
 * `extrausers` holds the secondaries' accounts; `shutdown: BATT` (upssched's SHUTDOWN timer) and
 * `LOWBATT` become `shutdown.when`; `powerdown` becomes POWERDOWNFLAG. The files TrueNAS renders
 * from these settings are not needed: the settings are the source.
 */
import { ConfigError } from "./errors.ts"
import { ImportCollector, importUps, importUser, type ImportOptions, type ImportResult, type ImportedConfig } from "./import-result.ts"
import { parseUpsConf } from "./ups-conf.ts"
import { parseUpsdConf } from "./upsd-conf.ts"
import { parseUpsdUsers } from "./upsd-users.ts"
import { createUserRecord } from "./user-record.ts"

/** The fields of `ups.config` the importer reads (25.10's model; the same since 22.x). */
export interface TrueNasUpsConfig {
  readonly mode: string
  readonly identifier: string
  readonly remotehost?: string | null
  readonly remoteport?: number
  readonly driver?: string | null
  readonly port?: string | null
  readonly options?: string | null
  readonly optionsupsd?: string | null
  readonly description?: string | null
  readonly shutdown?: string
  readonly shutdowntimer?: number
  readonly shutdowncmd?: string | null
  readonly monuser?: string
  readonly monpwd?: string
  readonly extrausers?: string | null
  readonly rmonitor?: boolean
  readonly powerdown?: boolean
  readonly hostsync?: number
  readonly nocommwarntime?: number | null
}

/**
 * Read `ups.config` JSON text.
 * @throws ConfigError (CONFIG_SYNTAX / CONFIG_INVALID) when it is not TrueNAS's UPS settings
 */
export function parseTrueNasUpsConfig(text: string, file: string): TrueNasUpsConfig {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw new ConfigError([{ code: "CONFIG_SYNTAX", file, expected: "JSON", message: `${file}: expects the JSON of midclt call ups.config (${(e as Error).message})` }])
  }
  const o = data as Partial<TrueNasUpsConfig>
  if (typeof o !== "object" || o === null || typeof o.mode !== "string" || typeof o.identifier !== "string") {
    throw new ConfigError([{ code: "CONFIG_INVALID", file, expected: "ups.config with mode and identifier", message: `${file}: expects the JSON of midclt call ups.config (with mode and identifier)` }])
  }
  return o as TrueNasUpsConfig
}

/** TrueNAS's `shutdowncmd: null` means this (research §5.4). */
const TRUENAS_SHUTDOWNCMD = "/sbin/shutdown -P now"

/** Import TrueNAS's UPS settings. */
export function importTrueNasConfig(t: TrueNasUpsConfig, options: ImportOptions): ImportResult {
  const c = new ImportCollector(options.secretsDir)
  const config: ImportedConfig = {}
  const port = t.remoteport ?? 3493
  const ups = t.identifier
  const monuser = t.monuser ?? "upsmon"
  const monpwd = t.monpwd ?? "fixmepass"
  if (monpwd === "fixmepass") c.note("monpwd is TrueNAS's default fixmepass: change it (in the secret file and on every secondary)")
  const shutdowncmd = t.shutdowncmd ?? TRUENAS_SHUTDOWNCMD
  const executors: NonNullable<ImportedConfig["executors"]> = { command: { command: shutdowncmd } }
  if (t.shutdowncmd === null || t.shutdowncmd === undefined) {
    c.note(`shutdowncmd was empty, so TrueNAS ran ${TRUENAS_SHUTDOWNCMD}; the command executor runs the same (the truenas executor, through the middleware, is the gentler way once available)`)
  }
  const roles: Array<Record<string, unknown>> = []

  if (t.mode.toUpperCase() === "MASTER") {
    const driverWords = trueNasDriver(t.driver ?? "")
    const text = [`[${ups}]`, `driver = ${driverWords.driver}`, `port = ${t.port ?? "auto"}`, ...(t.description ? [`desc = ${JSON.stringify(t.description)}`] : []), ...driverWords.extra, t.options ?? ""].join("\n")
    try {
      const parsed = parseUpsConf(text, { file: "ups.config options" })
      const entry = parsed.ups[0] && importUps(parsed.ups[0], c)
      config.ups = entry ? { [ups]: entry } : {}
      for (const w of parsed.warnings) c.lost(`ups.config options: ${w.message}`)
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      c.lost(`ups.config options could not be read as ups.conf lines: ${e.issues.map((i) => i.message).join("; ")}`)
    }
    const listen = t.rmonitor === true ? [`0.0.0.0:${port}`, `[::]:${port}`] : [`127.0.0.1:${port}`, `[::1]:${port}`]
    const server: Record<string, unknown> = { listen }
    if (options.allow !== undefined && options.allow.length > 0) server["allow"] = [...options.allow]
    else if (t.rmonitor === true) c.note("rmonitor was on: upsd listened on every address with no client list; import with --allow 10.0.10.0/24 to limit it")
    if (t.optionsupsd) importUpsdOptions(t.optionsupsd, server, c)
    config.server = server
    const users: NonNullable<ImportedConfig["users"]> = {}
    users[monuser] = importUser(createUserRecord({ name: monuser, password: monpwd, upsmon: "primary" }), c)
    const secondaryUsers: string[] = []
    if (t.extrausers) {
      try {
        const extra = parseUpsdUsers(t.extrausers, "ups.config extrausers")
        for (const u of extra.users) {
          users[u.name] = importUser(u, c)
          if (u.actions.has("login") && !u.actions.has("primary")) secondaryUsers.push(u.name)
        }
        for (const w of extra.warnings) c.lost(`extrausers: ${w.message}`)
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e
        c.lost(`extrausers could not be read as upsd.users: ${e.issues.map((i) => i.message).join("; ")}`)
      }
    }
    config.users = users
    roles.push({ name: "nas", hosts: options.hostname, role: "primary", monitor: [{ system: `${ups}@localhost:${port}`, user: monuser }], shutdown: ["command"] })
    const hosts = options.secondaries ?? []
    if (hosts.length > 0) {
      const user = secondaryUsers[0]
      if (user === undefined) c.note("extrausers has no upsmon secondary (slave) account: the secondaries cannot log in until one is added to users:")
      if (t.rmonitor !== true) c.note("rmonitor was off: upsd listened on loopback only; the imported server.listen is loopback too, so the secondaries cannot reach it until you change it")
      const address = options.primaryAddress ?? options.hostname
      const system = `${ups}@${address}${port === 3493 ? "" : `:${port}`}`
      roles.push({ name: "nodes", hosts: [...hosts], role: "secondary", monitor: [user === undefined ? system : { system, user }], shutdown: ["node-shutdown"] })
      executors["node-shutdown"] = { type: "command", command: "/sbin/shutdown -h +0" }
      c.note("roles[nodes] shut down with shutdown -h +0; on Proxmox nodes the proxmox executor stops the guests first")
    } else if (secondaryUsers.length > 0) {
      c.note(`extrausers has the upsmon secondary ${secondaryUsers.join(", ")}: name the hosts that log in with it (--secondaries pve-compute-01,pve-compute-02,pve-compute-03) to give them a role`)
    }
  } else {
    const host = t.remotehost ?? ""
    if (host === "") c.note("SLAVE mode without remotehost: the secondary role monitors nothing")
    const monitor = host === "" ? [] : [{ system: `${ups}@${host}${port === 3493 ? "" : `:${port}`}`, user: monuser, password: c.secret(monuser, monpwd, `MONITOR ${ups}@${host} password`) }]
    roles.push({ name: "nas", hosts: options.hostname, role: "secondary", monitor, shutdown: ["command"] })
  }
  config.roles = roles
  config.executors = executors
  config.shutdown = importTrueNasShutdown(t, options, c)
  return { source: "TrueNAS ups.config", config, secrets: c.secrets, notCarried: c.notCarried, notes: c.notes }
}

/** `usbhid-ups$Back-UPS (USB)` → usbhid-ups; `genericups upstype=16` → genericups + upstype = 16. */
export function trueNasDriver(choice: string): { driver: string; extra: string[] } {
  const key = (choice.split("$")[0] ?? "").trim()
  const [driver = "", ...rest] = key.split(/\s+/)
  const extra = rest.map((w) => w.replace("=", " = "))
  return { driver, extra }
}

function importUpsdOptions(text: string, server: Record<string, unknown>, c: ImportCollector): void {
  try {
    const u = parseUpsdConf(text, "ups.config optionsupsd")
    if (/^\s*MAXAGE\b/m.test(text)) server["maxage"] = u.server.maxAge
    if (/^\s*MAXCONN\b/m.test(text)) server["maxconn"] = u.server.maxConn
    if (/^\s*TRACKINGDELAY\b/m.test(text)) server["trackingdelay"] = u.server.trackingDelay
    const others = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#") && !/^(MAXAGE|MAXCONN|TRACKINGDELAY)\b/.test(l))
    for (const l of others) c.lost(`ups.config optionsupsd: ${l}`)
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    c.lost(`ups.config optionsupsd could not be read as upsd.conf lines: ${e.issues.map((i) => i.message).join("; ")}`)
  }
}

function importTrueNasShutdown(t: TrueNasUpsConfig, options: ImportOptions, c: ImportCollector): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if ((t.shutdown ?? "BATT").toUpperCase() === "LOWBATT") out["when"] = { lowbattery: true, onBatteryFor: null }
  else {
    const seconds = t.shutdowntimer ?? 30
    out["when"] = { lowbattery: true, onBatteryFor: `${seconds}s` }
    c.note(`shutdown BATT: TrueNAS shut down ${seconds} s after the UPS went on battery (upssched's SHUTDOWN timer, unless the UPS was back on line); carried as shutdown.when.onBatteryFor: ${seconds}s — the monitor of this build decides on LB and FSD as upsmon does, check that your nutctl acts on onBatteryFor before you rely on it`)
  }
  const hostsync = t.hostsync ?? 15
  if (hostsync !== 15) out["hostsync"] = `${hostsync}s`
  if ((options.secondaries ?? []).length > 0 && hostsync < 120) {
    c.note(`HOSTSYNC ${hostsync} s: the NAS waits only this long after FSD for the secondaries to log out before it powers off, done or not; with VM disks on the NAS measure the Proxmox plan (nutctl drill) and raise shutdown.hostsync`)
  }
  if (t.powerdown === true) {
    out["powerdownflag"] = "/etc/killpower"
    c.note("powerdown: carried as POWERDOWNFLAG /etc/killpower for nutctl killpower; on the NAS itself (no system-shutdown hook) the truenas executor's killPower cuts the UPS's power instead")
  }
  if (t.nocommwarntime !== null && t.nocommwarntime !== undefined) c.lost(`nocommwarntime ${t.nocommwarntime}: nutctl's config has no place for it (the monitor uses 300 s)`)
  c.lost("TrueNAS's alerts (upssched's NOTIFY-* events through midclt ups.upssched_event): nutctl logs the events and serves them on /events instead")
  return out
}

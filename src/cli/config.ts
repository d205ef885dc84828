import { hostname } from "node:os"
import { defineCommand } from "citty"
import {
  ConfigError,
  buildServeSetup,
  loadNutConfigDir,
  loadNutctlConfig,
  monitorLogin,
  nodeConfigFs,
  resolveRole,
  resolveSecret,
  resolveSecrets,
  type ConfigFs,
  type ConfigWarning,
  type LoadedConfig,
  type NutConfigDir,
  type SecretSources,
  type UpsDefinition,
} from "../config/index.ts"
import type { ListenAddress, UserRecord } from "../server/index.ts"
import { printRolePlan } from "./_role-plan.ts"
import { DEFAULT_CLUSTER_CONFIG } from "./_paths.ts"

/** Where the cluster config is looked for when neither --config nor $NUTCTL_CONFIG names one. */

export interface ConfigCheckOptions {
  /** --config FILE */
  readonly config?: string | undefined
  /** --nut-config DIR */
  readonly nutConfig?: string | undefined
  /** --hostname H: the host whose role is shown. @default this machine */
  readonly hostname?: string | undefined
}

/** What `config check` touches, injected so tests run without /etc or a real environment. */
export interface ConfigCheckIo {
  readonly fs: ConfigFs
  env(name: string): string | undefined
  /** This machine's hostname. */
  readonly localHostname: string
  out(line: string): void
  err(line: string): void
}

/**
 * `nutctl config check`: validate nutctl's config and/or a NUT config directory, print warnings,
 * the role of a host and the role each `hosts` pattern gives.
 * @returns 0 when everything is valid, 1 otherwise
 */
export async function runConfigCheck(options: ConfigCheckOptions, io: ConfigCheckIo): Promise<0 | 1> {
  let failed = false
  const fail = (e: unknown): void => {
    if (!(e instanceof ConfigError)) throw e
    // the warnings often explain the error (every ups.conf section skipped → "no UPS")
    warn(e.warnings)
    for (const issue of e.issues) io.err(`error: ${issue.message}`)
    failed = true
  }
  const warn = (warnings: readonly ConfigWarning[]): void => {
    for (const w of warnings) io.err(`warning: ${w.message}`)
  }

  const envConfig = io.env("NUTCTL_CONFIG")
  const configPath = options.config ?? (envConfig || undefined) ?? (options.nutConfig === undefined ? DEFAULT_CLUSTER_CONFIG : undefined)
  const host = options.hostname ?? io.localHostname

  if (configPath !== undefined) {
    try {
      const loaded = await loadNutctlConfig(configPath, { fs: io.fs })
      warn(loaded.warnings)
      io.out(`${configPath} (${loaded.format}): valid`)
      printCluster(loaded, io)
      const local = sameHost(host, io.localHostname)
      if (!(await printHostRole(loaded, host, local, io))) failed = true
    } catch (e) {
      fail(e)
    }
  }

  if (options.nutConfig !== undefined) {
    try {
      const dir = await loadNutConfigDir(options.nutConfig, { fs: io.fs, checkDriverFiles: true })
      warn(dir.warnings)
      printNutDir(dir, io)
    } catch (e) {
      fail(e)
    }
  }
  return failed ? 1 : 0
}

// ----- printing -----

function printCluster(loaded: LoadedConfig, io: ConfigCheckIo): void {
  const { config } = loaded
  const ups = Object.keys(config.ups)
  if (ups.length > 0) io.out(`  ups: ${upsList(Object.entries(config.ups).map(([name, u]) => ({ name, ...u, baseDir: "" })))}`)
  const users = Object.entries(config.users).map(([name, u]) => userLine(name, u.upsmon, u.actions, u.instcmds))
  if (users.length > 0) io.out(`  users: ${users.join(", ")}`)
  if (config.server.listen) io.out(`  server: listen ${listenList(config.server.listen)}`)
  if (config.roles.length === 0) {
    io.out("  roles: none (every host runs the server part)")
    return
  }
  io.out("  roles (first match wins):")
  const width = Math.max(...config.roles.map((r, i) => (r.name ?? `#${i}`).length))
  for (const [i, r] of config.roles.entries()) {
    io.out(`    ${(r.name ?? `#${i}`).padEnd(width)}  ${r.role.padEnd(9)}  ${r.hosts.join(", ")}`)
  }
}

/** Print the role `host` gets; on this machine also resolve the secrets that role needs. */
async function printHostRole(loaded: LoadedConfig, host: string, local: boolean, io: ConfigCheckIo): Promise<boolean> {
  const { config } = loaded
  const match = config.roles.length > 0 ? resolveRole(config, host) : undefined
  let planOk = true
  if (config.roles.length > 0 && match === undefined) {
    io.out(`host ${host}: no role matches; only read-only commands (status, get, list) will run there`)
    return true
  }
  if (match) {
    const r = match.entry
    io.out(`host ${host}: role ${r.name ?? `#${match.index}`} (${r.role}, matched ${JSON.stringify(match.pattern)})`)
    for (const m of r.monitor) {
      const login = monitorLogin(config, r, m)
      io.out(`  monitor ${m.system} (power ${m.powerValue}) as ${login?.user ?? "(no matching user: add user: or a users: entry with upsmon: " + r.role + ")"}`)
    }
    if (r.shutdown.length > 0) io.out(`  shutdown: ${r.shutdown.join(" → ")}`)
    // issue 5: the resolved plan, steps in their dry-run description form
    if (r.shutdown.length > 0) planOk = await printRolePlan({ loaded, role: match, host, local, sources: { env: (n) => io.env(n), fs: io.fs } }, io)
  } else {
    io.out(`host ${host}: no roles: section, runs the server part`)
  }
  if (!local) {
    io.out(`  secrets: not checked (${host} is not this machine)`)
    return planOk
  }
  const sources: SecretSources = { env: (n) => io.env(n), fs: io.fs, warn: (w) => io.err(`warning: ${w.message}`) }
  const problems: string[] = []
  const attempt = async (p: Promise<unknown>): Promise<void> => {
    try {
      await p
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      problems.push(...e.issues.map((i) => i.message))
    }
  }
  if (match === undefined || match.entry.role === "primary") {
    await attempt(
      buildServeSetup(loaded, sources).then((setup) => {
        // the loader's own warnings were printed already; the rest are about secret files
        for (const w of setup.warnings.slice(loaded.warnings.length)) io.err(`warning: ${w.message}`)
        io.out(`  server: ${setup.ups.length} UPS, ${setup.users.length} users, listen ${listenList(setup.server.listen)}${setup.server.tls ? ", STARTTLS" : ""}`)
      }),
    )
  }
  if (match) {
    for (const [j, m] of match.entry.monitor.entries()) {
      const login = monitorLogin(config, match.entry, m)
      if (login?.password !== undefined) await attempt(resolveSecret(login.password, sources, { file: loaded.file, key: `roles[${match.index}].monitor[${j}] password` }))
    }
    for (const ex of match.entry.shutdown) {
      if (config.executors[ex]) await attempt(resolveSecrets(config.executors[ex], sources, { file: loaded.file, key: `executors.${ex}` }))
    }
  }
  for (const p of problems) io.err(`error: ${p}`)
  io.out(`  secrets: ${problems.length === 0 ? "resolved" : `${problems.length} missing`}`)
  return problems.length === 0 && planOk
}

function printNutDir(dir: NutConfigDir, io: ConfigCheckIo): void {
  io.out(`${dir.dir} (NUT config${dir.mode ? `, MODE=${dir.mode}` : ""}): valid`)
  const { setup } = dir
  if (dir.upsd !== undefined) {
    io.out(`  ups: ${setup.ups.length > 0 ? upsList(setup.ups) : "none"}`)
    io.out(`  upsd: listen ${listenList(setup.server.listen)}, MAXAGE ${setup.server.maxAge}${setup.server.tls ? ", STARTTLS" : ""}`)
    io.out(`  users: ${setup.users.length > 0 ? setup.users.map(userRecordLine).join(", ") : "none"}`)
  }
  const mon = dir.upsmon
  if (mon) {
    for (const m of mon.monitors) io.out(`  upsmon: MONITOR ${m.system} as ${m.user} (${m.role}, power ${m.powerValue})`)
    io.out(`  upsmon: MINSUPPLIES ${mon.minSupplies}, SHUTDOWNCMD ${mon.shutdownCmd === undefined ? "none" : JSON.stringify(mon.shutdownCmd)}`)
  }
}

function upsList(ups: readonly UpsDefinition[]): string {
  return ups.map((u) => `${u.name} (${u.driver}, port ${u.port})`).join(", ")
}

function listenList(listen: readonly ListenAddress[]): string {
  return listen.map((a) => (a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`)).join(", ")
}

function userLine(name: string, upsmon: string | undefined, actions: readonly string[], instcmds: readonly string[]): string {
  const rights = [...(upsmon ? [`upsmon ${upsmon}`] : []), ...actions.map((a) => a.toLowerCase()), ...(instcmds.length > 0 ? [`instcmds ${instcmds.join(" ")}`] : [])]
  return rights.length > 0 ? `${name} (${rights.join(", ")})` : name
}

function userRecordLine(u: UserRecord): string {
  const upsmon = u.actions.has("primary") ? "primary" : u.actions.has("login") ? "secondary" : undefined
  const actions = [...u.actions].filter((a) => !["login", "master", "primary"].includes(a) && !(upsmon === "primary" && a === "fsd"))
  return userLine(u.name, upsmon, actions, [...u.instcmds])
}

/** Hostnames are case-insensitive; `pve1.lan` and `pve1` are one host. */
function sameHost(a: string, b: string): boolean {
  const short = (h: string): string => h.toLowerCase().split(".")[0] ?? ""
  return a.toLowerCase() === b.toLowerCase() || short(a) === short(b)
}

// ----- citty -----

const check = defineCommand({
  meta: { name: "check", description: "Validate nutctl's config (and/or a NUT config directory) and show the role of a host" },
  args: {
    config: { type: "string", description: `nutctl config file (default: $NUTCTL_CONFIG or ${DEFAULT_CLUSTER_CONFIG})`, valueHint: "FILE" },
    "nut-config": { type: "string", description: "Also check NUT's own files (ups.conf, upsd.conf, upsd.users, upsmon.conf) in DIR", valueHint: "DIR" },
    hostname: { type: "string", description: "Show the role of this host (default: this machine)", valueHint: "H" },
  },
  async run({ args }) {
    process.exitCode = await runConfigCheck(
      { config: args.config, nutConfig: args["nut-config"], hostname: args.hostname },
      {
        fs: nodeConfigFs,
        env: (name) => process.env[name],
        localHostname: hostname(),
        out: (line) => console.log(line),
        err: (line) => console.error(line),
      },
    )
  },
})

export default defineCommand({
  meta: { name: "config", description: "Work with nutctl's configuration" },
  subCommands: { check, import: () => import("./_install-import.ts").then((m) => m.default) },
})

/**
 * What the cluster config tells `nutctl check` (and `nutctl hook`): which UPSes this host watches
 * (its role's `monitor:`), how many upsmon logins each UPS should have (the hosts of every role
 * that monitors it, when they are written out), and the runtime the shutdown needs.
 */
import { DEFAULT_NUT_PORT } from "../client/index.ts"
import { ConfigError, loadNutctlConfig, resolveRole, type ConfigFs, type LoadedConfig, type NutctlConfig, type RoleEntry, type RoleMatch } from "../config/index.ts"
import type { UpsTarget } from "./_target.ts"

/** What check takes from the config. */
export interface ConfigTargets {
  readonly targets: readonly UpsTarget[]
  /** Where they came from, for messages. */
  readonly source: string
  /** `monitor` entries with powervalue 0 only watch; hook skips them. */
  readonly powered: ReadonlySet<string>
  /** This host's role (absent when the config has no roles: every host serves then). */
  readonly role?: RoleMatch<RoleEntry>
}

/**
 * This host's UPSes: its role's `monitor:` list; with no `roles:` at all, every `ups:` on
 * localhost (every host runs the server part then); undefined when the host is in no role.
 */
export function configTargets(loaded: LoadedConfig, hostname: string): ConfigTargets | undefined {
  const { config } = loaded
  if (config.roles.length === 0) {
    const targets = Object.keys(config.ups).map((ups) => ({ ups, host: "localhost", port: DEFAULT_NUT_PORT }))
    return targets.length === 0 ? undefined : { targets, source: `${loaded.file} ups:`, powered: new Set(targets.map((t) => `${t.ups}@${t.host}:${t.port}`)) }
  }
  const match = resolveRole(config, hostname)
  if (match === undefined || match.entry.monitor.length === 0) return undefined
  const targets = match.entry.monitor.map((m) => ({ ups: m.ups, host: m.host, port: m.port }))
  const powered = new Set(match.entry.monitor.filter((m) => m.powerValue > 0).map((m) => `${m.ups}@${m.host}:${m.port}`))
  return { targets, source: `${loaded.file} roles[${match.index}] (${match.entry.name ?? match.entry.role})`, powered, role: match }
}

/**
 * upsmon logins a UPS should have: one per host of every role that monitors it (the primary's
 * own included, as NUMLOGINS counts it). Only countable when the roles name their hosts: literal
 * names and `[…]` classes (`pve-compute-0[1-3]` = 3); a `*`, `?` or /regex/ makes it unknown.
 */
export function expectedLogins(config: NutctlConfig, ups: string): number | undefined {
  let total = 0
  let any = false
  for (const role of config.roles) {
    if (!role.monitor.some((m) => m.ups.toLowerCase() === ups.toLowerCase())) continue
    any = true
    for (const pattern of role.hosts) {
      const n = countHostPattern(pattern)
      if (n === undefined) return undefined
      total += n
    }
  }
  return any ? total : undefined
}

/** Hosts a pattern stands for: 1 for a name, the product of its `[…]` class sizes; undefined for wildcards. */
export function countHostPattern(pattern: string): number | undefined {
  if (pattern.startsWith("/") || /[*?]/.test(pattern)) return undefined
  let count = 1
  for (const m of pattern.matchAll(/\[([^\]]*)\]/g)) {
    const body = m[1] as string
    if (body.startsWith("!") || body.startsWith("^") || body === "") return undefined
    let n = 0
    for (let i = 0; i < body.length; i++) {
      if (body[i + 1] === "-" && i + 2 < body.length) {
        n += Math.abs((body.charCodeAt(i + 2) as number) - (body.charCodeAt(i) as number)) + 1
        i += 2
      } else n++
    }
    count *= n
  }
  return count
}

/**
 * The runtime the shutdown needs, when the config states it: `shutdown.when.runtimeBelow` as a
 * duration. `auto` (the plan's measured need) is the shutdown runner's budget (issue 5), which
 * needs the executors' plans: check does not build those every minute, it reads what the running
 * monitor saved (_check-need.ts).
 */
export function configNeed(loaded: LoadedConfig): { seconds: number; source: string } | undefined {
  const r = loaded.config.shutdown.when?.runtimeBelow
  return typeof r === "number" && r > 0 ? { seconds: r, source: "shutdown.when.runtimeBelow" } : undefined
}

/** What check and hook take from a cluster config file, loaded only when there is one. */
export interface ClusterView {
  readonly loaded: LoadedConfig
  readonly targets: ConfigTargets | undefined
  readonly need: { seconds: number; source: string } | undefined
  /** `shutdown.when.runtimeBelow: auto`: the need is the monitor's latest budget. */
  readonly autoNeed: boolean
  expectedLogins(ups: string): number | undefined
}

/**
 * Load the cluster config for check/hook. A named file (--config, $NUTCTL_CONFIG) must load;
 * the default path may be missing (undefined then).
 * @throws Error with the config's messages
 */
export async function loadClusterView(file: string, named: boolean, hostname: string, fs: ConfigFs): Promise<ClusterView | undefined> {
  let loaded: LoadedConfig
  try {
    loaded = await loadNutctlConfig(file, { fs })
  } catch (e) {
    if (e instanceof ConfigError) {
      if (!named && e.issues.every((i) => i.code === "CONFIG_NOT_FOUND")) return undefined
      throw new Error(e.issues.map((i) => i.message).join("; "))
    }
    throw e
  }
  return {
    loaded,
    targets: configTargets(loaded, hostname),
    need: configNeed(loaded),
    autoNeed: loaded.config.shutdown.when?.runtimeBelow === "auto",
    expectedLogins: (ups) => expectedLogins(loaded.config, ups),
  }
}

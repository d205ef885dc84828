/**
 * The executor plugins this binary carries (plugins/<name>/index.ts, loaded lazily by name), and a
 * role's `shutdown:` list → configured executors: `executors.<key>` names the plugin by its key,
 * its `type`, or a user's own `module`. Never throws: each executor that cannot be loaded,
 * configured or given its secrets is reported, so `config check` and `drill` show all problems.
 */
import { ConfigError, resolveSecrets, type LoadedConfig, type RoleEntry, type RoleMatch, type SecretSources } from "../config/index.ts"
import { configureExecutor, loadExecutor, type ConfiguredExecutor, type Executor, type ExecutorCatalog } from "../shutdown/index.ts"

/** Built-in executor plugins by name. */
export const BUILTIN_EXECUTORS: ExecutorCatalog = {
  command: () => import("../../plugins/command/index.ts").then((m) => m.default as Executor<never>),
  proxmox: () => import("../../plugins/proxmox/index.ts").then((m) => m.default as Executor<never>),
  truenas: () => import("../../plugins/truenas/index.ts").then((m) => m.default as Executor<never>),
}

/** One `shutdown:` entry of a role, loaded or not. */
export interface RoleExecutor {
  /** Its key under `executors:`. */
  readonly name: string
  readonly configured?: ConfiguredExecutor
  /** Why it is not usable here (unknown plugin, bad settings, a secret this machine lacks). */
  readonly problem?: string
  /** The problem is only a secret that cannot be read on this machine (another host has it). */
  readonly missingSecret?: boolean
}

export interface RoleExecutorsOptions {
  readonly loaded: LoadedConfig
  readonly role: RoleMatch<RoleEntry>
  readonly sources: SecretSources
  /** @default BUILTIN_EXECUTORS */
  readonly catalog?: ExecutorCatalog
}

/** Load and configure the executors of a role, in order. */
export async function roleExecutors(options: RoleExecutorsOptions): Promise<RoleExecutor[]> {
  const { loaded, role } = options
  const { config, file } = loaded
  const out: RoleExecutor[] = []
  for (const [i, name] of role.entry.shutdown.entries()) {
    const entry = config.executors[name]
    if (entry === undefined) {
      out.push({ name, problem: `${file}: roles[${role.index}].shutdown[${i}] names executor ${name}, which executors: does not define` })
      continue
    }
    const { type, module, ...settings } = entry as { type?: string; module?: unknown } & Record<string, unknown>
    let executor: Executor<unknown>
    try {
      executor = await loadExecutor({ name, type, module: typeof module === "string" ? module : undefined }, { builtins: options.catalog ?? BUILTIN_EXECUTORS })
    } catch (e) {
      out.push({ name, problem: `${file}: executors.${name}: ${(e as Error).message}` })
      continue
    }
    let resolved: unknown
    try {
      resolved = await resolveSecrets(settings, options.sources, { file, key: `executors.${name}` })
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      out.push({ name, problem: e.issues.map((x) => x.message).join("; "), missingSecret: true })
      continue
    }
    try {
      out.push({ name, configured: { executor, config: await configureExecutor(executor, resolved, `${file} executors.${name}`), name } })
    } catch (e) {
      out.push({ name, problem: (e as Error).message })
    }
  }
  return out
}

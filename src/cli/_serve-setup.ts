import { ConfigError, buildServeSetup, loadNutConfigDir, loadNutctlConfig, nodeConfigFs, type ConfigFs, type ServeSetup } from "../config/index.ts"
import type { ListenAddress } from "../server/index.ts"
import { clusterRole, type ClusterRole } from "./_cluster-monitor.ts"
import { demoSetup } from "./_upsd.ts"
import { DEFAULT_CLUSTER_CONFIG } from "./_paths.ts"
import { BUILTIN_SCENARIOS, parseScenario } from "../hid/index.ts"

export interface ServeSource {
  readonly demo: boolean
  /** With demo: a simulator scenario name. */
  readonly scenario?: string | undefined
  readonly nutConfig?: string | undefined
  readonly config?: string | undefined
  readonly hostname?: string | undefined
  readonly listen?: readonly ListenAddress[] | undefined
}

export interface ServeSetupResult {
  /** What to serve; undefined when nothing runs (see exitCode). */
  readonly setup: ServeSetup | undefined
  readonly exitCode: 0 | 1 | 2
  readonly warnings: readonly string[]
  readonly errors: readonly string[]
  readonly info: readonly string[]
  /** From the cluster config: this host's role, for the monitor (on a secondary, the only part that runs). */
  readonly cluster?: ClusterRole
}

/**
 * Decide what `serve` runs: the embedded demo, NUT's own files, or nutctl's cluster config, where
 * this host's role (by hostname) decides whether it runs the upsd part.
 */
export async function resolveServeSetup(src: ServeSource, io: { env(name: string): string | undefined; hostname: string; fs?: ConfigFs }): Promise<ServeSetupResult> {
  const warnings: string[] = []
  const info: string[] = []
  const withListen = (s: ServeSetup): ServeSetup => (src.listen ? { ...s, server: { ...s.server, listen: src.listen } } : s)
  const fail = (e: unknown, hint?: string): ServeSetupResult => {
    if (!(e instanceof ConfigError)) throw e
    // the warnings often explain the error (every ups.conf section skipped → "no UPS")
    warnings.push(...e.warnings.map((w) => w.message))
    return { setup: undefined, exitCode: 1, warnings, errors: e.issues.map((i) => i.message), info: hint && e.issues.some((i) => i.code === "CONFIG_NOT_FOUND") ? [hint] : [] }
  }
  const fs = io.fs ?? nodeConfigFs
  if (src.demo) {
    // a mistyped scenario is a start-up error, not a demo UPS whose driver never comes up
    const bad = src.scenario === undefined ? undefined : await scenarioProblem(src.scenario, fs)
    if (bad !== undefined) return { setup: undefined, exitCode: 1, warnings, errors: [bad], info }
    return { setup: demoSetup(src.listen, src.scenario), exitCode: 0, warnings, errors: [], info }
  }
  if (src.nutConfig !== undefined) {
    try {
      const dir = await loadNutConfigDir(src.nutConfig, { fs })
      // upsmon.conf's warnings are shown by the monitor, which reads that file itself
      warnings.push(...dir.warnings.filter((w) => !dir.upsmonWarnings.includes(w)).map((w) => w.message))
      return { setup: withListen(dir.setup), exitCode: 0, warnings, errors: [], info }
    } catch (e) {
      return fail(e)
    }
  }
  const file = src.config ?? (io.env("NUTCTL_CONFIG") || DEFAULT_CLUSTER_CONFIG)
  try {
    const loaded = await loadNutctlConfig(file, { fs })
    warnings.push(...loaded.warnings.map((w) => w.message))
    const host = src.hostname ?? io.hostname
    const cluster = clusterRole(loaded, host)
    const role = cluster.role
    // the upsd part runs on the primary, or everywhere when the file defines no roles
    if (loaded.config.roles.length > 0 && role?.entry.role !== "primary") {
      info.push(`${file}: host ${host} is ${role ? `a ${role.entry.role}` : "in no role"}: no UPS to serve here`)
      return { setup: undefined, exitCode: 0, warnings, errors: [], info, cluster }
    }
    const built = await buildServeSetup(loaded, { env: io.env, fs })
    for (const w of built.warnings) if (!loaded.warnings.includes(w)) warnings.push(w.message)
    return { setup: withListen(built), exitCode: 0, warnings, errors: [], info, cluster }
  } catch (e) {
    return fail(e, src.config === undefined ? "Or run from NUT's files: nutctl serve --nut-config /etc/nut (or try --demo)" : undefined)
  }
}

/** Why `--scenario NAME` cannot run: neither a built-in scenario nor a readable, valid scenario file. */
async function scenarioProblem(name: string, fs: ConfigFs): Promise<string | undefined> {
  if (Object.hasOwn(BUILTIN_SCENARIOS, name)) return undefined
  let text: string
  try {
    text = await fs.readText(name)
  } catch (e) {
    return `--scenario ${name}: no such built-in scenario (built in: ${Object.keys(BUILTIN_SCENARIOS).join(", ")}) and ${(e as { code?: unknown }).code === "ENOENT" ? "no file by that name" : `cannot read it as a file (${(e as Error).message})`}`
  }
  try {
    parseScenario(text, name)
    return undefined
  } catch (e) {
    return `--scenario ${name}: ${(e as Error).message}`
  }
}

/**
 * The two sources a monitor is built from, as reloadable specs (see _monitor-reload.ts):
 * NUT's upsmon.conf (+ upssched.conf) and this host's role in the cluster config.
 */
import { createHash } from "node:crypto"
import type { ConsolaInstance } from "consola"
import { isSecretRef, nodeConfigFs, type ConfigFs } from "../config/index.ts"
import { isUpsschedCommand } from "../monitor/index.ts"
import { createClusterMonitor, type ClusterMonitorOptions } from "./_cluster-monitor.ts"
import type { MonitorSpec } from "./_monitor-reload.ts"
import { createNutMonitor, letDriversConnect, readUpsmonConf, readUpssched, startMonitorBeside, type LocalServer, type NutMonitor, type NutMonitorOptions } from "./_monitor.ts"

interface StartOptions {
  readonly log: ConsolaInstance
  readonly dryRun: boolean
  readonly local?: LocalServer | undefined
}

/** What the local shortcut can reach: a UPS that appears in ups.conf moves its supply onto it (LISTEN needs a restart). */
function localKey(local: LocalServer | undefined): unknown {
  return local === undefined ? null : local.ups.map((u) => u.name)
}

function specOf(key: unknown, describe: string, build: () => Promise<NutMonitor | undefined>, options: StartOptions, nothing?: string): MonitorSpec {
  return {
    key: JSON.stringify(key),
    describe,
    ...(nothing === undefined ? {} : { nothing }),
    async build() {
      const monitor = await build()
      if (monitor === undefined) return undefined
      await letDriversConnect(options.local)
      return { start: () => startMonitorBeside(monitor, options) }
    },
  }
}

/**
 * DIR/upsmon.conf as a monitor spec, with the file's warnings; undefined when there is none and
 * `required` is false. upssched.conf is read too (and is part of the key) when NOTIFYCMD is upssched.
 * @throws ConfigError for a file that does not parse; Error when one cannot be read
 */
export async function readUpsmonSpec(
  dir: string,
  required: boolean,
  options: Omit<NutMonitorOptions, "dir" | "upsmon">,
): Promise<{ spec: MonitorSpec; warnings: readonly { message: string }[] } | undefined> {
  const read = await readUpsmonConf(dir, required)
  if (read === undefined) return undefined
  const { warnings: _w, ...conf } = read.conf
  // read (and checked) once here: it is part of the key, and the monitor is built from it
  const upssched = isUpsschedCommand(conf.notifyCmd) ? await readUpssched(dir) : undefined
  const key = { conf, upssched: upssched ?? null, local: localKey(options.local) }
  const describe = conf.monitors.map((m) => m.system).join(", ")
  const spec = specOf(key, describe, () => createNutMonitor({ ...options, dir, upsmon: read.conf, ...(upssched === undefined ? {} : { upssched }) }), options)
  return { spec, warnings: read.warnings }
}

/**
 * This host's role in the cluster config as a monitor spec (the `http` section is not the monitor's).
 * The key holds a digest of every `{ env }` / `{ file }` secret the config refers to, so a password
 * file rewritten in place (a rotated password) rebuilds the monitor on SIGHUP like an edit of the
 * config would.
 */
export async function clusterSpec(options: ClusterMonitorOptions): Promise<MonitorSpec> {
  const { loaded, role, host } = options.cluster
  const { http: _http, ...config } = loaded.config as { http?: unknown } & Record<string, unknown>
  // the monitor is built from the secret files as they were digested, each read once
  const fs = readingOnce(options.fs ?? nodeConfigFs)
  const secrets = await secretDigests(config, options.env, fs)
  const key = { host, role: role === undefined ? null : { index: role.index, entry: role.entry }, config, secrets, local: localKey(options.local) }
  const describe = role === undefined ? "nothing" : role.entry.monitor.map((m) => m.system).join(", ")
  const nothing =
    role === undefined ? `Host ${host} is in no role: nothing to monitor` : `The ${role.entry.role} role of host ${host} monitors nothing (roles[${role.index}].monitor is empty)`
  return specOf(key, describe, () => createClusterMonitor({ ...options, fs }), options, nothing)
}

/** `fs` that reads each file once and hands out the same text again. */
function readingOnce(fs: ConfigFs): ConfigFs {
  const texts = new Map<string, Promise<string>>()
  return {
    readText(path) {
      let text = texts.get(path)
      if (text === undefined) texts.set(path, (text = fs.readText(path)))
      return text
    },
    mode: (path) => fs.mode(path),
  }
}

/**
 * SHA-256 of the current value of each secret reference in `tree`, by reference ("missing" when it
 * cannot be read: building the monitor then fails with the reason, and the running one stays).
 * Only digests: the key is kept in memory and compared, never logged, but a value has no business there.
 */
export async function secretDigests(tree: unknown, env: (name: string) => string | undefined, fs: ConfigFs): Promise<Record<string, string>> {
  const refs = new Map<string, { env: string } | { file: string }>()
  const walk = (v: unknown): void => {
    if (isSecretRef(v)) refs.set(JSON.stringify(v), v)
    else if (typeof v === "object" && v !== null) for (const x of Object.values(v)) walk(x)
  }
  walk(tree)
  const out: Record<string, string> = {}
  for (const [id, ref] of [...refs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const value = "env" in ref ? env(ref.env) : await fs.readText(ref.file).catch(() => undefined)
    out[id] = value === undefined ? "missing" : createHash("sha256").update(value).digest("hex")
  }
  return out
}

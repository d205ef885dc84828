/**
 * The two sources a monitor is built from, as reloadable specs (see _monitor-reload.ts):
 * NUT's upsmon.conf (+ upssched.conf) and this host's role in the cluster config.
 */
import { join } from "node:path"
import type { ConsolaInstance } from "consola"
import { nodeConfigFs } from "../config/index.ts"
import { isUpsschedCommand } from "../monitor/index.ts"
import { createClusterMonitor, type ClusterMonitorOptions } from "./_cluster-monitor.ts"
import type { MonitorSpec } from "./_monitor-reload.ts"
import { createNutMonitor, readUpsmonConf, startMonitorBeside, type LocalServer, type NutMonitor, type NutMonitorOptions } from "./_monitor.ts"

interface StartOptions {
  readonly log: ConsolaInstance
  readonly dryRun: boolean
  readonly local?: LocalServer | undefined
}

/** What the local shortcut can reach: a UPS that appears in ups.conf moves its supply onto it. */
function localKey(local: LocalServer | undefined): unknown {
  return local === undefined ? null : { ups: local.ups.map((u) => u.name), ports: local.addresses.map((a) => a.port) }
}

function specOf(key: unknown, describe: string, build: () => Promise<NutMonitor | undefined>, options: StartOptions, nothing?: string): MonitorSpec {
  return {
    key: JSON.stringify(key),
    describe,
    ...(nothing === undefined ? {} : { nothing }),
    async build() {
      const monitor = await build()
      return monitor === undefined ? undefined : { start: () => startMonitorBeside(monitor, options) }
    },
  }
}

/**
 * DIR/upsmon.conf as a monitor spec, with the file's warnings; undefined when there is none and
 * `required` is false. upssched.conf is part of the key when NOTIFYCMD is upssched.
 * @throws ConfigError for a file that does not parse; Error when it cannot be read
 */
export async function readUpsmonSpec(
  dir: string,
  required: boolean,
  options: Omit<NutMonitorOptions, "dir" | "upsmon">,
): Promise<{ spec: MonitorSpec; warnings: readonly { message: string }[] } | undefined> {
  const read = await readUpsmonConf(dir, required)
  if (read === undefined) return undefined
  const { warnings: _w, ...conf } = read.conf
  const upssched = isUpsschedCommand(conf.notifyCmd) ? await nodeConfigFs.readText(join(dir, "upssched.conf")).catch(() => null) : null
  const key = { conf, upssched, local: localKey(options.local), dryRun: options.dryRun, wall: options.wall }
  const describe = conf.monitors.map((m) => m.system).join(", ")
  const spec = specOf(key, describe, () => createNutMonitor({ ...options, dir, upsmon: read.conf }), options)
  return { spec, warnings: read.warnings }
}

/** This host's role in the cluster config as a monitor spec (the `http` section is not the monitor's). */
export function clusterSpec(options: ClusterMonitorOptions): MonitorSpec {
  const { loaded, role, host } = options.cluster
  const { http: _http, ...config } = loaded.config as { http?: unknown } & Record<string, unknown>
  const key = { host, role: role === undefined ? null : { index: role.index, entry: role.entry }, config, local: localKey(options.local), dryRun: options.dryRun, wall: options.wall }
  const describe = role === undefined ? "nothing" : role.entry.monitor.map((m) => (typeof m === "string" ? m : m.system)).join(", ")
  const nothing =
    role === undefined ? `Host ${host} is in no role: nothing to monitor` : `The ${role.entry.role} role of host ${host} monitors nothing (roles[${role.index}].monitor is empty)`
  return specOf(key, describe, () => createClusterMonitor(options), options, nothing)
}

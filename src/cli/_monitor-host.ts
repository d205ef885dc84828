/**
 * The monitor of `serve` and `nutctl monitor`, started from its settings (upsmon.conf or this
 * host's cluster role) and re-read on SIGHUP: a MonitorReloader with the reading and the logging.
 */
import type { ConsolaInstance } from "consola"
import { problemMessages } from "../config/index.ts"
import { MonitorReloader, type MonitorReloadOutcome, type MonitorSpec, type RunningMonitor } from "./_monitor-reload.ts"

export interface MonitorHostOptions {
  /**
   * Read the settings: undefined when there are none (no upsmon.conf beside `serve`'s files).
   * Throws ConfigError (or Error) for settings that cannot be read.
   */
  readonly read: () => Promise<MonitorSpec | undefined>
  readonly log: ConsolaInstance
  /** A new monitor runs (or none): HTTP follows it. */
  readonly onSwap?: (monitor: RunningMonitor | undefined) => void
  /** @default 5000 */
  readonly recheckMs?: number
}

export interface MonitorHost {
  readonly reloader: MonitorReloader
  /** Re-read the settings and apply them (SIGHUP); undefined when they could not be read. */
  reload(): Promise<MonitorReloadOutcome | undefined>
}

/**
 * Start the monitor; undefined when its settings could not be used (logged; nothing runs, the
 * caller exits 1). Settings that monitor nothing start no monitor but stay reloadable: a later
 * reload may add some.
 */
export async function startMonitorHost(options: MonitorHostOptions): Promise<MonitorHost | undefined> {
  const { log } = options
  let current: RunningMonitor | undefined
  let key = ""
  try {
    const spec = await options.read()
    if (spec !== undefined) {
      const built = await spec.build()
      key = spec.key
      if (built === undefined) {
        if (spec.nothing !== undefined) log.info(spec.nothing)
      } else current = await built.start()
    }
  } catch (e) {
    for (const m of problemMessages(e)) log.error(m)
    return undefined
  }
  const reloader = new MonitorReloader({
    log,
    current,
    key,
    ...(options.onSwap === undefined ? {} : { onSwap: options.onSwap }),
    ...(options.recheckMs === undefined ? {} : { recheckMs: options.recheckMs }),
  })
  options.onSwap?.(current)
  return {
    reloader,
    async reload() {
      let spec: MonitorSpec | undefined
      try {
        spec = await options.read()
      } catch (e) {
        for (const m of problemMessages(e)) log.error(m)
        log.error("Monitor: reload failed; still running the previous settings")
        return undefined
      }
      if (spec === undefined) {
        // upsmon keeps running when its file cannot be opened at a reload; so does this
        if (reloader.current !== undefined) log.warn("Monitor: its settings file is gone; it keeps running with the previous settings")
        return undefined
      }
      return reloader.reload(spec)
    },
  }
}

import { readFile } from "node:fs/promises"
import { join } from "node:path"
import type { ConsolaInstance } from "consola"
import { parseUpsConf } from "../config/index.ts"
import { DEFAULT_STATEPATH, DriverSocketServer, createDriver, driverSocketPath, listenUnixSocket } from "../drivers/index.ts"
import { UpsState } from "../ups/index.ts"
import { hidCapabilities } from "./_upsd.ts"

/** nutctl's short driver names, as the NUT binary whose socket name upsd expects. */
const NUT_DRIVER_NAMES: Readonly<Record<string, string>> = { usbhid: "usbhid-ups", dummy: "dummy-ups" }

export interface DriverRunOptions {
  /** ups.conf section (`-a NAME`), matched exactly as NUT's drivers do. */
  readonly ups: string
  /** Directory of ups.conf (NUT_CONFPATH). */
  readonly confDir: string
  /** Where the socket goes (NUT_STATEPATH). */
  readonly statePath?: string | undefined
  readonly log: ConsolaInstance
  readonly signal: AbortSignal
}

/**
 * Run one ups.conf section's driver in nutctl and serve it on NUT's driver socket
 * (`<statepath>/<driver>-<ups>`), so a real upsd uses nutctl's driver as it would `usbhid-ups -a ups`.
 * Resolves when `signal` aborts.
 */
export async function runDriverSocket(options: DriverRunOptions): Promise<void> {
  const file = join(options.confDir, "ups.conf")
  const conf = parseUpsConf(await readFile(file, "utf8"), { file, baseDir: options.confDir })
  const def = conf.ups.find((u) => u.name === options.ups)
  if (!def) throw new Error(`${file}: no [${options.ups}] section with driver and port`)
  const statePath = options.statePath ?? conf.globals["statepath"] ?? DEFAULT_STATEPATH
  const driverName = NUT_DRIVER_NAMES[def.driver] ?? def.driver
  const log = options.log.withTag(def.name)
  const driverLog = { info: (m: string) => log.info(m), warn: (m: string) => log.warn(m) }
  const driver = createDriver({ ...def, statepath: statePath }, driverLog, hidCapabilities())
  const state = new UpsState()
  const server = new DriverSocketServer({
    state,
    path: driverSocketPath(statePath, driverName, def.name),
    listen: listenUnixSocket,
    log: driverLog,
  })
  await server.listen()
  log.success(`driver ${driverName} for [${def.name}] on ${server.path}`)
  try {
    await driver.start(state, options.signal)
  } finally {
    await server.close()
  }
}

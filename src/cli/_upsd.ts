import type { ConsolaInstance } from "consola"
import type { ServeSetup } from "../config/index.ts"
import { readFile } from "node:fs/promises"
import { createDriver, DEFAULT_STATEPATH, isExternalUps, type DriverCapabilities, type Driver } from "../drivers/index.ts"
import { createNodeHidOpener, isSimPort, openSimPort, systemClock, type HidOpener } from "../hid/index.ts"
import { DEFAULT_SERVER_SETTINGS, NutServer, type ListenAddress, type ServedUps } from "../server/index.ts"
import { UpsState } from "../ups/index.ts"
import { componentLog } from "./_log.ts"

/** A running drop-in upsd: drivers feeding UpsStates, and the NUT server publishing them. */
export interface RunningUpsd {
  readonly server: NutServer
  readonly ups: readonly ServedUps[]
  readonly addresses: readonly ListenAddress[]
  /**
   * Apply a re-read configuration (SIGHUP): users, allowed networks, MAXCONN, MAXAGE, TRACKINGDELAY
   * at once; changed LISTEN/TLS and UPS sections (drivers) are named in `restart`.
   */
  reload(setup: ServeSetup): { changed: string[]; restart: string[] }
  stop(): Promise<void>
}

/** Name the embedded demo UPS is served under. */
export const DEMO_UPS_NAME = "bx1600mi"

/**
 * What `serve --demo` runs: usbhid-ups on the simulated APC Back-UPS BX1600MI (the BK650M2-CH
 * descriptor and reports as its stand-in), optionally playing a scenario (`outage`, `lowbatt` …).
 */
export function demoSetup(listen?: readonly ListenAddress[], scenario?: string): ServeSetup {
  const port = scenario ? `sim:bx1600mi?scenario=${encodeURIComponent(scenario)}` : "sim:bx1600mi"
  return {
    ups: [{ name: DEMO_UPS_NAME, driver: "usbhid-ups", port, desc: "APC Back-UPS BX1600MI (simulated)", params: {}, baseDir: "." }],
    server: { ...DEFAULT_SERVER_SETTINGS, ...(listen ? { listen } : {}) },
    users: [],
    allowNoDevice: false,
    warnings: [],
  }
}

/**
 * Start one driver per UPS and the NUT server. Drivers that fail keep their UPS "not connected".
 * `env.statePath` is NUT_STATEPATH: upsd.conf STATEPATH wins over it, as in upsd 2.8.0.
 */
export async function startUpsd(setup: ServeSetup, log: ConsolaInstance, env: { statePath?: string | undefined } = {}): Promise<RunningUpsd> {
  if (setup.ups.length === 0 && !setup.allowNoDevice) {
    throw new Error("No UPS configured: add a [section] to ups.conf (or `ups:` to nutctl's config), or set ALLOW_NO_DEVICE true in upsd.conf")
  }
  const maxAgeMs = setup.server.maxAge * 1000
  const statepath = setup.statePath ?? env.statePath ?? DEFAULT_STATEPATH
  const globals = setup.upsGlobals ?? {}
  const abort = new AbortController()
  const drivers: Array<{ ups: ServedUps; driver: Driver }> = []
  const served: ServedUps[] = []
  for (const def of setup.ups) {
    const state = new UpsState({ maxAgeMs })
    const ups: ServedUps = { name: def.name, desc: def.desc, state }
    served.push(ups)
    const dlog = log.withTag(def.name)
    const driverLog = { info: (m: string) => dlog.info(m), warn: (m: string) => dlog.warn(m) }
    drivers.push({ ups, driver: createDriver({ ...def, statepath, external: isExternalUps(globals, def.name) }, driverLog, hidCapabilities()) })
  }
  const server = new NutServer({ settings: setup.server, ups: served, users: setup.users, log: componentLog(log) })
  const addresses = await server.listen()
  const running = drivers.map(({ ups, driver }) =>
    driver.start(ups.state, abort.signal).catch((err: unknown) => {
      // like a dead driver process: upsd keeps serving and answers DRIVER-NOT-CONNECTED
      log.error(`Driver ${driver.name} for UPS [${ups.name}] stopped: ${(err as Error).message}`)
    }),
  )
  let current = setup.ups
  return {
    server,
    ups: served,
    addresses,
    reload(next) {
      const result = server.reload({ settings: next.server, users: next.users })
      const restart = [...result.restart, ...upsChanges(current, next.ups)]
      current = next.ups
      return { changed: result.changed, restart }
    },
    async stop() {
      abort.abort()
      await server.close()
      await Promise.all(running)
    },
  }
}

/** UPS sections added, removed or changed (driver, port, options, desc): drivers start only with the server. */
function upsChanges(before: ServeSetup["ups"], after: ServeSetup["ups"]): string[] {
  const key = (u: ServeSetup["ups"][number]) => JSON.stringify([u.driver, u.port, u.desc ?? null, Object.entries(u.params).sort()])
  const old = new Map(before.map((u) => [u.name, key(u)]))
  const out: string[] = []
  for (const u of after) {
    const was = old.get(u.name)
    if (was === undefined) out.push(`new UPS [${u.name}]`)
    else if (was !== key(u)) out.push(`UPS [${u.name}] changed`)
    old.delete(u.name)
  }
  for (const name of old.keys()) out.push(`UPS [${name}] removed`)
  return out
}

let nodeHid: HidOpener | undefined

/** HID access for usbhid-ups: the simulator for `sim:` ports, node-hid (hidraw) for real devices. */
export function hidCapabilities(): DriverCapabilities {
  return {
    hidOpener: (spec) =>
      isSimPort(spec.port)
        ? openSimPort(spec.port, { clock: systemClock, baseDir: spec.baseDir, readText: (p) => readFile(p, "utf8") }).then((d) => d.opener)
        : (nodeHid ??= createNodeHidOpener()),
  }
}

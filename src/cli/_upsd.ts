import type { ConsolaInstance } from "consola"
import type { ServeSetup } from "../config/index.ts"
import { readFile } from "node:fs/promises"
import { DEFAULT_STATEPATH, type DriverCapabilities } from "../drivers/index.ts"
import { createNodeHidOpener, isSimPort, openSimPort, systemClock, type HidOpener } from "../hid/index.ts"
import { DEFAULT_SERVER_SETTINGS, NutServer, type ListenAddress, type ServedUps } from "../server/index.ts"
import { componentLog } from "./_log.ts"
import { DriverFleet } from "./_upsd-fleet.ts"

/** A running drop-in upsd: drivers feeding UpsStates, and the NUT server publishing them. */
export interface RunningUpsd {
  readonly server: NutServer
  /** The served UPSes in ups.conf order; a reload updates this same array in place. */
  readonly ups: readonly ServedUps[]
  readonly addresses: readonly ListenAddress[]
  /**
   * Apply a re-read configuration (SIGHUP): users, allowed networks, MAXCONN, MAXAGE, TRACKINGDELAY
   * and the UPS sections (drivers started, stopped or restarted) at once; what only a restart can
   * change (LISTEN, TLS, STATEPATH, ups.conf globals) is named in `restart`. `upsListChanged`: a UPS
   * came, went or got a new description. Throws, having changed nothing, when a section cannot be loaded.
   */
  reload(setup: ServeSetup): Promise<{ changed: string[]; restart: string[]; upsListChanged: boolean }>
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
  requireUps(setup)
  const statepath = setup.statePath ?? env.statePath ?? DEFAULT_STATEPATH
  const globals = setup.upsGlobals ?? {}
  const fleet = new DriverFleet({ log, statepath, globals, maxAgeMs: setup.server.maxAge * 1000, capabilities: hidCapabilities() })
  fleet.prepare(setup.ups)
  const served = fleet.served
  const server = new NutServer({ settings: setup.server, ups: served, users: setup.users, log: componentLog(log) })
  const addresses = await server.listen()
  fleet.startAll()
  return {
    server,
    ups: served,
    addresses,
    async reload(next) {
      requireUps(next)
      const plan = fleet.plan(next.ups) // throws here for a section that cannot be loaded
      const result = server.reload({ settings: next.server, users: next.users })
      const ups = await plan.apply(next.server.maxAge * 1000)
      if (ups.served) {
        server.replaceUps(ups.served)
        served.splice(0, served.length, ...ups.served)
      }
      const restart = [...result.restart]
      if ((next.statePath ?? env.statePath ?? DEFAULT_STATEPATH) !== statepath) restart.push("STATEPATH")
      if (JSON.stringify(next.upsGlobals ?? {}) !== JSON.stringify(globals)) restart.push("ups.conf global settings")
      return { changed: [...result.changed, ...ups.changed], restart, upsListChanged: ups.served !== undefined }
    },
    async stop() {
      await server.close()
      await fleet.stopAll()
    },
  }
}

/** upsd refuses to run without a UPS unless ALLOW_NO_DEVICE says so: at start and on a reload. */
function requireUps(setup: ServeSetup): void {
  if (setup.ups.length === 0 && !setup.allowNoDevice) {
    throw new Error("No UPS configured: add a [section] to ups.conf (or `ups:` to nutctl's config), or set ALLOW_NO_DEVICE true in upsd.conf")
  }
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

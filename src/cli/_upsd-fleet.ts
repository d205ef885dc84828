/**
 * The served UPSes and their drivers, one per ups.conf section: started with the server, and on a
 * reload brought in line with the new sections — a new section starts its driver, a removed one
 * stops it, a section whose driver, port or options changed gets its driver restarted on the same
 * UpsState (what NUT's driver enumerator and `upsd -c reload` do together on a Debian host).
 */
import type { ConsolaInstance } from "consola"
import type { ServeSetup } from "../config/index.ts"
import { createDriver, isExternalUps, type Driver, type DriverCapabilities } from "../drivers/index.ts"
import type { ServedUps } from "../server/index.ts"
import { UpsState } from "../ups/index.ts"

type UpsDef = ServeSetup["ups"][number]

/** How long a stopped driver gets to let go of its device before the new one opens it. */
const DRIVER_STOP_GRACE_MS = 5000

interface Running {
  def: UpsDef
  readonly ups: ServedUps
  driver: Driver
  abort: AbortController
  done: Promise<void>
}

export interface FleetOptions {
  readonly log: ConsolaInstance
  readonly statepath: string
  readonly globals: Readonly<Record<string, string>>
  readonly maxAgeMs: number
  readonly capabilities: DriverCapabilities
}

/** What a reload did to the UPS sections. */
export interface FleetChanges {
  /** Log words: `UPS [x] added`, `UPS [x] driver restarted`, … */
  readonly changed: string[]
  /** The served list to publish (ups.conf order), when its members or a description changed. */
  readonly served: readonly ServedUps[] | undefined
}

export class DriverFleet {
  readonly #options: FleetOptions
  readonly #running = new Map<string, Running>()
  #maxAgeMs: number

  constructor(options: FleetOptions) {
    this.#options = options
    this.#maxAgeMs = options.maxAgeMs
  }

  /** The served UPSes, in ups.conf order. */
  get served(): ServedUps[] {
    return [...this.#running.values()].map((r) => r.ups)
  }

  /**
   * Create every section's UpsState and driver without starting them (a bad section throws here,
   * before anything runs). Call {@link startAll} once the server listens.
   */
  prepare(defs: readonly UpsDef[]): void {
    for (const def of defs) this.#running.set(def.name, this.#entry(def, this.#driverFor(def)))
  }

  /** Start the drivers {@link prepare} created. */
  startAll(): void {
    for (const r of this.#running.values()) this.#start(r)
  }

  /**
   * Plan bringing the running drivers in line with `defs`: every new driver is created here, so a
   * section that cannot be loaded throws before anything is stopped. `apply()` carries it out;
   * `maxAgeMs` is the MAXAGE new UpsStates get.
   */
  plan(defs: readonly UpsDef[]): { apply(maxAgeMs: number): Promise<FleetChanges> } {
    const fresh = new Map<string, Driver>()
    for (const def of defs) {
      const was = this.#running.get(def.name)
      if (!was || driverKey(was.def) !== driverKey(def)) fresh.set(def.name, this.#driverFor(def))
    }
    return { apply: (maxAgeMs) => this.#apply(defs, fresh, maxAgeMs) }
  }

  async #apply(defs: readonly UpsDef[], fresh: ReadonlyMap<string, Driver>, maxAgeMs: number): Promise<FleetChanges> {
    this.#maxAgeMs = maxAgeMs
    const next = new Set(defs.map((d) => d.name))
    const changed: string[] = []
    const before = [...this.#running.keys()]
    let described = false
    for (const [name, r] of this.#running) {
      if (next.has(name)) continue
      await this.#stop(r)
      this.#running.delete(name)
      changed.push(`UPS [${name}] removed`)
    }
    const order: Running[] = []
    for (const def of defs) {
      let r = this.#running.get(def.name)
      const driver = fresh.get(def.name)
      if (!r) {
        r = this.#entry(def, driver!)
        this.#start(r)
        changed.push(`UPS [${def.name}] added`)
      } else if (driver) {
        await this.#stop(r)
        r.driver = driver
        this.#start(r)
        changed.push(`UPS [${def.name}] driver restarted`)
      }
      if (r.ups.desc !== def.desc) {
        r.ups.desc = def.desc
        changed.push(`UPS [${def.name}] description`)
        described = true
      }
      r.def = def
      order.push(r)
    }
    // ups.conf's order from now on (LIST UPS follows it)
    this.#running.clear()
    for (const r of order) this.#running.set(r.def.name, r)
    const listChanged = described || before.length !== order.length || order.some((r, i) => r.def.name !== before[i])
    return { changed, served: listChanged ? this.served : undefined }
  }

  /** Stop every driver and wait for them. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#running.values()].map((r) => this.#stop(r, false)))
  }

  #entry(def: UpsDef, driver: Driver): Running {
    const ups: ServedUps = { name: def.name, desc: def.desc, state: new UpsState({ maxAgeMs: this.#maxAgeMs }) }
    return { def, ups, driver, abort: new AbortController(), done: Promise.resolve() }
  }

  #driverFor(def: UpsDef): Driver {
    const { log, statepath, globals, capabilities } = this.#options
    const dlog = log.withTag(def.name)
    return createDriver({ ...def, statepath, external: isExternalUps(globals, def.name) }, { info: (m) => dlog.info(m), warn: (m) => dlog.warn(m) }, capabilities)
  }

  #start(r: Running): void {
    const driver = r.driver
    r.abort = new AbortController()
    r.done = driver.start(r.ups.state, r.abort.signal).catch((err: unknown) => {
      // like a dead driver process: upsd keeps serving and answers DRIVER-NOT-CONNECTED
      this.#options.log.error(`Driver ${driver.name} for UPS [${r.ups.name}] stopped: ${(err as Error).message}`)
    })
  }

  /** Stop a driver; on a reload also forget what it published (as upsd does when a driver goes). */
  async #stop(r: Running, forget = true): Promise<void> {
    r.abort.abort()
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), DRIVER_STOP_GRACE_MS)))
    const outcome = await Promise.race([r.done.then(() => "done" as const), late])
    clearTimeout(timer)
    if (outcome === "late") this.#options.log.warn(`Driver for UPS [${r.ups.name}] did not stop within ${DRIVER_STOP_GRACE_MS / 1000} s; going on`)
    if (forget) r.ups.state.markDisconnected()
  }
}

/** What makes a driver different: its name, port and options (not the description). */
function driverKey(def: UpsDef): string {
  return JSON.stringify([def.driver, def.port, Object.entries(def.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), def.baseDir])
}

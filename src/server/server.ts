import { createServer, type Server, type Socket } from "node:net"
import { createSecureContext, type SecureContext } from "node:tls"
import type { Now } from "../ups/index.ts"
import { isAllowed, parseNetwork, unmapV4, type Network } from "./acl.ts"
import { BunConnection, bunListen, listenWithBun } from "./bun-listener.ts"
import { Connection } from "./connection.ts"
import { ServerContext, type ServedUps } from "./context.ts"
import { Session } from "./session.ts"
import { TrackingStore } from "./tracking.ts"
import type { ListenAddress, ServerSettings, UserRecord } from "./types.ts"
import { UserDb } from "./users.ts"

/** upsd closes a client that sent no complete line for 60 s (checked every loop pass, ≤ 2 s). */
export const IDLE_TIMEOUT_MS = 60_000
const SWEEP_MS = 2_000

export interface ServerLog {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string, cause?: unknown): void
}

export interface NutServerOptions {
  readonly settings: ServerSettings
  readonly ups: readonly ServedUps[]
  readonly users: readonly UserRecord[]
  readonly log: ServerLog
  /** @default Date.now */
  readonly now?: Now
  /** @default 60000 */
  readonly idleTimeoutMs?: number
  /** How often idle clients and staleness are checked. @default 2000 */
  readonly sweepMs?: number
  /** Tracking id source (tests inject upsd's deterministic sequence). */
  readonly trackingIds?: () => string
  /** Reuse the words and replies of repeated plain request lines (src/server/request-cache.ts). @default true */
  readonly cacheRequests?: boolean
}

/** The upsd-compatible NUT network server: listeners, connections, idle sweep, staleness log. */
export class NutServer {
  readonly context: ServerContext
  #settings: ServerSettings
  readonly #log: ServerLog
  readonly #now: Now
  readonly #idleMs: number
  readonly #sweepMs: number
  #allow: readonly Network[] | undefined
  readonly #secureContext: SecureContext | undefined
  readonly #servers: Server[] = []
  readonly #connections = new Set<Connection | BunConnection>()
  readonly #bunListeners: Array<{ close(): void }> = []
  #seq = 0
  #sweep: ReturnType<typeof setInterval> | undefined
  /** Per served UPS: stop logging its driver's comings and goings. */
  readonly #unsubscribe = new Map<ServedUps, () => void>()

  constructor(options: NutServerOptions) {
    this.#settings = options.settings
    this.#log = options.log
    this.#now = options.now ?? Date.now
    this.#idleMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS
    this.#sweepMs = options.sweepMs ?? SWEEP_MS
    this.#allow = options.settings.allow?.map(parseNetwork)
    const tls = options.settings.tls
    this.#secureContext = tls
      ? createSecureContext({ cert: tls.cert, key: tls.key, minVersion: tls.disableWeak ? "TLSv1.2" : "TLSv1" })
      : undefined
    this.context = new ServerContext({
      ups: options.ups,
      users: new UserDb(options.users),
      tracking: new TrackingStore({ delaySeconds: options.settings.trackingDelay, now: this.#now, ...(options.trackingIds ? { nextId: options.trackingIds } : {}) }),
      tls,
      ...(options.cacheRequests === undefined ? {} : { cacheRequests: options.cacheRequests }),
    })
    this.context.onFsd = (ups, client, user) => this.#log.info(`Client ${user}@${client.address} set FSD on UPS [${ups.name}]`)
    for (const ups of options.ups) this.#watch(ups)
  }

  /** Log a UPS's driver connecting, going stale and going away, as upsd does. */
  #watch(ups: ServedUps): void {
    if (this.#unsubscribe.has(ups)) return
    this.#unsubscribe.set(
      ups,
      ups.state.subscribe((change) => {
        if (change.kind !== "connection") return
        if (change.availability === "stale") this.#log.warn(`Data for UPS [${ups.name}] is stale - check driver`)
        else if (change.availability === "ok") this.#log.info(`UPS [${ups.name}] data is available`)
        else this.#log.warn(`Driver for UPS [${ups.name}] is not connected`)
      }),
    )
  }

  /**
   * Serve this list of UPSes from now on (ups.conf reloaded): new ones are answered at once, the
   * ones left out get ERR UNKNOWN-UPS and lose their logins. Kept entries are the same objects.
   */
  replaceUps(next: readonly ServedUps[]): void {
    const kept = new Set(next)
    for (const [ups, stop] of this.#unsubscribe) {
      if (kept.has(ups)) continue
      stop()
      this.#unsubscribe.delete(ups)
    }
    for (const ups of next) this.#watch(ups)
    this.context.replaceUps(next)
  }

  /** A session with no socket, for replaying transcripts and for tests. */
  createSession(address = "127.0.0.1"): Session {
    return new Session(this.context, { address, seq: ++this.#seq }, this.#log)
  }

  /** Open every LISTEN address; fails only if none can be opened. Returns the bound addresses. */
  async listen(): Promise<ListenAddress[]> {
    const bound: ListenAddress[] = []
    const failures: string[] = []
    for (const addr of this.#settings.listen) {
      try {
        bound.push(await this.#listenOne(addr))
      } catch (err) {
        const msg = `not listening on ${formatAddress(addr)}: ${(err as Error).message}`
        failures.push(msg)
        this.#log.warn(msg)
      }
    }
    if (bound.length === 0) throw new Error(`Cannot listen on any address: ${failures.join("; ")}`)
    this.#sweep = setInterval(() => this.#sweepOnce(), this.#sweepMs)
    this.#sweep.unref?.()
    return bound
  }

  /** Stop listening and drop every client. */
  async close(): Promise<void> {
    if (this.#sweep) clearInterval(this.#sweep)
    for (const stop of this.#unsubscribe.values()) stop()
    this.#unsubscribe.clear()
    for (const c of this.#connections) c.destroy()
    await Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
    this.#servers.length = 0
    for (const l of this.#bunListeners) l.close()
    this.#bunListeners.length = 0
  }

  /**
   * Take new settings and users without dropping a client (upsd's `-c reload`, SIGHUP): users and
   * their rights, allowed networks, MAXCONN, MAXAGE and the TRACKING delay apply at once; new
   * LISTEN addresses or TLS files need a restart, as the notes say. Returns what changed.
   * @throws CidrError for a bad allowed network (nothing is changed then)
   */
  reload(next: { settings: ServerSettings; users: readonly UserRecord[] }): { changed: string[]; restart: string[] } {
    const before = this.#settings
    const after = next.settings
    const allow = after.allow?.map(parseNetwork)
    const changed: string[] = []
    const restart: string[] = []
    this.context.users.replace(next.users)
    changed.push(`${this.context.users.size} user(s)`)
    if (JSON.stringify(before.allow ?? null) !== JSON.stringify(after.allow ?? null)) changed.push(`allowed networks: ${after.allow?.join(" ") ?? "everyone"}`)
    this.#allow = allow
    if (before.maxConn !== after.maxConn) {
      changed.push(`MAXCONN ${after.maxConn}`)
      for (const server of this.#servers) server.maxConnections = after.maxConn
    }
    if (before.maxAge !== after.maxAge) {
      changed.push(`MAXAGE ${after.maxAge}`)
      for (const ups of this.context.upsList()) ups.state.setMaxAge(after.maxAge * 1000)
    }
    if (before.trackingDelay !== after.trackingDelay) {
      changed.push(`TRACKINGDELAY ${after.trackingDelay}`)
      this.context.tracking.setDelay(after.trackingDelay)
    }
    const addresses = (l: readonly ListenAddress[]) => l.map(formatAddress).sort().join(" ")
    if (addresses(before.listen) !== addresses(after.listen)) restart.push(`LISTEN ${addresses(after.listen)}`)
    if (JSON.stringify(before.tls ?? null) !== JSON.stringify(after.tls ?? null)) restart.push("CERTFILE / TLS settings")
    // listeners and TLS stay as they were started
    const { tls: _notApplied, ...applied } = after
    this.#settings = { ...applied, listen: before.listen, ...(before.tls ? { tls: before.tls } : {}) }
    return { changed, restart }
  }

  /** Number of open client connections. */
  get connectionCount(): number {
    return this.#connections.size
  }

  #listenOne(addr: ListenAddress): Promise<ListenAddress> {
    const bun = this.#secureContext ? undefined : bunListen()
    if (bun) {
      const l = listenWithBun(bun, addr, (socket, remote) => this.#acceptBun(socket, remote))
      this.#bunListeners.push(l)
      return Promise.resolve({ host: addr.host, port: l.port })
    }
    return new Promise((resolve, reject) => {
      const server = createServer({ noDelay: true }, (socket) => this.#accept(socket))
      // MAXCONN: upsd leaves extra clients hanging in the backlog; Node closes them at once
      server.maxConnections = this.#settings.maxConn
      server.once("error", reject)
      server.listen({ host: addr.host, port: addr.port, backlog: 16, ipv6Only: addr.host.includes(":") }, () => {
        server.off("error", reject)
        server.on("error", (err) => this.#log.error(`listener ${formatAddress(addr)} failed`, err))
        this.#servers.push(server)
        const a = server.address()
        resolve({ host: addr.host, port: typeof a === "object" && a ? a.port : addr.port })
      })
    })
  }

  #accept(socket: Socket): void {
    const address = unmapV4(socket.remoteAddress ?? "")
    if (this.#allow && !isAllowed(address, this.#allow)) {
      this.#log.warn(`Rejecting connection from ${address}: not in server.allow`)
      socket.destroy()
      return
    }
    const session = new Session(this.context, { address, seq: ++this.#seq }, this.#log)
    const conn = new Connection({
      socket,
      session,
      secureContext: this.#secureContext,
      log: this.#log,
      now: this.#now,
      onClose: (c) => this.#connections.delete(c),
    })
    this.#connections.add(conn)
  }

  #acceptBun(socket: ConstructorParameters<typeof BunConnection>[0]["socket"], remote: string): BunConnection | undefined {
    const address = unmapV4(remote)
    if ((this.#allow && !isAllowed(address, this.#allow)) || this.#connections.size >= this.#settings.maxConn) {
      this.#log.warn(`Rejecting connection from ${address}: ${this.#allow && !isAllowed(address, this.#allow) ? "not in server.allow" : "MAXCONN reached"}`)
      socket.end()
      return undefined
    }
    const session = new Session(this.context, { address, seq: ++this.#seq }, this.#log)
    const conn = new BunConnection({ socket, session, now: this.#now, warn: (m) => this.#log.warn(m), onClose: (c) => this.#connections.delete(c) })
    this.#connections.add(conn)
    return conn
  }

  #sweepOnce(): void {
    const now = this.#now()
    for (const c of this.#connections) {
      // the sweep stamps activity, so a request costs no clock read; idle = no line for idleMs (+ one sweep)
      if (c.sawLine) {
        c.sawLine = false
        c.lastLineAt = now
      } else if (now - c.lastLineAt > this.#idleMs) {
        this.#log.debug(`Disconnecting idle client ${c.session.address}`)
        c.destroy()
      }
    }
    for (const ups of this.context.upsList()) ups.state.checkAvailability()
  }
}

/** `127.0.0.1:3493`, `[::1]:3493` */
export function formatAddress(addr: ListenAddress): string {
  return addr.host.includes(":") ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`
}

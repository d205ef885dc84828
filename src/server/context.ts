import type { UpsState } from "../ups/index.ts"
import type { TlsSettings } from "./types.ts"
import { RequestCache } from "./request-cache.ts"
import type { TrackingStore } from "./tracking.ts"
import type { UserDb } from "./users.ts"

/** A UPS the server publishes: its ups.conf name and description, and its live state. */
export interface ServedUps {
  readonly name: string
  /** ups.conf `desc`; a reload may change it (then call `NutServer.replaceUps`). */
  desc: string | undefined
  readonly state: UpsState
}

/** What LIST CLIENT and NUMLOGINS need to know about a connection. */
export interface ClientInfo {
  /** Peer address, e.g. `127.0.0.1` or `::1`. */
  readonly address: string
  /** Connection sequence number: higher = newer. */
  readonly seq: number
}

/** Server build identity that upsd reports (VER, server.info, server.version). */
export const SERVER_IDENTITY = {
  version: "2.8.0",
  info: "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/",
  netVersion: "1.3",
} as const

/** Shared server state the command handlers read: UPSes, users, logins, tracking, TLS. */
export class ServerContext {
  #ups: readonly ServedUps[]
  readonly #byName = new Map<string, ServedUps>()
  readonly #logins = new Map<ServedUps, Set<ClientInfo>>()
  readonly users: UserDb
  readonly tracking: TrackingStore
  readonly tls: TlsSettings | undefined
  /** Called when a client sets the FSD latch (for logging / monitor wake-up). */
  onFsd: ((ups: ServedUps, client: ClientInfo, user: string) => void) | undefined
  /** Called for every request with its command word (`GET`, `LIST`, … or `UNKNOWN`), for metrics. */
  onRequest: ((command: string) => void) | undefined
  /** Request lines seen before and their reusable replies, shared by every connection. */
  readonly requestCache: RequestCache<ServedUps> | undefined

  constructor(options: { ups: readonly ServedUps[]; users: UserDb; tracking: TrackingStore; tls?: TlsSettings | undefined; cacheRequests?: boolean }) {
    this.#ups = [...options.ups]
    this.requestCache = options.cacheRequests === false ? undefined : new RequestCache()
    this.#index()
    this.users = options.users
    this.tracking = options.tracking
    this.tls = options.tls
  }

  /** UPSes in ups.conf order. */
  upsList(): readonly ServedUps[] {
    return this.#ups
  }

  /**
   * Serve this list from now on (a reload of ups.conf): UPSes missing from it are gone for every
   * request (ERR UNKNOWN-UPS) and lose their logins; kept replies are dropped, since LIST UPS,
   * UPSDESC and friends may name what changed.
   */
  replaceUps(next: readonly ServedUps[]): void {
    const kept = new Set(next)
    for (const u of this.#ups) if (!kept.has(u)) this.#logins.delete(u)
    this.#ups = [...next]
    this.#index()
    this.requestCache?.clear()
  }

  #index(): void {
    this.#byName.clear()
    for (const u of this.#ups) {
      const key = u.name.toLowerCase()
      if (!this.#byName.has(key)) this.#byName.set(key, u)
    }
  }

  /** Case-insensitive UPS lookup. */
  findUps(name: string): ServedUps | undefined {
    return this.#byName.get(name.toLowerCase())
  }

  /** Record a LOGIN. */
  login(ups: ServedUps, client: ClientInfo): void {
    let set = this.#logins.get(ups)
    if (!set) this.#logins.set(ups, (set = new Set()))
    set.add(client)
  }

  /** Release a LOGIN (LOGOUT or disconnect). */
  logout(ups: ServedUps, client: ClientInfo): void {
    this.#logins.get(ups)?.delete(client)
  }

  /** NUMLOGINS */
  numLogins(ups: ServedUps): number {
    return this.#logins.get(ups)?.size ?? 0
  }

  /** Logged-in clients of a UPS, newest connection first (upsd's LIST CLIENT order). */
  clients(ups: ServedUps): ClientInfo[] {
    return [...(this.#logins.get(ups) ?? [])].sort((a, b) => b.seq - a.seq)
  }
}

/**
 * Contracts of the HTTP layer. It never imports server/ or monitor/ (scripts/check-layers.mjs):
 * what it needs from them is described here as small read-only shapes, and cli/_http.ts adapts
 * the live objects (NutServer, MonitorLoop) to them.
 */
import type { Availability } from "../ups/index.ts"

// ----- UPS data -----

/** `GET TYPE` of a variable, decoded. */
export interface VarTypeInfo {
  readonly rw: boolean
  readonly kind: "STRING" | "NUMBER" | "UNKNOWN"
  /** STRING:n's n. */
  readonly maxLength?: number
  readonly enums?: readonly string[]
  readonly ranges?: readonly { readonly min: number; readonly max: number }[]
}

/** A NUT variable as the HTTP layer shows it. */
export interface VarReading {
  readonly name: string
  /** As `GET VAR` answers: `ups.status` carries the FSD latch. */
  readonly value: string
  /** `GET DESC` (`Description unavailable` when NUT has none). */
  readonly description: string
  readonly type?: VarTypeInfo
}

/** An instant command and its `GET CMDDESC`. */
export interface CommandReading {
  readonly name: string
  readonly description: string
}

/**
 * Whether a UPS's data can be read: upsd's own answers (`ok`, `not-connected` = ERR
 * DRIVER-NOT-CONNECTED, `stale` = ERR DATA-STALE), or `unreachable` when the NUT server itself
 * cannot be reached (a secondary that lost its primary).
 */
export type UpsAvailability = Availability | "unreachable"

/** One UPS, read at one moment. */
export interface UpsReading {
  readonly name: string
  /** ups.conf `desc`, when set. */
  readonly desc: string | undefined
  readonly availability: UpsAvailability
  /** `ups.status` as clients see it (`FSD OB LB`), "" while unknown. */
  readonly status: string
  /** upsd's FSD latch. */
  readonly fsd: boolean
  /** Variables in `LIST VAR` order (case-insensitive by name); empty unless available. */
  readonly variables: readonly VarReading[]
  readonly commands: readonly CommandReading[]
  /** Addresses of the clients logged in to this UPS (`LIST CLIENT`), newest first. */
  readonly clients: readonly string[]
  /** When the data last changed or was confirmed (ms since the epoch, 0 = never). */
  readonly updatedAt: number
}

/** What changed about a UPS, as the event stream carries it. */
export type UpsChange =
  | { readonly kind: "status"; readonly at: number; readonly ups: string; readonly status: string; readonly previous: string }
  | { readonly kind: "availability"; readonly at: number; readonly ups: string; readonly availability: UpsAvailability; readonly previous: UpsAvailability }
  | { readonly kind: "fsd"; readonly at: number; readonly ups: string; readonly fsd: boolean }
  /** Live values (not kept in history): the variables one driver update changed, `null` = removed. */
  | { readonly kind: "vars"; readonly at: number; readonly ups: string; readonly values: Readonly<Record<string, string | null>> }

/** The link to the NUT server a remote directory polls. */
export interface CommInfo {
  /** `unknown` until the first poll ends. */
  readonly state: "unknown" | "ok" | "lost"
  /** Last successful poll (ms since the epoch). */
  readonly lastOkAt?: number
  /** Failed polls since start. */
  readonly errors: number
  /** Wall time of the last poll round, ms. */
  readonly lastPollMs?: number
  /** Why the last poll failed, while `lost`. */
  readonly lastError?: string
}

/**
 * Where UPS data comes from: this process's drivers (the primary), or a NUT server polled over
 * the network (a secondary's view of its primary). Reads are synchronous: a remote directory
 * answers from its last poll.
 */
export interface UpsDirectory {
  /** `local`, or the polled NUT server as `host:port`. */
  readonly server: string
  /** UPS names and descriptions, in ups.conf (`LIST UPS`) order. */
  list(): readonly { readonly name: string; readonly desc: string | undefined }[]
  /** One UPS (case-insensitive name), or undefined when it is not known. */
  read(name: string): UpsReading | undefined
  /** Changes as they happen; returns the unsubscribe function. */
  subscribe(listener: (change: UpsChange) => void): () => void
  /** The link to the NUT server (remote directories only). */
  comm?(): CommInfo
}

// ----- Writes -----

/** Credentials a write runs with: a NUT user from upsd.users / nutctl `users:`. */
export interface Credentials {
  readonly user: string
  readonly password: string
}

/** How a write ended: NUT's answer (`ERR <code>` → `error`), or the tracked driver result. */
export type WriteReply =
  | { readonly ok: true; readonly result: "SUCCESS" | "PENDING" | "SENT"; readonly trackingId?: string }
  | { readonly ok: false; readonly error: string; readonly trackingId?: string }

/** SET VAR, INSTCMD and FSD, carried out with the caller's NUT credentials. */
export interface UpsControl {
  setVar(request: { readonly ups: string; readonly name: string; readonly value: string; readonly credentials: Credentials }): Promise<WriteReply>
  instcmd(request: { readonly ups: string; readonly cmd: string; readonly param?: string; readonly credentials: Credentials }): Promise<WriteReply>
  fsd(request: { readonly ups: string; readonly credentials: Credentials }): Promise<WriteReply>
}

/** A user that may authenticate on the HTTP API: the same shape as server/'s UserRecord. */
export interface HttpUser {
  readonly name: string
  readonly password: string | undefined
  /** Granted actions, lower-case (`set`, `fsd`, …). */
  readonly actions: ReadonlySet<string>
  /** Allowed instant commands, lower-case; `all` allows every one. */
  readonly instcmds: ReadonlySet<string>
}

// ----- Server counters -----

/** What the NUT server tells the metrics (cli/_http.ts adapts NutServer to it). */
export interface ServerView {
  /** Open client connections. */
  connections(): number
  /** Clients logged in to a UPS (`NUMLOGINS`). */
  numLogins(ups: string): number
  /** Requests handled since start, by command word (`GET`, `LIST`, … `UNKNOWN`). */
  requests(): ReadonlyMap<string, number>
}

/** Driver statistics, for drivers that keep them (absent ones are simply not exported). */
export interface DriverStats {
  readonly polls: number
  readonly errors: number
  /** Duration of the last poll, seconds. */
  readonly lastPollSeconds?: number
}

// ----- Monitor -----

/** One supply as this host's monitor sees it (upsmon's view). */
export interface SupplyView {
  /** `ups@host:port` as configured. */
  readonly system: string
  readonly role: "primary" | "secondary"
  /** Power supplies of this host it feeds (POWERVALUE). */
  readonly powerValue: number
  readonly comm: "unknown" | "ok" | "lost"
  /** Last `ups.status` received. */
  readonly status: string | undefined
  readonly online: boolean
  readonly onBattery: boolean
  readonly lowBattery: boolean
  readonly fsd: boolean
  /** The monitor counts it as critical (OB+LB, FSD, or DEADTIME). */
  readonly critical: boolean
  readonly lastPollAt?: number
}

/** This host's monitor, read-only: what the metrics, the API and the dashboard show. */
export interface MonitorSnapshot {
  readonly phase: "monitoring" | "syncing" | "finalDelay" | "shutdown"
  /** When the phase began (ms since the epoch), for every phase but `monitoring`. */
  readonly phaseSince?: number
  /** Sum of the power values of non-critical supplies (upsmon's recalc). */
  readonly powerValue: number
  readonly minSupplies: number
  readonly supplies: readonly SupplyView[]
}

/** The monitor runtime, as the HTTP layer reads it. */
export interface MonitorView {
  /** The monitor now; undefined while no monitor runs in this process. */
  snapshot(): MonitorSnapshot | undefined
}

// ----- Shutdown plan -----

/**
 * The shutdown plan, its runtime budget and the last drill, as the HTTP layer reads them.
 * `nutctl serve` with a cluster role implements it (src/cli/_shutdown-view.ts); without one the
 * `nutctl_shutdown_*` / `nutctl_drill_*` metrics are absent and `/api/v1/shutdown` says
 * `available: false`.
 */
export interface ShutdownView {
  /** The current plan: steps, how many are done, and the time it needs. */
  plan(): { readonly steps: number; readonly done: number; readonly needSeconds: number; readonly running: boolean } | undefined
  /** Runtime budget (battery.runtime of the supply that feeds the host), seconds. */
  budgetSeconds(): number | undefined
  /** The last drill: when, whether it passed, and how long it took. */
  lastDrill(): { readonly at: number; readonly ok: boolean; readonly seconds: number } | undefined
}

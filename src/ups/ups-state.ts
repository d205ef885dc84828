import type { Availability, Now, StateChange, UpsWriter, WriteResult } from "./types.ts"
import { newVariable, type UpsVariable, type VarFlag } from "./variable.ts"
import { withFsd } from "./status.ts"

export interface UpsStateOptions {
  /** Driver silence after which data is stale (upsd's MAXAGE). @default 15000 */
  readonly maxAgeMs?: number
  /** Time source. @default Date.now */
  readonly now?: Now
}

/**
 * The one model of a UPS (DESIGN §3): NUT variables with flags, enums and ranges, instant
 * commands, the status word with upsd's FSD latch, and freshness. A driver writes it; the server,
 * HTTP and the monitor read it. Methods mirror the NUT driver socket verbs (SETINFO, ADDENUM…).
 */
export class UpsState {
  readonly #vars = new Map<string, UpsVariable>()
  readonly #cmds = new Map<string, string>()
  #sortedVars: UpsVariable[] | undefined
  #sortedCmds: string[] | undefined
  readonly #listeners = new Set<(change: StateChange) => void>()
  #writer: UpsWriter | undefined
  #connected = false
  #driverStale = false
  #fsd = false
  #version = 0
  #lastHeard = 0
  #updatedAt = 0
  #lastAvailability: Availability = "not-connected"
  /** MAXAGE in ms; a reload may change it ({@link setMaxAge}). */
  get maxAgeMs(): number {
    return this.#maxAgeMs
  }
  #maxAgeMs: number
  readonly #now: Now

  constructor(options: UpsStateOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 15_000
    this.#now = options.now ?? Date.now
  }

  // ----- reading -----

  /** Case-insensitive variable lookup. */
  get(name: string): UpsVariable | undefined {
    return this.#vars.get(name.toLowerCase())
  }

  /** Value of a variable, if published. */
  value(name: string): string | undefined {
    return this.#vars.get(name.toLowerCase())?.value
  }

  /** All variables, sorted case-insensitively by name (upsd's LIST VAR order). */
  variables(): readonly UpsVariable[] {
    this.#sortedVars ??= [...this.#vars.values()].sort((a, b) => compareNames(a.name, b.name))
    return this.#sortedVars
  }

  /** Instant command names, sorted case-insensitively (upsd's LIST CMD order). */
  commands(): readonly string[] {
    this.#sortedCmds ??= [...this.#cmds.values()].sort(compareNames)
    return this.#sortedCmds
  }

  /** Stored spelling of a command, if the UPS supports it. */
  command(name: string): string | undefined {
    return this.#cmds.get(name.toLowerCase())
  }

  /** The driver's raw status word (without the FSD latch). */
  get rawStatus(): string {
    return this.value("ups.status") ?? ""
  }

  /** The status clients see: `FSD ` prepended while the latch is set. */
  get status(): string {
    return withFsd(this.rawStatus, this.#fsd)
  }

  /** upsd's FSD latch. */
  get fsd(): boolean {
    return this.#fsd
  }

  /** When the driver last changed or confirmed the data (ms since epoch, 0 = never). */
  get updatedAt(): number {
    return this.#updatedAt
  }

  /** When the driver was last heard from (ms since epoch, 0 = never). */
  get lastHeard(): number {
    return this.#lastHeard
  }

  /**
   * Goes up with every change a client could read (values, flags, enums, ranges, commands, the
   * FSD latch, the driver coming or going); reused replies are checked against it.
   */
  get version(): number {
    return this.#version
  }

  /** Driver connected, and data fresh (within MAXAGE, not declared stale by the driver)? */
  availability(): Availability {
    if (!this.#connected) return "not-connected"
    if (this.#driverStale || this.#now() - this.#lastHeard > this.#maxAgeMs) return "stale"
    return "ok"
  }

  /** A new MAXAGE (upsd.conf reloaded); availability is re-checked at once. */
  setMaxAge(ms: number): void {
    this.#maxAgeMs = ms
    this.#checkAvailability()
  }

  // ----- writing (driver side) -----

  /** SETINFO: create or update a variable. */
  setInfo(name: string, value: string): void {
    const key = name.toLowerCase()
    const v = this.#vars.get(key)
    if (v === undefined) {
      this.#vars.set(key, newVariable(name, value))
      this.#sortedVars = undefined
    } else if (v.value === value) return
    else v.value = value
    this.#touch()
    this.#emit({ kind: "var", name, value })
  }

  /** DELINFO: remove a variable. */
  delInfo(name: string): void {
    if (this.#vars.delete(name.toLowerCase())) {
      this.#sortedVars = undefined
      this.#touch()
      this.#emit({ kind: "var", name, value: undefined })
    }
  }

  /** SETFLAGS: replace a variable's flags. */
  setFlags(name: string, flags: readonly VarFlag[]): void {
    const v = this.get(name)
    if (!v) return
    const rw = flags.includes("RW")
    const string = flags.includes("STRING")
    if (v.rw === rw && v.string === string) return
    v.rw = rw
    v.string = string
    this.#emit({ kind: "flags", name: v.name, rw, string })
  }

  /** SETAUX: maximum length of a STRING variable. */
  setAux(name: string, aux: number): void {
    const v = this.get(name)
    if (!v || v.aux === aux) return
    v.aux = aux
    this.#emit({ kind: "aux", name: v.name, aux })
  }

  /** ADDENUM: append an allowed value (duplicates ignored). */
  addEnum(name: string, value: string): void {
    const v = this.get(name)
    if (!v || v.enums.includes(value)) return
    v.enums.push(value)
    this.#emit({ kind: "enum", name: v.name, value, present: true })
  }

  /** DELENUM */
  delEnum(name: string, value: string): void {
    const v = this.get(name)
    const i = v ? v.enums.indexOf(value) : -1
    if (!v || i < 0) return
    v.enums.splice(i, 1)
    this.#emit({ kind: "enum", name: v.name, value, present: false })
  }

  /** ADDRANGE: append an allowed numeric range (duplicates ignored). */
  addRange(name: string, min: number, max: number): void {
    const v = this.get(name)
    if (!v || v.ranges.some((r) => r.min === min && r.max === max)) return
    v.ranges.push({ min, max })
    this.#emit({ kind: "range", name: v.name, min, max, present: true })
  }

  /** DELRANGE */
  delRange(name: string, min: number, max: number): void {
    const v = this.get(name)
    const i = v ? v.ranges.findIndex((r) => r.min === min && r.max === max) : -1
    if (!v || i < 0) return
    v.ranges.splice(i, 1)
    this.#emit({ kind: "range", name: v.name, min, max, present: false })
  }

  /** ADDCMD */
  addCmd(name: string): void {
    const key = name.toLowerCase()
    if (this.#cmds.has(key)) return
    this.#cmds.set(key, name)
    this.#sortedCmds = undefined
    this.#emit({ kind: "cmd", name, present: true })
  }

  /** DELCMD */
  delCmd(name: string): void {
    if (this.#cmds.delete(name.toLowerCase())) {
      this.#sortedCmds = undefined
      this.#emit({ kind: "cmd", name, present: false })
    }
  }

  /** The driver is alive (upsd's "last heard"), even if nothing changed. */
  heartbeat(): void {
    this.#lastHeard = this.#now()
    this.#checkAvailability()
  }

  /** DATASTALE / DATAOK from the driver. */
  setDriverStale(stale: boolean): void {
    this.#driverStale = stale
    if (!stale) this.#lastHeard = this.#now()
    this.#checkAvailability()
  }

  /** The driver connected: data will follow. */
  markConnected(writer: UpsWriter): void {
    this.#writer = writer
    this.#version++
    this.#connected = true
    this.#driverStale = false
    this.#lastHeard = this.#now()
    this.#checkAvailability()
  }

  /** The driver went away: like upsd, forget everything it published (the FSD latch stays). */
  markDisconnected(): void {
    this.#writer = undefined
    this.#version++
    this.#connected = false
    this.#vars.clear()
    this.#cmds.clear()
    this.#sortedVars = undefined
    this.#sortedCmds = undefined
    this.#checkAvailability()
  }

  // ----- writing (client side) -----

  /** Set upsd's FSD latch (never cleared by the protocol). */
  setFsd(): void {
    if (this.#fsd) return
    this.#fsd = true
    this.#emit({ kind: "fsd", fsd: true })
  }

  /** Clear the FSD latch (operator action; NUT only does this on restart). */
  clearFsd(): void {
    if (!this.#fsd) return
    this.#fsd = false
    this.#emit({ kind: "fsd", fsd: false })
  }

  /** Forward SET VAR to the driver. */
  async setvar(name: string, value: string): Promise<WriteResult> {
    if (!this.#writer) return "FAILED"
    return this.#writer.setvar(name, value)
  }

  /** Forward INSTCMD to the driver. */
  async instcmd(name: string, param?: string): Promise<WriteResult> {
    if (!this.#writer) return "FAILED"
    return this.#writer.instcmd(name, param)
  }

  /** Listen to changes; returns the unsubscribe function. */
  subscribe(listener: (change: StateChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Re-evaluate availability (MAXAGE expiry happens without any event) and emit a change. */
  checkAvailability(): Availability {
    return this.#checkAvailability()
  }

  #checkAvailability(): Availability {
    const now = this.availability()
    if (now !== this.#lastAvailability) {
      this.#lastAvailability = now
      this.#emit({ kind: "connection", availability: now })
    }
    return now
  }

  #touch(): void {
    const now = this.#now()
    this.#updatedAt = now
    this.#lastHeard = now
  }

  #emit(change: StateChange): void {
    this.#version++
    for (const l of this.#listeners) l(change)
  }
}

/** strcasecmp-style ordering: compare lower-cased bytes. */
export function compareNames(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x < y ? -1 : x > y ? 1 : 0
}

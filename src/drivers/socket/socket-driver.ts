import { quote } from "../../protocol/index.ts"
import type { UpsState, WriteResult } from "../../ups/index.ts"
import type { Driver, DriverLog } from "../types.ts"
import { applyDriverLine } from "./apply-driver-line.ts"
import { SocketLineReader } from "./line-reader.ts"
import { REAL_TIMERS, sleepOn, type SocketConnect, type SocketLink, type SocketTimers } from "./types.ts"

/**
 * When SET/INSTCMD carry `TRACKING <id>`: `auto` sends it only to drivers that publish
 * `driver.version` ≥ 2.8 (the first release whose drivers parse and answer it).
 */
export type SocketTrackingMode = "auto" | "always" | "never"

export interface SocketDriverOptions {
  /** NUT driver name as in ups.conf (`snmp-ups`); published nowhere, used for `name` and messages. */
  readonly driver: string
  /** UPS name (the ups.conf section), for messages. */
  readonly upsName: string
  /** The driver's socket: `<statepath>/<driver>-<upsname>`. */
  readonly path: string
  /** Opens the socket (node:net in production, memory pairs in tests). */
  readonly connect: SocketConnect
  readonly log: DriverLog
  /** @default real time */
  readonly timers?: SocketTimers
  /** Wait before the next connection attempt (upsd retries on every loop pass, ≤ 2 s). @default 2000 */
  readonly retryMs?: number
  /** How long SET/INSTCMD wait for the driver's `TRACKING <id> <n>`; then FAILED. @default 10000 */
  readonly trackingTimeoutMs?: number
  /** @default "auto" */
  readonly tracking?: SocketTrackingMode
  /** Tracking id source. @default upper-case random UUIDs, as upsd's ids look */
  readonly nextId?: () => string
  /** Added to "Cannot connect" warnings: why nutctl expects a driver process here. */
  readonly hint?: string
}

// upsd rate-limits "Cannot connect to UPS" to one line per SS_CONNFAIL_INT (300 s)
const CONNFAIL_LOG_MS = 300_000

/**
 * upsd's half of the driver socket protocol (server/sstate.c): feeds a UpsState from a real NUT
 * driver process (snmp-ups, nutdrv_qx, dummy-ups …) listening on `<statepath>/<driver>-<ups>`.
 *
 * - On connect: the state is connected, `ups.status` reads `WAIT`, `DUMPALL` is sent; every
 *   driver line is applied (see {@link applyDriverLine}); DATAOK/DATASTALE count only once
 *   `DUMPDONE` arrived, as in sstate_dead().
 * - After MAXAGE/3 of silence (and no PING in that time) a `PING` prods the driver; MAXAGE
 *   staleness itself is the UpsState's (every valid line is a heartbeat).
 * - When the socket drops the state is disconnected (data cleared → DRIVER-NOT-CONNECTED) and
 *   a new connection is tried every `retryMs`; "Cannot connect" is logged at most every 300 s.
 * - SET VAR / INSTCMD go out as `SET <var> "<val>" TRACKING <id>` / `INSTCMD <cmd> ["<param>"]
 *   TRACKING <id>` and resolve from the driver's `TRACKING <id> <n>` (0 SUCCESS, 1 UNKNOWN,
 *   2 INVALID-ARGUMENT, 3 FAILED; no answer in time → FAILED). Unlike upsd, which adds TRACKING only
 *   for clients that asked for it, every write is tracked so the returned WriteResult is the
 *   driver's. Pre-2.8 drivers would read `TRACKING` as an INSTCMD parameter, hence `auto`: to them
 *   the plain form is sent and SUCCESS means "sent", exactly what upsd can tell its clients.
 *   Deliberate difference: upsd 2.8.0 sends an INSTCMD parameter unquoted (`INSTCMD load.off p 1`,
 *   which the driver rejects as malformed); here it is quoted.
 */
export class SocketDriver implements Driver {
  readonly name: string
  readonly path: string
  readonly #upsName: string
  readonly #hint: string | undefined
  readonly #connect: SocketConnect
  readonly #log: DriverLog
  readonly #timers: SocketTimers
  readonly #retryMs: number
  readonly #trackingTimeoutMs: number
  readonly #tracking: SocketTrackingMode
  readonly #nextId: () => string
  #session: DriverSession | undefined
  #lastConnFail = -Infinity

  constructor(options: SocketDriverOptions) {
    this.name = options.driver
    this.path = options.path
    this.#upsName = options.upsName
    this.#hint = options.hint
    this.#connect = options.connect
    this.#log = options.log
    this.#timers = options.timers ?? REAL_TIMERS
    this.#retryMs = options.retryMs ?? 2000
    this.#trackingTimeoutMs = options.trackingTimeoutMs ?? 10_000
    this.#tracking = options.tracking ?? "auto"
    this.#nextId = options.nextId ?? (() => crypto.randomUUID().toUpperCase())
  }

  /** True while a driver socket connection is open. */
  get connected(): boolean {
    return this.#session !== undefined
  }

  /** Connect, reconnect after every drop, until `signal` aborts. Never throws. */
  async start(state: UpsState, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const session = new DriverSession(state, this, this.#timers, this.#log)
      let link: SocketLink
      try {
        link = await this.#connect(this.path, session.handlers)
      } catch (err) {
        this.#connectFailed(err)
        await sleepOn(this.#timers, this.#retryMs, signal)
        continue
      }
      if (signal.aborted) {
        link.close()
        break
      }
      this.#log.info(`Connected to UPS [${this.#upsName}]: ${this.path}`)
      const stop = (): void => session.end()
      signal.addEventListener("abort", stop, { once: true })
      this.#session = session
      session.begin(link)
      await session.closed
      this.#session = undefined
      signal.removeEventListener("abort", stop)
      if (!signal.aborted) {
        this.#log.warn(`Lost the driver of UPS [${this.#upsName}] (${this.path}); reconnecting`)
        await sleepOn(this.#timers, this.#retryMs, signal)
      }
    }
  }

  /** SET VAR: `SET <var> "<value>"`, answered through TRACKING. */
  async setvar(name: string, value: string): Promise<WriteResult> {
    return this.#send(`SET ${name} ${quote(value)}`)
  }

  /** INSTCMD: `INSTCMD <cmd> ["<param>"]`, answered through TRACKING. */
  async instcmd(name: string, param?: string): Promise<WriteResult> {
    return this.#send(param === undefined ? `INSTCMD ${name}` : `INSTCMD ${name} ${quote(param)}`)
  }

  async #send(line: string): Promise<WriteResult> {
    const session = this.#session
    if (session === undefined) return "FAILED"
    if (!this.#wantsTracking(session.state)) return session.write(`${line}\n`) ? "SUCCESS" : "FAILED"
    return session.track(this.#nextId(), line, this.#trackingTimeoutMs)
  }

  #wantsTracking(state: UpsState): boolean {
    if (this.#tracking !== "auto") return this.#tracking === "always"
    const m = /^(\d+)\.(\d+)/.exec(state.value("driver.version") ?? "")
    if (!m) return false
    const major = Number(m[1])
    return major > 2 || (major === 2 && Number(m[2]) >= 8)
  }

  #connectFailed(err: unknown): void {
    const now = this.#timers.now()
    if (now - this.#lastConnFail < CONNFAIL_LOG_MS) return
    this.#lastConnFail = now
    const reason = err instanceof Error ? err.message : String(err)
    this.#log.warn(`Cannot connect to UPS [${this.#upsName}] (${this.path}): ${reason}${this.#hint === undefined ? "" : `; ${this.#hint}`}`)
  }
}

/** One connection to the driver: from DUMPALL to the socket dropping. */
class DriverSession {
  readonly state: UpsState
  readonly closed: Promise<void>
  readonly handlers: { onData(bytes: Uint8Array): void; onClose(): void }
  readonly #writer: SocketDriver
  readonly #timers: SocketTimers
  readonly #reader: SocketLineReader
  readonly #pending = new Map<string, { resolve(result: WriteResult): void; cancel(): void }>()
  #link: SocketLink | undefined
  #ended = false
  #dumpDone = false
  #dataOk = false
  #lastHeard = 0
  #lastPing = -Infinity
  #cancelPing: (() => void) | undefined
  #resolveClosed: () => void = () => {}

  constructor(state: UpsState, writer: SocketDriver, timers: SocketTimers, log: DriverLog) {
    this.state = state
    this.#writer = writer
    this.#timers = timers
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve))
    this.#reader = new SocketLineReader(
      (words) => this.#onLine(words),
      (reason) => log.info(`Parse error on sock: ${reason}`),
    )
    this.handlers = {
      onData: (bytes) => {
        if (this.#link !== undefined && !this.#ended) this.#reader.feed(bytes)
      },
      onClose: () => this.end(),
    }
  }

  /** sstate_connect(): connected, `ups.status` WAIT until the dump brings the real one, DUMPALL. */
  begin(link: SocketLink): void {
    if (this.#ended) return link.close() // dropped before it was set up
    this.#link = link
    this.state.markConnected(this.#writer)
    this.state.setInfo("ups.status", "WAIT")
    this.#lastHeard = this.#timers.now()
    if (!link.write("DUMPALL\n")) return this.end()
    this.#schedulePing()
  }

  write(text: string): boolean {
    return !this.#ended && this.#link !== undefined && this.#link.write(text)
  }

  /** Send `<line> TRACKING <id>` and wait for the driver's `TRACKING <id> <n>`. */
  track(id: string, line: string, timeoutMs: number): Promise<WriteResult> {
    return new Promise((resolve) => {
      const cancel = this.#timers.setTimer(() => this.#settle(id, "FAILED"), timeoutMs)
      this.#pending.set(id, { resolve, cancel })
      if (!this.write(`${line} TRACKING ${id}\n`)) this.#settle(id, "FAILED")
    })
  }

  /** The socket is gone (or the driver stops): forget everything, as sstate_disconnect(). */
  end(): void {
    if (this.#ended) return
    this.#ended = true
    this.#cancelPing?.()
    for (const id of [...this.#pending.keys()]) this.#settle(id, "FAILED")
    this.#link?.close()
    if (this.#link !== undefined) this.state.markDisconnected()
    this.#resolveClosed()
  }

  #onLine(words: string[]): void {
    const line = applyDriverLine(this.state, words)
    if (line.kind === "invalid") return
    this.#lastHeard = this.#timers.now()
    this.state.heartbeat()
    switch (line.kind) {
      case "dump-done":
        this.#dumpDone = true
        this.state.setDriverStale(!this.#dataOk)
        break
      case "data":
        this.#dataOk = line.ok
        // sstate_dead(): "ignore DATAOK/DATASTALE unless the dump is done"
        if (this.#dumpDone) this.state.setDriverStale(!line.ok)
        break
      case "tracking":
        this.#settle(line.id, line.result)
        break
    }
  }

  #settle(id: string, result: WriteResult): void {
    const entry = this.#pending.get(id)
    if (entry === undefined) return
    this.#pending.delete(id)
    entry.cancel()
    entry.resolve(result)
  }

  /** sstate_dead(): PING once nothing was heard, and nothing pinged, for more than MAXAGE/3. */
  #schedulePing(): void {
    const after = this.state.maxAgeMs / 3
    const due = Math.max(this.#lastHeard, this.#lastPing) + after
    const wait = Math.max(1, due - this.#timers.now() + 1)
    this.#cancelPing = this.#timers.setTimer(() => {
      if (this.#ended) return
      const now = this.#timers.now()
      if (now - this.#lastHeard > after && now - this.#lastPing > after) {
        this.#lastPing = now
        if (!this.write("PING\n")) return this.end()
      }
      this.state.checkAvailability()
      this.#schedulePing()
    }, wait)
  }
}

import type { StateChange, UpsState, WriteResult } from "../../ups/index.ts"
import type { DriverLog } from "../types.ts"
import { formatChange, formatDump } from "./driver-lines.ts"
import { SocketLineReader } from "./line-reader.ts"
import type { SocketHandlers, SocketLink, SocketListen, SocketListener } from "./types.ts"

export interface DriverSocketServerOptions {
  /** The state a nutctl driver keeps up to date (and whose writer gets SET/INSTCMD). */
  readonly state: UpsState
  /** Where upsd looks for the driver: `<statepath>/<driver>-<upsname>`. */
  readonly path: string
  /** Opens the listening socket (node:net in production, memory pairs in tests). */
  readonly listen: SocketListen
  readonly log: DriverLog
}

// STAT_SET_* / STAT_INSTCMD_* numbers of `TRACKING <id> <n>`
const RESULT_NUMBER: Readonly<Record<WriteResult, number>> = { SUCCESS: 0, UNKNOWN: 1, "INVALID-ARGUMENT": 2, FAILED: 3 }

/**
 * The driver's half of the NUT driver socket (drivers/dstate.c of NUT 2.8.0), so a real upsd can
 * serve a UPS that a nutctl driver runs: one UpsState on `<statepath>/<driver>-<ups>`, any number
 * of upsd connections at once.
 *
 * - `DUMPALL` → the whole state ({@link formatDump}); `PING` → `PONG`
 * - every change of the state is broadcast as it happens (SETINFO, DELINFO, SETFLAGS, ADDENUM …);
 *   freshness as `DATAOK`/`DATASTALE` when it flips. When the nutctl driver disconnects, its
 *   UpsState forgets the data, so upsd is told to (`DELINFO`/`DELCMD` of everything it was sent)
 *   and that the data is stale, as a real driver that lost its device keeps its socket open.
 * - `SET <var> <value> [TRACKING <id>]`, `INSTCMD <cmd> [<param>] [TRACKING <id>]` go to the
 *   state's writer; with an id the result is answered as `TRACKING <id> <0…3>`.
 * MAXAGE expiry of the state has no event of its own, so each PING and DUMPALL re-checks it; upsd
 * pings a silent driver every MAXAGE/3.
 */
export class DriverSocketServer {
  readonly path: string
  readonly #state: UpsState
  readonly #listen: SocketListen
  readonly #log: DriverLog
  readonly #links = new Set<SocketLink>()
  /** Variables and commands upsd has been told about (the state forgets them on disconnect). */
  readonly #sentVars = new Map<string, string>()
  readonly #sentCmds = new Map<string, string>()
  #stale = true
  #listener: SocketListener | undefined
  #unsubscribe: (() => void) | undefined

  constructor(options: DriverSocketServerOptions) {
    this.path = options.path
    this.#state = options.state
    this.#listen = options.listen
    this.#log = options.log
  }

  /** Number of open upsd connections. */
  get connectionCount(): number {
    return this.#links.size
  }

  /** Start listening; rejects when the socket cannot be created. */
  async listen(): Promise<void> {
    const state = this.#state
    this.#stale = state.checkAvailability() !== "ok"
    for (const v of state.variables()) this.#sentVars.set(v.name.toLowerCase(), v.name)
    for (const c of state.commands()) this.#sentCmds.set(c.toLowerCase(), c)
    this.#unsubscribe = state.subscribe((change) => this.#onChange(change))
    try {
      this.#listener = await this.#listen(this.path, (link) => this.#accept(link))
    } catch (err) {
      this.#unsubscribe()
      throw err
    }
    this.#log.info(`Listening on socket ${this.path}`)
  }

  /** Stop listening, drop every upsd connection and remove the socket. */
  async close(): Promise<void> {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    for (const link of [...this.#links]) link.close()
    this.#links.clear()
    await this.#listener?.close()
    this.#listener = undefined
  }

  #accept(link: SocketLink): SocketHandlers {
    this.#links.add(link)
    const reader = new SocketLineReader(
      (words) => this.#onLine(link, words),
      (reason) => this.#log.info(`Parse error on sock: ${reason}`),
    )
    return {
      onData: (bytes) => {
        if (this.#links.has(link)) reader.feed(bytes)
      },
      onClose: () => this.#links.delete(link),
    }
  }

  /** sock_arg() of dstate.c. */
  #onLine(link: SocketLink, words: readonly string[]): void {
    const verb = words[0]?.toUpperCase()
    if (verb === "DUMPALL") {
      this.#recheck()
      link.write(formatDump(this.#state, this.#stale))
      return
    }
    if (verb === "PING") {
      this.#recheck()
      link.write("PONG\n")
      return
    }
    if (verb === "INSTCMD" && words.length >= 2) return this.#instcmd(link, words)
    if (verb === "SET" && words.length >= 3) return this.#set(link, words)
    this.#log.info(`Unknown command on socket: ${words.join(" ")}`)
  }

  /** INSTCMD <cmd> [<param>] [TRACKING <id>]: any other shape is "Malformed INSTCMD request". */
  #instcmd(link: SocketLink, words: readonly string[]): void {
    const [, cmd = "", w2, w3, w4] = words
    let param: string | undefined
    let id: string | undefined
    if (words.length === 3) param = w2
    else if (words.length === 4 && w2?.toUpperCase() === "TRACKING") id = w3
    else if (words.length === 5 && w3?.toUpperCase() === "TRACKING") {
      param = w2
      id = w4
    } else if (words.length !== 2) {
      this.#log.info(`Malformed INSTCMD request: ${words.join(" ")}`)
      return
    }
    this.#answer(link, id, this.#state.instcmd(cmd, param))
  }

  /** SET <var> <value> [TRACKING <id>]: five words must end in TRACKING <id>. */
  #set(link: SocketLink, words: readonly string[]): void {
    const [, name = "", value = "", w3, w4] = words
    let id: string | undefined
    if (words.length === 5) {
      if (w3?.toUpperCase() !== "TRACKING") {
        this.#log.info(`Got SET <var> with unsupported parameters (${w3}/${w4})`)
        return
      }
      id = w4
    }
    this.#answer(link, id, this.#state.setvar(name, value))
  }

  #answer(link: SocketLink, id: string | undefined, result: Promise<WriteResult>): void {
    result.then(
      (r) => {
        if (id !== undefined && this.#links.has(link)) link.write(`TRACKING ${id} ${RESULT_NUMBER[r]}\n`)
      },
      () => {
        if (id !== undefined && this.#links.has(link)) link.write(`TRACKING ${id} ${RESULT_NUMBER.FAILED}\n`)
      },
    )
  }

  #onChange(change: StateChange): void {
    switch (change.kind) {
      case "var":
        if (change.value === undefined) this.#sentVars.delete(change.name.toLowerCase())
        else this.#sentVars.set(change.name.toLowerCase(), this.#state.get(change.name)?.name ?? change.name)
        break
      case "cmd":
        if (change.present) this.#sentCmds.set(change.name.toLowerCase(), change.name)
        else this.#sentCmds.delete(change.name.toLowerCase())
        break
      case "connection":
        return this.#availabilityChanged(change.availability)
    }
    this.#broadcast(formatChange(change))
  }

  #availabilityChanged(availability: "ok" | "stale" | "not-connected"): void {
    let out = ""
    if (availability === "not-connected") {
      for (const name of this.#sentVars.values()) out += `DELINFO ${name}\n`
      for (const name of this.#sentCmds.values()) out += `DELCMD ${name}\n`
      this.#sentVars.clear()
      this.#sentCmds.clear()
    }
    const stale = availability !== "ok"
    if (stale !== this.#stale) {
      this.#stale = stale
      out += stale ? "DATASTALE\n" : "DATAOK\n"
    }
    this.#broadcast(out)
  }

  /** MAXAGE expiry emits no event by itself. */
  #recheck(): void {
    this.#state.checkAvailability()
  }

  #broadcast(text: string): void {
    if (text === "") return
    for (const link of this.#links) link.write(text)
  }
}

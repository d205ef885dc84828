/**
 * The local shortcut (issue 4 item 3): on the host that serves the UPS, the monitor reads the
 * in-process UpsState instead of talking TCP to itself, with the answers upsd would give.
 * - status is `state.status` (the FSD latch included), after upsd's availability check:
 *   DRIVER-NOT-CONNECTED / DATA-STALE are failed polls, exactly as over the wire;
 * - the monitor counts in NUMLOGINS like upsmon's own LOGIN on localhost does, so a primary still
 *   waits for NUMLOGINS ≤ 1 and other clients see the same count as with upsmon;
 * - the MONITOR line's user must hold the rights upsd would check (LOGIN, PRIMARY, FSD) when the
 *   server's user table is given, so a misconfigured line fails here as it would over TCP;
 * - `watch` hands every change of that answer to the loop at once (what the push extension does for
 *   network secondaries), so the primary reacts to `OB LB` without waiting for its next poll;
 * - `clearFsd` can take the latch back (a shutdown called off when power returned), which over NUT
 *   nothing can: the secondaries then see the power back too.
 */
import { NutError } from "../protocol/index.ts"
import { hasStatusWord, type StateChange, type UpsState } from "../ups/index.ts"
import type { MonitorLogger, PollOptions, PollResult, SupplyConfig, SupplyLink } from "./types.ts"

/** A UPS this process serves, as the local link needs it (the CLI builds it from the server). */
export interface LocalUps {
  readonly state: UpsState
  /** The server's NUMLOGINS for this UPS. */
  numLogins(): number
  /** Count this monitor as a logged-in client (upsmon's LOGIN); returns its logout. */
  login(): () => void
  /** upsd.users check: does this user/password hold `action` (login, primary, master, fsd)? @default everything allowed */
  hasAction?(user: string, password: string, action: string): boolean
}

export interface LocalLinkOptions {
  readonly supply: SupplyConfig
  readonly ups: LocalUps
  readonly log: MonitorLogger
}

/** Create a link to a UPS served by this process. */
export function createLocalLink(options: LocalLinkOptions): SupplyLink {
  return new LocalLink(options)
}

class LocalLink implements SupplyLink {
  readonly system: string
  readonly #o: LocalLinkOptions
  /** The logout of our LOGIN, while "connected". */
  #logout: (() => void) | undefined
  #connected = false

  constructor(options: LocalLinkOptions) {
    this.#o = options
    this.system = options.supply.system
  }

  async poll(options?: PollOptions): Promise<PollResult> {
    if (!this.#connected) this.#logIn()
    const result = this.#read()
    if (options?.runtime !== true || result.kind !== "status" || !hasStatusWord(result.status, "OB")) return result
    // GET VAR battery.runtime: a UPS that does not report it leaves the budget undecided
    const seconds = Number.parseFloat(this.#o.ups.state.value("battery.runtime") ?? "")
    return Number.isFinite(seconds) ? { ...result, runtime: { seconds } } : result
  }

  watch(deliver: (result: PollResult) => void): () => void {
    let last = JSON.stringify(this.#read())
    let scheduled = false
    // one microtask later: a driver update that sets several variables yields one result
    const flush = (): void => {
      scheduled = false
      const result = this.#read()
      const key = JSON.stringify(result)
      if (key === last) return
      last = key
      deliver(result)
    }
    return this.#o.ups.state.subscribe((change) => {
      if (!affectsStatus(change) || scheduled) return
      scheduled = true
      queueMicrotask(flush)
    })
  }

  /** What upsd would answer `GET VAR <ups> ups.status` with. */
  #read(): PollResult {
    const { state } = this.#o.ups
    const availability = state.availability()
    if (availability === "not-connected") return { kind: "failed", error: "DRIVER-NOT-CONNECTED" }
    if (availability === "stale") return { kind: "failed", error: "DATA-STALE" }
    if (state.get("ups.status") === undefined) return { kind: "failed", error: "VAR-NOT-SUPPORTED" }
    const status = state.status
    const alarm = hasStatusWord(status, "ALARM") ? state.value("ups.alarm") : undefined
    return alarm === undefined ? { kind: "status", status } : { kind: "status", status, alarm }
  }

  async setFsd(): Promise<void> {
    // upsd sets the latch with the driver down too; only the rights are checked
    if (!this.#allowed("fsd")) throw new NutError("ACCESS-DENIED")
    this.#o.ups.state.setFsd()
  }

  async clearFsd(): Promise<void> {
    if (!this.#allowed("fsd")) throw new NutError("ACCESS-DENIED")
    this.#o.ups.state.clearFsd()
  }

  async numLogins(): Promise<number> {
    const availability = this.#o.ups.state.availability()
    // GET NUMLOGINS goes through upsd's availability check
    if (availability === "not-connected") throw new NutError("DRIVER-NOT-CONNECTED")
    if (availability === "stale") throw new NutError("DATA-STALE")
    return this.#o.ups.numLogins()
  }

  drop(): void {
    this.#disconnect()
  }

  close(): void {
    this.#disconnect()
  }

  #logIn(): void {
    const { supply, log } = this.#o
    this.#connected = true
    if (!this.#allowed("login")) {
      log("error", `Login on UPS [${supply.system}] failed - got [ERR ACCESS-DENIED]`)
      return
    }
    this.#logout = this.#o.ups.login()
    if (supply.role === "primary" && !this.#allowed("primary") && !this.#allowed("master")) {
      log("error", `Setting primary mode on UPS [${supply.system}] failed - got [ERR ACCESS-DENIED]`)
    }
  }

  #disconnect(): void {
    this.#logout?.()
    this.#logout = undefined
    this.#connected = false
  }

  #allowed(action: string): boolean {
    const { supply, ups } = this.#o
    return ups.hasAction === undefined || ups.hasAction(supply.user ?? "", supply.password ?? "", action)
  }
}

/** Changes that can alter what a status poll answers. */
function affectsStatus(change: StateChange): boolean {
  if (change.kind === "fsd" || change.kind === "connection") return true
  if (change.kind !== "var") return false
  const name = change.name.toLowerCase()
  return name === "ups.status" || name === "ups.alarm"
}

/**
 * A supply on a NUT server (upsd or nutctl), reached the way upsmon 2.8.0 reaches it
 * (research/nut-reference.md §3.6, fixtures/nut-wire/05-…txt): one connection kept open, built
 * with STARTTLS (tried), USERNAME, PASSWORD, LOGIN and, for a primary, PRIMARY (falling back to
 * MASTER); then `GET VAR <ups> ups.status` each poll, plus `ups.alarm` while the status says ALARM.
 * A connection that fails is rebuilt at the next poll. Login refusals are logged and polling goes
 * on, as upsmon does: such a secondary is invisible to NUMLOGINS, such a primary cannot set FSD.
 *
 * After the login the link asks for nutctl's push extension (`NUTCTL PUSH <ups>`, README "Push
 * extension"): a nutctl server then sends every status change at once, and `watch` hands it to the
 * loop; a real upsd answers `ERR UNKNOWN-COMMAND` and the link just polls, as upsmon would.
 */
import { NutClient, NutClientError, nodeDialer, type ClientTlsOptions, type ClientTransport, type Dialer } from "../client/index.ts"
import { NutError, type PushUpdate } from "../protocol/index.ts"
import { hasStatusWord } from "../ups/index.ts"
import type { MonitorLogger, PollOptions, PollResult, SupplyConfig, SupplyLink } from "./types.ts"

export interface NetworkLinkOptions {
  readonly supply: SupplyConfig
  readonly log: MonitorLogger
  /** `try` like upsmon without FORCESSL; `require` with FORCESSL 1. @default "try" */
  readonly tls?: "off" | "try" | "require"
  readonly tlsOptions?: ClientTlsOptions
  /** Per-request timeout. @default the client's (libupsclient's 5 s) */
  readonly timeoutMs?: number
  /** @default the node:net dialer */
  readonly dialer?: Dialer
  /** Ask the server for pushed status changes (nutctl servers only; others are polled). @default true */
  readonly push?: boolean
}

/** Create the link; it connects at its first poll. */
export function createNetworkLink(options: NetworkLinkOptions): SupplyLink {
  return new NetworkLink(options)
}

class NetworkLink implements SupplyLink {
  readonly system: string
  readonly #o: NetworkLinkOptions
  #client: NutClient | undefined
  #transport: ClientTransport | undefined
  /** Login problems already logged, so a misconfigured login is reported once per change. */
  #loginProblem: string | undefined
  #deliver: ((result: PollResult) => void) | undefined
  /** The client whose pushes count (set before the request, since a push may follow the OK at once). */
  #pushClient: NutClient | undefined
  /** Whether the server pushes, as last negotiated (for a log line when it changes). */
  #pushing: boolean | undefined

  constructor(options: NetworkLinkOptions) {
    this.#o = options
    this.system = options.supply.system
  }

  async poll(options?: PollOptions): Promise<PollResult> {
    const ups = this.#o.supply.ups
    let client = this.#client
    if (client === undefined) {
      try {
        client = await this.#connect()
      } catch (e) {
        return { kind: "failed", error: errorCode(e) }
      }
    }
    try {
      const status = await client.getVar(ups, "ups.status")
      // newer upsmon reads ups.alarm for the ALARM message; a failure there is not a failed poll
      const alarm = hasStatusWord(status, "ALARM") ? await client.getVar(ups, "ups.alarm").catch(() => undefined) : undefined
      // the runtime budget (shutdown.when.runtimeBelow) reads battery.runtime on battery; a UPS
      // without it (ERR VAR-NOT-SUPPORTED) leaves the budget undecided, not the poll failed
      const onBattery = options?.runtime === true && hasStatusWord(status, "OB")
      const seconds = onBattery ? Number.parseFloat((await client.getVar(ups, "battery.runtime").catch(() => undefined)) ?? "") : Number.NaN
      return {
        kind: "status",
        status,
        ...(alarm === undefined ? {} : { alarm }),
        ...(Number.isFinite(seconds) ? { runtime: { seconds } } : {}),
      }
    } catch (e) {
      if (e instanceof NutError) return { kind: "failed", error: e.code }
      // the session is unusable (closed, timed out, garbled): upsmon's drop_connection
      this.#forget()
      return { kind: "failed", error: errorCode(e), dropped: true }
    }
  }

  async setFsd(): Promise<void> {
    const client = this.#client
    if (client === undefined) throw new Error("not connected")
    await this.#call(() => client.fsd(this.#o.supply.ups))
  }

  async numLogins(): Promise<number> {
    const client = this.#client
    if (client === undefined) throw new Error("not connected")
    return this.#call(() => client.getNumLogins(this.#o.supply.ups))
  }

  drop(): void {
    // no LOGOUT: closing the socket is what upsmon's exit does, and what makes NUMLOGINS drop
    this.#transport?.close()
    this.#client = undefined
    this.#transport = undefined
    this.#pushClient = undefined
  }

  close(): void {
    this.#client?.close()
    this.#client = undefined
    this.#transport = undefined
    this.#pushClient = undefined
  }

  watch(deliver: (result: PollResult) => void): () => void {
    this.#deliver = deliver
    return () => {
      if (this.#deliver === deliver) this.#deliver = undefined
    }
  }

  async #connect(): Promise<NutClient> {
    const { supply, timeoutMs, tlsOptions } = this.#o
    const base = this.#o.dialer ?? nodeDialer
    let transport: ClientTransport | undefined
    // keep the transport, to close it without the LOGOUT that NutClient.close() sends
    const dialer: Dialer = async (target, events) => (transport = await base(target, events))
    const client = await NutClient.connect({
      host: supply.host,
      port: supply.port,
      tls: this.#o.tls ?? "try",
      dialer,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(tlsOptions === undefined ? {} : { tlsOptions }),
    })
    try {
      await this.#logIn(client)
      if (this.#o.push !== false) await this.#askForPush(client)
    } catch (e) {
      this.#pushClient = undefined
      transport?.close()
      throw e
    }
    this.#client = client
    this.#transport = transport
    return client
  }

  /** upsmon's do_upsconn login sequence; only connection failures throw. */
  async #logIn(client: NutClient): Promise<void> {
    const { supply } = this.#o
    const problems: string[] = []
    const step = async (what: string, request: () => Promise<unknown>): Promise<boolean> => {
      try {
        await request()
        return true
      } catch (e) {
        if (!(e instanceof NutError)) throw e
        problems.push(`${what} on UPS [${supply.system}] failed - got [ERR ${e.code}]`)
        return false
      }
    }
    if (supply.user !== undefined) {
      // upsmon reads the USERNAME reply without checking it
      await client.username(supply.user).catch((e: unknown) => {
        if (!(e instanceof NutError)) throw e
      })
      await step("Password set", () => client.password(supply.password ?? ""))
    }
    const loggedIn = await step("Login", () => client.login(supply.ups))
    if (loggedIn && supply.role === "primary") await step("Setting primary mode", () => client.primary(supply.ups))
    const problem = problems.join("; ")
    if (problem !== "" && problem !== this.#loginProblem) this.#o.log("error", problem)
    this.#loginProblem = problem === "" ? undefined : problem
  }

  /** `NUTCTL PUSH <ups>`; any ERR (upsd: UNKNOWN-COMMAND) leaves the link polling. */
  async #askForPush(client: NutClient): Promise<void> {
    const { supply, log } = this.#o
    this.#pushClient = client
    const pushing = await client.watchPush(supply.ups, (update) => {
      // a push from a connection we already gave up is stale
      if (this.#pushClient === client) this.#deliver?.(pollResultOf(update))
    })
    if (pushing !== this.#pushing) log("debug", pushing ? `UPS [${supply.system}]: the server pushes status changes` : `UPS [${supply.system}]: no push extension on the server, polling`)
    this.#pushing = pushing
  }

  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (e) {
      if (!(e instanceof NutError)) this.#forget()
      throw e
    }
  }

  #forget(): void {
    this.#transport?.destroy()
    this.#client = undefined
    this.#transport = undefined
    this.#pushClient = undefined
  }
}

/** A pushed update as the poll result it stands for. */
function pollResultOf(update: PushUpdate): PollResult {
  if (update.kind === "failed") return { kind: "failed", error: update.error }
  return update.alarm === undefined ? { kind: "status", status: update.status } : { kind: "status", status: update.status, alarm: update.alarm }
}

/** PollResult error: the server's ERR code, or the client's failure as `CONNECT-FAILED`, `TIMEOUT`, … */
function errorCode(e: unknown): string {
  if (e instanceof NutError) return e.code
  if (e instanceof NutClientError) return e.code.toUpperCase()
  return `INTERNAL: ${(e as Error).message}`
}

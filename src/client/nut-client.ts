/**
 * A NUT protocol client, request for request what libupsclient, upsc, upsrw, upscmd and upsmon
 * send (research/nut-reference.md §1.5, §1.8). Server refusals throw `NutError` with the ERR code;
 * connection trouble throws `NutClientError`.
 */
import { NutError, formatArg, parsePushLine, pushRequest, quote, type PushUpdate } from "../protocol/index.ts"
import { Connection } from "./connection.ts"
import { NutClientError } from "./errors.ts"
import { nodeDialer } from "./node-transport.ts"
import { decodeType, getReply, lineReply, listReply, okReply, trackingReply, type ReplyDecoder } from "./reply.ts"
import { DEFAULT_TRACKING_WAIT_MS, realClock, waitForTracking } from "./tracking.ts"
import type {
  ClientClock,
  NutClientOptions,
  NutRange,
  NutVar,
  TrackingResult,
  UpsSummary,
  VarType,
  WriteOptions,
  WriteOutcome,
} from "./types.ts"

/** The IANA port of upsd. */
export const DEFAULT_NUT_PORT = 3493
/** libupsclient's DEFAULT_NETWORK_TIMEOUT. */
export const DEFAULT_TIMEOUT_MS = 5000

/** One session with a NUT server (upsd or nutctl). */
export class NutClient {
  readonly #conn: Connection
  readonly #clock: ClientClock
  #secure = false
  #tracking = false
  /** Push receivers by lower-cased UPS name (nutctl's push extension). */
  readonly #pushes = new Map<string, (update: PushUpdate) => void>()

  private constructor(conn: Connection, clock: ClientClock) {
    this.#conn = conn
    this.#clock = clock
  }

  /**
   * Connect, and run STARTTLS first when `tls` is `try` or `require` (upsc's order: STARTTLS is
   * the first line on the wire).
   * @throws {NutClientError} `connect-failed`, `timeout` or `tls-failed`
   */
  static async connect(options: NutClientOptions = {}): Promise<NutClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const conn = await Connection.open({
      host: options.host ?? "localhost",
      port: options.port ?? DEFAULT_NUT_PORT,
      timeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? timeoutMs,
      dialer: options.dialer ?? nodeDialer,
    })
    const client = new NutClient(conn, options.clock ?? realClock)
    const mode = options.tls ?? "off"
    if (mode !== "off") {
      try {
        await client.#startTls(mode, options)
      } catch (error) {
        conn.close()
        throw error
      }
    }
    return client
  }

  /** Host as given (name or address). */
  get host(): string {
    return this.#conn.host
  }

  get port(): number {
    return this.#conn.port
  }

  /** True when STARTTLS succeeded. */
  get secure(): boolean {
    return this.#secure
  }

  // ----- Informational -----

  /** `VER`: the server's version banner, e.g. `Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/`. */
  ver(): Promise<string> {
    return this.#conn.request("VER", lineReply((line) => line))
  }

  /** `NETVER`: the protocol version (`1.3` for 2.8.x). */
  netver(): Promise<string> {
    return this.#conn.request("NETVER", lineReply((line) => line))
  }

  // ----- LIST -----

  /** `LIST UPS`: names and descriptions, in ups.conf order. */
  async listUps(): Promise<UpsSummary[]> {
    const items = await this.#list(["UPS"])
    return items.map((w) => ({ name: this.#word(w, 0, "UPS name"), desc: this.#word(w, 1, "UPS description") }))
  }

  /** `LIST VAR <ups>`: every variable, sorted case-insensitively by upsd. */
  async listVar(ups: string): Promise<NutVar[]> {
    return this.#vars(await this.#list(["VAR", ups]))
  }

  /** `LIST RW <ups>`: the writable variables. */
  async listRw(ups: string): Promise<NutVar[]> {
    return this.#vars(await this.#list(["RW", ups]))
  }

  /** `LIST CMD <ups>`: instant command names. */
  async listCmd(ups: string): Promise<string[]> {
    return (await this.#list(["CMD", ups])).map((w) => this.#word(w, 0, "command name"))
  }

  /** `LIST ENUM <ups> <var>`: allowed values. */
  async listEnum(ups: string, name: string): Promise<string[]> {
    return (await this.#list(["ENUM", ups, name])).map((w) => this.#word(w, 0, "enum value"))
  }

  /** `LIST RANGE <ups> <var>`: allowed ranges. */
  async listRange(ups: string, name: string): Promise<NutRange[]> {
    return (await this.#list(["RANGE", ups, name])).map((w) => ({ min: this.#word(w, 0, "range minimum"), max: this.#word(w, 1, "range maximum") }))
  }

  /** `LIST CLIENT <ups>`: addresses of the connections that did `LOGIN <ups>`. */
  async listClient(ups: string): Promise<string[]> {
    return (await this.#list(["CLIENT", ups])).map((w) => this.#word(w, 0, "client address"))
  }

  // ----- GET -----

  /** `GET VAR <ups> <var>`: the value, unescaped. */
  async getVar(ups: string, name: string): Promise<string> {
    return this.#word(await this.#get(["VAR", ups, name]), 0, "value")
  }

  /** `GET TYPE <ups> <var>`. */
  async getType(ups: string, name: string): Promise<VarType> {
    return decodeType(await this.#get(["TYPE", ups, name]))
  }

  /** `GET DESC <ups> <var>`: cmdvartab's text, or `Description unavailable`. */
  async getDesc(ups: string, name: string): Promise<string> {
    return this.#word(await this.#get(["DESC", ups, name]), 0, "description")
  }

  /** `GET CMDDESC <ups> <cmd>`. */
  async getCmdDesc(ups: string, cmd: string): Promise<string> {
    return this.#word(await this.#get(["CMDDESC", ups, cmd]), 0, "description")
  }

  /** `GET UPSDESC <ups>`: ups.conf's desc, or `Unavailable`. */
  async getUpsDesc(ups: string): Promise<string> {
    return this.#word(await this.#get(["UPSDESC", ups]), 0, "description")
  }

  /** `GET NUMLOGINS <ups>`: how many connections did `LOGIN <ups>`. */
  async getNumLogins(ups: string): Promise<number> {
    const n = this.#word(await this.#get(["NUMLOGINS", ups]), 0, "login count")
    if (!/^\d+$/.test(n)) throw this.#protocol(`NUMLOGINS is not a number: ${n}`)
    return Number(n)
  }

  /** `GET TRACKING`: whether this connection has tracking on. */
  async getTrackingMode(): Promise<boolean> {
    const line = await this.#conn.request("GET TRACKING", lineReply((l) => l))
    if (line !== "ON" && line !== "OFF") throw this.#protocol(`GET TRACKING answered: ${line}`)
    return line === "ON"
  }

  /** `GET TRACKING <id>`: the driver's result for a tracked SET/INSTCMD. */
  getTracking(id: string): Promise<TrackingResult> {
    return this.#request(["GET", "TRACKING", id], trackingReply())
  }

  // ----- Session -----

  /** `USERNAME <name>` (upsd accepts any name here; a wrong one shows up as ACCESS-DENIED later). */
  async username(name: string): Promise<void> {
    await this.#request(["USERNAME", name], okReply())
  }

  /** `PASSWORD <password>`. */
  async password(password: string): Promise<void> {
    await this.#request(["PASSWORD", password], okReply())
  }

  /** `USERNAME` then `PASSWORD`, as upsrw/upscmd/upsmon send them. */
  async authenticate(name: string, password: string): Promise<void> {
    await this.username(name)
    await this.password(password)
  }

  /** `LOGIN <ups>`: count this connection in NUMLOGINS (what upsmon does). */
  async login(ups: string): Promise<void> {
    await this.#request(["LOGIN", ups], okReply())
  }

  /**
   * `PRIMARY <ups>`, falling back to `MASTER <ups>` on any ERR like upsmon 2.8 (NUT 2.7 servers
   * only know MASTER). Returns the keyword the server granted.
   */
  async primary(ups: string): Promise<"PRIMARY" | "MASTER"> {
    try {
      await this.#request(["PRIMARY", ups], okReply())
      return "PRIMARY"
    } catch (first) {
      if (!(first instanceof NutError)) throw first
      try {
        await this.#request(["MASTER", ups], okReply())
        return "MASTER"
      } catch (second) {
        // a server that does not know MASTER either told the truth the first time
        throw second instanceof NutError && second.code === "UNKNOWN-COMMAND" ? first : second
      }
    }
  }

  /** `FSD <ups>`: set the forced-shutdown latch; every upsmon of that UPS then shuts down. */
  async fsd(ups: string): Promise<void> {
    await this.#request(["FSD", ups], okReply())
  }

  /** `SET TRACKING ON|OFF` for this connection. */
  async setTracking(on: boolean): Promise<void> {
    await this.#conn.request(`SET TRACKING ${on ? "ON" : "OFF"}`, okReply())
    this.#tracking = on
  }

  // ----- nutctl's push extension (not NUT) -----

  /**
   * `NUTCTL PUSH <ups>`: ask a nutctl server to push every change of what `GET VAR <ups> ups.status`
   * answers (status, FSD latch, DATA-STALE …) on this connection; `deliver` gets each update.
   * Returns false when the server refused with any ERR (upsd 2.8.0 answers `ERR UNKNOWN-COMMAND`):
   * then nothing will be pushed and the caller keeps polling.
   */
  async watchPush(ups: string, deliver: (update: PushUpdate) => void): Promise<boolean> {
    this.#check([ups])
    const key = ups.toLowerCase()
    this.#pushes.set(key, deliver)
    this.#conn.onUnsolicited((line) => this.#pushed(line))
    let rest: string[]
    try {
      rest = await this.#conn.request(pushRequest(formatArg(ups)), okReply())
    } catch (error) {
      this.#unwatch(key)
      if (error instanceof NutError) return false
      throw error
    }
    // an OK without PUSH is not our extension (a server that says OK to anything): keep polling
    if (rest[0] === "PUSH") return true
    this.#unwatch(key)
    return false
  }

  #unwatch(key: string): void {
    this.#pushes.delete(key)
    if (this.#pushes.size === 0) this.#conn.onUnsolicited(undefined)
  }

  #pushed(line: string): boolean {
    const update = parsePushLine(line)
    if (update === undefined) return false
    this.#pushes.get(update.ups.toLowerCase())?.(update)
    return true
  }

  // ----- Writes -----

  /**
   * `SET VAR <ups> <var> "<value>"` (always quoted, like upsrw). With `track`, enables TRACKING
   * and polls the driver's result about once a second for up to `waitMs`.
   */
  async setVar(ups: string, name: string, value: string, options: WriteOptions = {}): Promise<WriteOutcome> {
    this.#check([ups, name, value])
    const tracked = options.track === true && (await this.#enableTracking())
    const rest = await this.#conn.request(`SET VAR ${formatArg(ups)} ${formatArg(name)} ${quote(value)}`, okReply())
    return this.#finishWrite(rest, tracked, options)
  }

  /** `INSTCMD <ups> <cmd> [<param>]`, tracked like {@link setVar}. */
  async instcmd(ups: string, cmd: string, param?: string, options: WriteOptions = {}): Promise<WriteOutcome> {
    const words = param === undefined ? ["INSTCMD", ups, cmd] : ["INSTCMD", ups, cmd, param]
    this.#check(words)
    const tracked = options.track === true && (await this.#enableTracking())
    const rest = await this.#request(words, okReply())
    return this.#finishWrite(rest, tracked, options)
  }

  // ----- End -----

  /** `LOGOUT`, wait for `OK Goodbye`, then close. */
  async logout(): Promise<void> {
    try {
      await this.#request(["LOGOUT"], okReply())
    } finally {
      this.#conn.close()
    }
  }

  /** Close the session; sends `LOGOUT` without waiting, as upscli_disconnect does. Idempotent. */
  close(): void {
    this.#conn.close("LOGOUT")
  }

  // ----- Internal helpers -----

  async #startTls(mode: "try" | "require", options: NutClientOptions): Promise<void> {
    try {
      await this.#conn.request("STARTTLS", okReply())
    } catch (error) {
      // upsc goes on in clear text after any ERR (Debian's upsd says FEATURE-NOT-CONFIGURED)
      if (error instanceof NutError && mode === "try") return
      if (error instanceof NutError) {
        throw new NutClientError("tls-failed", `STARTTLS refused (${error.code})`, { host: this.host, port: this.port, cause: error })
      }
      throw error
    }
    await this.#conn.startTls(options.tlsOptions ?? {})
    this.#secure = true
  }

  async #enableTracking(): Promise<boolean> {
    if (this.#tracking) return true
    try {
      await this.setTracking(true)
      return true
    } catch (error) {
      // NUT 2.7 has no TRACKING: SET TRACKING is INVALID-ARGUMENT there; write untracked
      if (error instanceof NutError && (error.code === "INVALID-ARGUMENT" || error.code === "UNKNOWN-COMMAND")) return false
      throw error
    }
  }

  async #finishWrite(rest: readonly string[], tracked: boolean, options: WriteOptions): Promise<WriteOutcome> {
    // upscmd only treats `OK TRACKING <36-char id>` as a tracking reply
    const id = rest[1]
    if (!tracked || rest[0] !== "TRACKING" || id === undefined || id.length !== 36) return { result: "OK" }
    const result = await waitForTracking(() => this.getTracking(id), this.#clock, options.waitMs ?? DEFAULT_TRACKING_WAIT_MS)
    return { result, trackingId: id }
  }

  #list(query: readonly string[]): Promise<string[][]> {
    return this.#request(["LIST", ...query], listReply(query))
  }

  #get(query: readonly string[]): Promise<string[]> {
    return this.#request(["GET", ...query], getReply(query))
  }

  #request<T>(words: readonly string[], decoder: ReplyDecoder<T>): Promise<T> {
    this.#check(words)
    return this.#conn.request(words.map(formatArg).join(" "), decoder)
  }

  #vars(items: readonly string[][]): NutVar[] {
    return items.map((w) => ({ name: this.#word(w, 0, "variable name"), value: this.#word(w, 1, "value") }))
  }

  #word(words: readonly string[], index: number, what: string): string {
    const w = words[index]
    if (w === undefined) throw this.#protocol(`reply lacks the ${what}`)
    return w
  }

  // a line break in an argument would end the request early and smuggle in a second one
  #check(words: readonly string[]): void {
    for (const w of words) {
      if (/[\r\n\0]/.test(w)) {
        throw new NutClientError("invalid-request", `an argument contains a line break or NUL`, { host: this.host, port: this.port })
      }
    }
  }

  #protocol(detail: string): NutClientError {
    return new NutClientError("protocol", detail, { host: this.host, port: this.port })
  }
}

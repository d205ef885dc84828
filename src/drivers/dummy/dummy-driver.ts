import type { UpsState, WriteResult } from "../../ups/index.ts"
import type { Driver, DriverLog } from "../types.ts"
import { parseDummyFile, type DummyFile, type DummyStep } from "./dummy-file.ts"
import { DummyDriverError } from "./dummy-errors.ts"
import { applyDummySetvar, applyDummyStep } from "./dummy-setvar.ts"
import { readTextFile, statFile } from "./node-fs.ts"

/** ups.conf `mode`s of dummy-ups that replay a file (`dummy` is the looping default). */
export const DUMMY_MODES = ["dummy", "dummy-once", "dummy-loop"] as const
/** ups.conf `mode` of dummy-ups (`dummy` is the looping default). */
export type DummyMode = (typeof DUMMY_MODES)[number]

export interface DummyDriverOptions {
  /** Absolute path of the `.dev`/`.seq` data file. */
  readonly file: string
  /** ups.conf `port` as written (published as `driver.parameter.port`). @default file */
  readonly port?: string
  /** ups.conf `mode`. @default from the name: `*.dev` → dummy-once, `*.seq` → dummy-loop, else dummy */
  readonly mode?: DummyMode
  /** ups.conf `pollinterval`, in seconds. @default 2 */
  readonly pollinterval?: number
  /** Where `port` is configured (`/etc/nut/ups.conf:7`), named when the file cannot be read. */
  readonly origin?: string
  /** Where malformed lines and unreadable files are reported. */
  readonly log: DriverLog
  /** Wait `ms`, resolving early when `signal` aborts. @default setTimeout */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** Clock for TIMER deadlines, ms since epoch. @default Date.now */
  readonly now?: () => number
  /** Read the data file. @default node:fs readFile */
  readonly readFile?: (path: string) => Promise<string>
  /** Modification time of the data file (dummy-once re-reads when it changes). @default node:fs stat */
  readonly stat?: (path: string) => Promise<{ readonly mtimeMs: number }>
}

// upsdrv_updateinfo() of dummy-ups 2.8.0 starts with sleep(1): every poll reads the file one
// second after the poll began, and the driver answers nothing in between
const UPDATE_DELAY_MS = 1000

/**
 * NUT 2.8.0's dummy-ups (DRIVER_VERSION 0.15) in simulation mode: replays a `.dev`/`.seq` file
 * into a UpsState with the timing, flags and quirks of the real driver (each one verified against
 * /lib/nut/dummy-ups; see the comments where they are reproduced).
 *
 * Timeline, as the real driver runs it (P = pollinterval):
 * - t=0: base variables, then the file is read up to the first TIMER or the end
 * - t=1 s: first update; then `driver.parameter.pollinterval`/`synchronous` and the `device.*`
 *   copies appear, and only then the driver is connected (upsd cannot reach it before)
 * - t=2 s, 2 s+P, 2 s+2P…: updates. An update inside a TIMER pause does nothing; otherwise it
 *   reads on to the next TIMER or the end. At the end, dummy-loop starts over at the next update
 *   (re-reading the file, so edits show up); dummy-once re-reads only when the mtime (whole
 *   seconds) changed.
 */
export class DummyDriver implements Driver {
  readonly name = "dummy-ups"
  /** How the file is replayed. */
  readonly mode: "dummy-once" | "dummy-loop"
  readonly #file: string
  readonly #port: string
  readonly #published: string
  readonly #pollMs: number
  readonly #log: DriverLog
  readonly #origin: string | undefined
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>
  readonly #now: () => number
  readonly #readFile: (path: string) => Promise<string>
  readonly #stat: (path: string) => Promise<{ readonly mtimeMs: number }>
  #state: UpsState | undefined
  #pass: { readonly steps: readonly DummyStep[]; next: number } | undefined
  /** dummy-ups' next_update: whole seconds (time()) before which reading stays paused. */
  #resumeAt = -1
  #readToEnd = false
  #mtime: number | undefined
  #parsed: { readonly text: string; readonly file: DummyFile } | undefined
  #lastProblem: string | undefined

  constructor(options: DummyDriverOptions) {
    this.#file = options.file
    this.#port = options.port ?? options.file
    const guessed: DummyMode = this.#port.endsWith(".dev") ? "dummy-once" : this.#port.endsWith(".seq") ? "dummy-loop" : "dummy"
    const mode = options.mode ?? guessed
    this.mode = mode === "dummy-once" ? "dummy-once" : "dummy-loop"
    // Quirk: an explicit `mode = dummy` is published as "dummy-loop", a guessed one as "dummy"
    this.#published = options.mode === "dummy" ? "dummy-loop" : mode
    this.#pollMs = Math.max(1, Math.trunc(options.pollinterval ?? 2)) * 1000
    this.#log = options.log
    this.#origin = options.origin
    this.#sleep = options.sleep ?? abortableSleep
    this.#now = options.now ?? Date.now
    this.#readFile = options.readFile ?? readTextFile
    this.#stat = options.stat ?? statFile
  }

  /**
   * Run until `signal` aborts; then, like upsd losing the driver socket, the state forgets the data.
   * @throws {DummyDriverError} `DUMMY_FILE_UNREADABLE` when the file cannot be read at start
   */
  async start(state: UpsState, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return
    try {
      this.#publishBase(state)
      // Quirk: dummy-ups stats the port as written, relative to its working directory (the state
      // path), so with a relative port it misses the mtime and re-reads a .dev once at t=1 s
      if (this.mode === "dummy-once" && this.#port.startsWith("/")) this.#mtime = await this.#mtimeSeconds()
      await this.#read(state, true)
      state.addCmd("load.off")
      await this.#sleep(UPDATE_DELAY_MS, signal)
      if (signal.aborted) return
      await this.#update(state)
      state.setInfo("driver.parameter.pollinterval", String(this.#pollMs / 1000))
      state.setInfo("driver.parameter.synchronous", "auto")
      // The driver core copies these once, after the first update: later changes of ups.* (TIMER
      // steps, SET VAR) are not mirrored, and they overwrite device.* lines of the file
      for (const what of ["mfr", "model", "serial"]) {
        const value = state.value(`ups.${what}`)
        if (value !== undefined) state.setInfo(`device.${what}`, value)
      }
      this.#state = state
      state.markConnected(this)
      while (!signal.aborted) {
        await this.#sleep(UPDATE_DELAY_MS, signal)
        if (signal.aborted) break
        await this.#update(state)
        state.heartbeat()
        await this.#sleep(Math.max(0, this.#pollMs - UPDATE_DELAY_MS), signal)
      }
    } finally {
      this.#state = undefined
      state.markDisconnected()
    }
  }

  /** SET VAR: dummy-ups accepts every name and value (see {@link applyDummySetvar}). */
  async setvar(name: string, value: string): Promise<WriteResult> {
    if (!this.#state) return "FAILED"
    applyDummySetvar(this.#state, name, value)
    return "SUCCESS"
  }

  /** INSTCMD: dummy-ups 2.8.0 advertises `load.off` but handles no command (STAT_INSTCMD_UNKNOWN). */
  async instcmd(name: string, param?: string): Promise<WriteResult> {
    this.#log.info(`dummy-ups: instcmd: unknown command [${name}] [${param ?? ""}]`)
    return "UNKNOWN"
  }

  /** What upsdrv_initinfo() and the driver core publish before the file is read. */
  #publishBase(state: UpsState): void {
    state.setInfo("driver.parameter.port", this.#port)
    state.setInfo("device.type", "ups")
    state.setInfo("driver.parameter.mode", this.#published)
    state.setInfo("driver.version", "2.8.0")
    state.setInfo("driver.version.internal", "0.15")
    state.setInfo("driver.name", "dummy-ups")
    for (const [name, value] of [["ups.mfr", "Dummy Manufacturer"], ["ups.model", "Dummy UPS"], ["ups.status", "OL"]] as const) {
      state.setInfo(name, value)
      state.setFlags(name, ["RW", "STRING"])
      state.setAux(name, 32)
    }
  }

  /** One upsdrv_updateinfo(), after its one-second sleep. */
  async #update(state: UpsState): Promise<void> {
    if (this.mode === "dummy-once" && this.#readToEnd) {
      const mtime = await this.#mtimeSeconds()
      if (mtime === undefined || mtime === this.#mtime) return
      this.#mtime = mtime
      this.#readToEnd = false
    }
    await this.#read(state, false)
  }

  /** dummy-ups' parse_data_file(): go on reading up to the next TIMER or the end of the file. */
  async #read(state: UpsState, initial: boolean): Promise<void> {
    const nowSec = Math.floor(this.#now() / 1000)
    if (nowSec < this.#resumeAt) return
    if (this.#pass === undefined) {
      const steps = await this.#load(initial)
      if (steps === undefined) return
      this.#pass = { steps, next: 0 }
    }
    this.#resumeAt = -1
    const pass = this.#pass
    for (let step = pass.steps[pass.next]; step !== undefined; step = pass.steps[pass.next]) {
      pass.next++
      if (step.kind === "timer") {
        this.#resumeAt = nowSec + step.seconds
        return
      }
      applyDummyStep(state, step)
    }
    this.#pass = undefined
    this.#readToEnd = true
  }

  /** Read and parse the file; report its problems once per content. */
  async #load(initial: boolean): Promise<readonly DummyStep[] | undefined> {
    let text: string
    try {
      text = await this.#readFile(this.#file)
    } catch (cause) {
      const reason = `${this.#file}: ${fileErrorText(cause)}`
      const message = this.#origin === undefined ? `Cannot read dummy-ups data file: ${reason}` : `${this.#origin}: port ${this.#port}: cannot read dummy-ups data file ${reason}`
      if (initial) throw new DummyDriverError("DUMMY_FILE_UNREADABLE", this.#file, message, { cause })
      // Deliberate difference: dummy-ups 2.8.0 exits here (fatalx "Can't open dummy-ups definition
      // file"), so upsd says DRIVER-NOT-CONNECTED; we keep serving and retry on the next pass
      this.#problem(`${message} (keeping the last data)`)
      return undefined
    }
    this.#lastProblem = undefined
    if (this.#parsed?.text !== text) {
      const file = parseDummyFile(text)
      for (const p of file.problems) this.#log.warn(`${this.#file}:${p.line}: ${p.message}`)
      this.#parsed = { text, file }
    }
    return this.#parsed.file.steps
  }

  async #mtimeSeconds(): Promise<number | undefined> {
    try {
      return Math.floor((await this.#stat(this.#file)).mtimeMs / 1000)
    } catch (cause) {
      this.#problem(`Cannot stat dummy-ups data file: ${this.#file}: ${fileErrorText(cause)}`)
      return undefined
    }
  }

  /** Warn about a file problem once, not on every poll. */
  #problem(message: string): void {
    if (message === this.#lastProblem) return
    this.#lastProblem = message
    this.#log.warn(message)
  }
}

// plain words instead of "ENOENT: no such file or directory, open '…'" (the path is named already)
const FILE_ERRORS: Readonly<Record<string, string>> = { ENOENT: "no such file", ENOTDIR: "no such file", EACCES: "permission denied", EPERM: "permission denied", EISDIR: "is a directory" }

function fileErrorText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === "string" && FILE_ERRORS[code] !== undefined) return FILE_ERRORS[code]
  return error instanceof Error ? error.message : String(error)
}

/** setTimeout that resolves early when `signal` aborts. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener("abort", done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener("abort", done, { once: true })
  })
}

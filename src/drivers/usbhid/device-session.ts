// One open HID UPS: transport, bound subdriver, decoded values and the buffered Feature reports.
// Every device request runs one at a time and under a deadline, so a hung device (a GET that
// never returns) ends the session instead of freezing the driver.
import {
  checkReport,
  findReport,
  HidTransportError,
  patchReport,
  type HidDeviceInfo,
  type HidField,
  type HidTransport,
} from "../../hid/index.ts"
import type { Binding } from "./binding.ts"
import { DeadlineError, withDeadline, type UsbHidClock } from "./clock.ts"
import { HidMapper, type ValueProblem } from "./mapper.ts"
import type { WriteStep } from "./writes.ts"

/** The device is gone, busy or hung: the session is over, the driver reconnects. */
export class DeviceLostError extends Error {
  readonly code = "E_USBHID_DEVICE_LOST"
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = "DeviceLostError"
  }
}

/** Something to log once (garbage, short or long reports, refused values). */
export interface SessionNotice {
  readonly key: string
  readonly message: string
}

// Transport failures that mean "the device is not usable any more" (NUT reconnects on
// NO_DEVICE, ACCESS, NOT_FOUND, BUSY; a timeout is our hung-device signal).
const LOST_CODES = new Set(["disconnected", "not-found", "busy", "timeout"])
const ABSENT: unique symbol = Symbol("absent")
const STALL: unique symbol = Symbol("stall")

export interface DeviceSessionOptions {
  readonly transport: HidTransport
  readonly binding: Binding
  readonly clock: UsbHidClock
  /** Deadline of one request (GET, SET, string); longer = hung. */
  readonly requestTimeoutMs: number
}

/** An open, bound device. Not reusable after `close()` or a DeviceLostError. */
export class DeviceSession {
  readonly transport: HidTransport
  readonly binding: Binding
  readonly mapper: HidMapper
  readonly #clock: UsbHidClock
  readonly #timeoutMs: number
  /** Last GET_REPORT(Feature) answer per report id, as received (what a write patches). */
  readonly #feature = new Map<number, Uint8Array>()
  #queue: Promise<unknown> = Promise.resolve()

  constructor(options: DeviceSessionOptions) {
    this.transport = options.transport
    this.binding = options.binding
    this.mapper = new HidMapper(options.binding, options.transport.info)
    this.#clock = options.clock
    this.#timeoutMs = options.requestTimeoutMs
  }

  get device(): HidDeviceInfo {
    return this.transport.info
  }

  /**
   * Reads the reports of a full or quick poll and applies them. A report the device refuses is
   * skipped (NUT skips that item); when none answers, the device is lost.
   * @throws {DeviceLostError}
   */
  async poll(kind: "full" | "quick", notices: SessionNotice[]): Promise<void> {
    const ids = kind === "full" ? this.binding.fullReports : this.binding.quickReports
    let answered = 0
    for (const id of ids) {
      const report = await this.#get(id, notices)
      if (report === undefined) continue
      answered++
      if (report === STALL) continue // the device is alive, it just has no data for this id
      this.#feature.set(id, report)
      this.#notice(notices, this.mapper.applyFeature(report))
    }
    if (ids.length > 0 && answered === 0) throw new DeviceLostError(`No report answered the ${kind} poll`)
  }

  /** Fetches the USB strings conversions asked for (iDeviceChemistry …). */
  async fetchStrings(): Promise<void> {
    this.mapper.render() // rendering is what finds out which strings are wanted
    const wanted = this.mapper.wantedStrings()
    if (wanted.length === 0) return
    const found = new Map<number, string>()
    for (const index of wanted) {
      const text = await this.#request(`string ${index}`, () => this.transport.indexedString(index)).catch((err: unknown) => {
        if (err instanceof DeviceLostError) throw err
        return undefined
      })
      // an unreadable string is remembered as empty so it is not asked again every poll
      found.set(index, text ?? "")
    }
    this.mapper.addStrings(found)
  }

  /**
   * Applies one interrupt-IN report. Garbage — empty, an id the descriptor has no Input report
   * for — is reported and ignored; it never reaches the status.
   */
  applyInterrupt(report: Uint8Array, notices: SessionNotice[]): boolean {
    if (report.length === 0) {
      notices.push({ key: "int:empty", message: "Ignoring an empty interrupt report" })
      return false
    }
    const id = report[0] ?? 0
    if (!this.binding.desc.reports.some((r) => r.type === "input" && r.reportId === id)) {
      notices.push({ key: `int:unknown:${id}`, message: `Ignoring interrupt report 0x${hex2(id)}: the descriptor declares no such Input report (${hexBytes(report)})` })
      return false
    }
    const check = checkReport(this.binding.desc, "input", report)
    if (check.status === "long") notices.push({ key: `int:long:${id}`, message: `Interrupt ${check.message}; using the declared part` })
    if (!this.mapper.usesInterrupt(id)) return false
    this.#notice(notices, this.mapper.applyInterrupt(report))
    return true
  }

  /**
   * Waits up to `waitMs` for one interrupt-IN report (undefined: none came). A read that does not
   * even return after the wait plus the request deadline means a hung device.
   * @throws {DeviceLostError}
   */
  async readInterrupt(waitMs: number, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const stop = new AbortController()
    const onAbort = (): void => stop.abort()
    signal.addEventListener("abort", onAbort, { once: true })
    const deadline: Promise<typeof ABSENT> = this.#clock.sleep(waitMs + this.#timeoutMs, stop.signal).then(
      () => ABSENT,
      () => ABSENT,
    )
    try {
      const result = await Promise.race([this.transport.readInput(waitMs), deadline])
      if (signal.aborted) return undefined
      if (result === ABSENT) throw new DeviceLostError(`Interrupt read: no answer within ${waitMs + this.#timeoutMs} ms (device hung)`)
      return result
    } catch (err) {
      if (signal.aborted) return undefined
      if (err instanceof DeviceLostError) throw err
      if (err instanceof HidTransportError && err.code === "timeout") return undefined
      // NUT reconnects on busy / no device / access errors, and on I/O errors with a hint
      const hint = err instanceof HidTransportError && err.code === "io" ? " (if this repeats, try the pollonly flag)" : ""
      throw new DeviceLostError(`Interrupt read: ${errorText(err)}${hint}`, { cause: err })
    } finally {
      stop.abort()
      signal.removeEventListener("abort", onAbort)
    }
  }

  /**
   * Carries out write steps: each value is patched into the buffered report (read first if it
   * never was) and the whole report is sent, as NUT does (hid-reference §a.1).
   * @returns the reports sent
   * @throws {DeviceLostError} | HidTransportError
   */
  async write(steps: readonly WriteStep[], signal: AbortSignal): Promise<Uint8Array[]> {
    const sent: Uint8Array[] = []
    for (const step of steps) {
      if (step.kind === "wait") {
        await this.#clock.sleep(step.ms, signal)
        continue
      }
      const report = await this.#patched(step.field, step.logical)
      await this.#request(`SET_REPORT 0x${hex2(step.field.reportId)}`, () => this.transport.sendFeatureReport(report))
      sent.push(report)
    }
    // NUT invalidates every buffer after a SET: the next poll reads the device again
    this.#feature.clear()
    return sent
  }

  /** Closes the transport; a hung close is abandoned after the request deadline. */
  async close(): Promise<void> {
    await withDeadline(this.#clock, this.#timeoutMs, "close", this.transport.close()).catch(() => undefined)
  }

  async #patched(field: HidField, logical: number): Promise<Uint8Array> {
    let buffer = this.#feature.get(field.reportId)
    // Deliberate difference: NUT sends zeros for the other fields of a report it never read;
    // we read it first so a write does not clobber its neighbours.
    if (buffer === undefined) {
      const read = await this.#get(field.reportId, [])
      buffer = read === STALL ? undefined : read
    }
    // The buffer is sent with the length the device answered (`40 01` for the BX's 2-byte
    // answer), not NUT's computed length (24 bytes for id 0x40, zero-padded).
    return patchReport(buffer, field, logical)
  }

  /** GET_REPORT(Feature); STALL for an empty answer (no data), undefined when it fails or answers garbage. */
  async #get(id: number, notices: SessionNotice[]): Promise<Uint8Array | typeof STALL | undefined> {
    const declared = findReport(this.binding.desc, "feature", id) ?? findReport(this.binding.desc, "input", id)
    const length = declared?.byteLength ?? 2
    let report: Uint8Array
    try {
      report = await this.#request(`GET_REPORT 0x${hex2(id)}`, () => this.transport.getFeatureReport(id, length))
    } catch (err) {
      if (err instanceof DeviceLostError) throw err
      notices.push({ key: `get:error:${id}`, message: `Cannot read HID report 0x${hex2(id)}: ${errorText(err)} (skipped)` })
      return undefined
    }
    // the HidTransport contract: an empty answer is a STALL, which NUT reads as "no data"
    if (report.length === 0) return STALL
    if (report[0] !== id) {
      notices.push({ key: `get:garbage:${id}`, message: `Ignoring the answer to GET_REPORT 0x${hex2(id)}: it is report 0x${hex2(report[0] ?? 0)} (${hexBytes(report)})` })
      return undefined
    }
    return report
  }

  /** Runs one device request alone and under the deadline. @throws {DeviceLostError} */
  #request<T>(what: string, run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(() => this.#deadline(what, run))
    this.#queue = next.catch(() => undefined)
    return next
  }

  async #deadline<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(this.#clock, this.#timeoutMs, what, run())
    } catch (err) {
      if (err instanceof DeadlineError) throw new DeviceLostError(err.message, { cause: err })
      if (err instanceof HidTransportError && LOST_CODES.has(err.code)) throw new DeviceLostError(`${what}: ${err.message}`, { cause: err })
      throw err
    }
  }

  /** One notice per report and reason (a 1-byte status report would otherwise log 9 lines). */
  #notice(notices: SessionNotice[], problems: readonly ValueProblem[]): void {
    const groups = new Map<string, ValueProblem[]>()
    for (const p of problems) {
      const key = `value:${p.reason}:${p.field.type}:${p.field.reportId}`
      groups.set(key, [...(groups.get(key) ?? []), p])
    }
    for (const [key, group] of groups) {
      const first = group[0]
      if (first === undefined) continue
      const where = `${first.field.type} report 0x${hex2(first.field.reportId)}`
      const what = group.map((p) => (p.reason === "out-of-range" ? `${p.field.path} ${p.detail}` : p.field.path)).join(", ")
      const why = first.reason === "short-report" ? "too short for" : first.reason === "too-wide" ? "too wide to read as numbers:" : "value out of range:"
      notices.push({ key, message: `Ignoring ${where}: ${why} ${what}` })
    }
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0")
}

function hexBytes(bytes: Uint8Array): string {
  const shown = [...bytes.subarray(0, 16)].map(hex2).join(" ")
  return bytes.length > 16 ? `${shown} … ${bytes.length} bytes` : shown
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

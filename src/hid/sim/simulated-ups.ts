// A simulated USB HID UPS: the device end of what `HidTransport` talks to. It answers
// GET_REPORT(Feature) from its report buffers (short answers as recorded, a STALL — an empty
// answer — for ids the descriptor lacks), takes SET_REPORT(Feature) the way firmware does (settings
// stored, measurements and flags kept, commands acted on), queues interrupt-IN reports when an
// Input report's bytes change, and runs a scenario on an injected clock. Faults: unplug/replug
// (open handles die, as a hidraw fd does), hung (control transfers time out after the kernel's 5 s,
// no interrupts), garbage (bogus interrupt reports, mangled GET answers).
import { decodeField } from "../codec.ts"
import { parseReportDescriptor } from "../parser.ts"
import { findField } from "../reports.ts"
import { HidTransportError, type HidDeviceInfo } from "../transport.ts"
import type { HidField, ParsedDescriptor, ReportType } from "../types.ts"
import { ALL_USAGE_NAMES } from "../usage-names.ts"
import type { SimClock } from "./clock.ts"
import { SimError } from "./errors.ts"
import { acceptsWrites, fieldsNamed } from "./fields.ts"
import { ReportStore } from "./report-store.ts"
import type { Scenario, ScenarioAction } from "./scenario.ts"
import { TEST_RESULTS, type SimDeviceSpec, type SimEvent, type SimHandle, type SimState, type SimulatedUpsOptions } from "./types.ts"
import { UpsModel } from "./ups-model.ts"

/** A USB control transfer does not wait longer than this (Linux USB_CTRL_GET_TIMEOUT). */
export const HUNG_TIMEOUT_MS = 5000
/** Interrupt reports the host has not read yet are dropped beyond this (hidraw's 64-report buffer). */
export const INPUT_QUEUE_LIMIT = 64
const EVENT_LIMIT = 1000
/** Usages that are commands: a write of them acts even when it repeats the value read back. */
const COMMANDS = new Set(["Test", "DelayBeforeShutdown", "DelayBeforeStartup", "DelayBeforeReboot", "APCDelayBeforeReboot", "APCDelayBeforeShutdown", "APCDelayBeforeStartup"])
/** Settings the firmware keeps in step across their copies (APC: PowerSummary and Battery twins). */
const TWINS = new Set(["RemainingCapacityLimit", "RemainingTimeLimit", "WarningCapacityLimit", "AudibleAlarmControl"])
const SELF_TEST_RESULTS = { passed: TEST_RESULTS.passed, warning: TEST_RESULTS.warning, error: TEST_RESULTS.error } as const

/** Builds a simulated UPS. @throws SimError SIM_BAD_SCENARIO when a scenario `set` names no field of the descriptor. */
export function createSimulatedUps(spec: SimDeviceSpec, options: SimulatedUpsOptions): SimulatedUps {
  return new SimulatedUps(spec, options)
}

/** A simulated UPS; see the file comment. */
export class SimulatedUps {
  readonly info: HidDeviceInfo
  readonly descriptor: ParsedDescriptor
  readonly #bytes: Uint8Array
  readonly #strings: ReadonlyMap<number, string>
  readonly #clock: SimClock
  readonly #store: ReportStore
  readonly #model: UpsModel
  readonly #events: SimEvent[] = []
  readonly #writes: Uint8Array[] = []
  readonly #queue: Uint8Array[] = []
  readonly #wakers = new Set<() => void>()
  readonly #steps: Scenario["steps"]
  #stepIndex = 0
  #stepBase: number
  #cable = true
  #powered = true
  #hung = false
  #garbleGets = 0
  #generation = 0

  constructor(spec: SimDeviceSpec, options: SimulatedUpsOptions) {
    this.info = spec.info
    this.#bytes = spec.descriptor.slice()
    this.#strings = spec.strings ?? new Map()
    this.#clock = options.clock
    this.descriptor = parseReportDescriptor(this.#bytes)
    this.#store = new ReportStore(this.descriptor, spec.reports ?? [])
    this.#stepBase = options.clock.now()
    this.#steps = options.scenario?.steps ?? []
    for (const step of this.#steps) {
      if (step.action.kind === "set" && this.#fieldsAt(step.action.path).length === 0) {
        throw new SimError("SIM_BAD_SCENARIO", `Cannot run scenario ${options.scenario?.name}: set ${step.action.path}: the descriptor has no such field`)
      }
    }
    this.#model = new UpsModel(this.#store, {
      quirks: options.quirks ?? (spec.info.vendorId === 0x051d ? "apc-back-ups" : "generic"),
      start: this.#stepBase,
      ...(options.drainRate !== undefined ? { drainRate: options.drainRate } : {}),
      ...(options.chargeRate !== undefined ? { chargeRate: options.chargeRate } : {}),
      onEvent: (e) => this.#log(e),
      onPower: (on, at) => this.#setConnected(() => (this.#powered = on), at),
      onChange: () => this.#collect(),
    })
    this.#store.takeChanged() // the initial state is not news
  }

  // ----- Inspection (tests, explore) -----

  /** True while the device is on the bus (cable in, UPS powered), at the clock's time. */
  get connected(): boolean {
    this.#advance()
    return this.#onBus()
  }

  /** What the device did so far (most recent last, the last 1000). */
  get events(): readonly SimEvent[] {
    return this.#events
  }

  /** Every SET_REPORT(Feature) the device took, byte 0 = report id, oldest first (the last 1000). */
  get writes(): readonly Uint8Array[] {
    return this.#writes
  }

  /** Model and link state after bringing the device up to the clock's time. */
  get state(): SimState {
    this.#advance()
    return { ...this.#model.state, connected: this.#onBus(), hung: this.#hung, queued: this.#queue.length }
  }

  /** The physical value the device would answer for a NUT path (`UPS.PowerSummary.RemainingCapacity`). */
  value(path: string, type: ReportType = "feature"): number | undefined {
    this.#advance()
    const field = findField(this.descriptor, path, { type })
    return field === undefined ? undefined : this.#store.read(field)
  }

  /** The bytes report `id` holds now. */
  report(reportId: number): Uint8Array | undefined {
    this.#advance()
    return this.#store.bytes(reportId)
  }

  // ----- Control (scenarios, tests) -----

  /** Applies one scenario action now. */
  run(action: ScenarioAction): void {
    this.#advance()
    this.#apply(action, this.#clock.now())
    this.#collect()
  }

  // ----- The device side of a transport -----

  /** Opens a handle. @throws HidTransportError not-found while unplugged. */
  open(): SimHandle {
    this.#advance()
    if (!this.#onBus()) throw new HidTransportError("not-found", this.info.path, `Cannot open HID device ${ids(this.info)} at ${this.info.path}: no such device (unplugged)`)
    return { generation: this.#generation, closed: false }
  }

  close(handle: SimHandle): void {
    handle.closed = true
    this.#wake()
  }

  async descriptorBytes(handle: SimHandle): Promise<Uint8Array> {
    await this.#control(handle, "read the report descriptor of")
    return this.#bytes.slice()
  }

  async string(handle: SimHandle, index: number): Promise<string | undefined> {
    await this.#control(handle, `read string ${index} of`)
    return this.#strings.get(index)
  }

  /** GET_REPORT(Feature): at most `length` bytes of report `id`; empty for an id the device lacks (STALL). */
  async getFeature(handle: SimHandle, reportId: number, length: number): Promise<Uint8Array> {
    await this.#control(handle, `read HID report 0x${hex2(reportId)} from`)
    const bytes = this.#store.bytes(reportId)
    if (bytes === undefined) return new Uint8Array(0)
    if (this.#garbleGets > 0) {
      // alternately an answer with nothing but the id byte, and one whose id byte is wrong
      const odd = this.#garbleGets-- % 2 === 1
      if (odd) return bytes.subarray(0, 1)
      bytes[0] = 0xee
    }
    return bytes.subarray(0, Math.max(0, length))
  }

  /** SET_REPORT(Feature) with byte 0 = id; resolves to the bytes taken. */
  async setFeature(handle: SimHandle, report: Uint8Array): Promise<number> {
    const id = report[0] ?? 0
    await this.#control(handle, `write HID report 0x${hex2(id)} to`)
    const fields = this.descriptor.fields.filter((f) => f.type === "feature" && f.reportId === id && acceptsWrites(f))
    if (fields.length === 0) {
      throw new HidTransportError("io", this.info.path, `Cannot write HID report 0x${hex2(id)} to ${this.info.path}: the device stalled (no writable Feature report 0x${hex2(id)})`)
    }
    this.#log({ at: this.#clock.now(), kind: "write", detail: hexBytes(report) })
    this.#writes.push(report.slice())
    if (this.#writes.length > EVENT_LIMIT) this.#writes.shift()
    const commands: Array<readonly [string, number]> = []
    for (const field of fields) {
      const written = decodeField(report, field)
      if (!written.available) continue
      const before = this.#store.read(field)
      this.#store.writeRaw(field, written.raw)
      const name = ALL_USAGE_NAMES.name(field.usage) ?? ""
      if (COMMANDS.has(name) && (fields.length === 1 || before !== written.physical)) commands.push([name, written.physical])
      if (TWINS.has(name)) for (const twin of fieldsNamed(this.descriptor.fields, name)) if (twin !== field) this.#store.write(twin, written.physical)
    }
    for (const [name, value] of commands) this.#model.hostWrite(name, value)
    this.#collect()
    return report.length
  }

  /** The next interrupt-IN report, or undefined after `timeoutMs` (clock time) without one. */
  async readInput(handle: SimHandle, timeoutMs: number): Promise<Uint8Array | undefined> {
    const deadline = this.#clock.now() + Math.max(0, timeoutMs)
    for (;;) {
      this.#advance()
      this.#check(handle, "read interrupt reports from")
      if (!this.#hung) {
        const next = this.#queue.shift()
        if (next !== undefined) return next
      }
      const now = this.#clock.now()
      if (now >= deadline) return undefined
      const wake = Math.min(deadline, this.#nextEventAt() ?? Number.POSITIVE_INFINITY)
      await this.#sleep(Math.max(1, wake - now))
    }
  }

  // ----- Internals -----

  #onBus(): boolean {
    return this.#cable && this.#powered
  }

  async #control(handle: SimHandle, what: string): Promise<void> {
    this.#advance()
    this.#check(handle, what)
    if (!this.#hung) return
    await this.#clock.sleep(HUNG_TIMEOUT_MS)
    this.#advance()
    this.#check(handle, what)
    throw new HidTransportError("timeout", this.info.path, `Cannot ${what} ${this.info.path}: timed out (the device does not answer)`)
  }

  #check(handle: SimHandle, what: string): void {
    if (handle.closed) throw new HidTransportError("io", this.info.path, `Cannot ${what} ${this.info.path}: device closed`)
    if (handle.generation !== this.#generation || !this.#onBus()) {
      throw new HidTransportError("disconnected", this.info.path, `Cannot ${what} ${this.info.path}: device disconnected`)
    }
  }

  /** Brings scenario and model up to the clock's time, step by step. */
  #advance(): void {
    const now = this.#clock.now()
    for (let guard = 0; guard < 100_000; guard++) {
      const step = this.#steps[this.#stepIndex]
      const due = step === undefined ? undefined : this.#stepBase + step.at
      if (step === undefined || due === undefined || due > now) break
      this.#model.advanceTo(due)
      this.#stepIndex++
      if (step.action.kind === "repeat") {
        // a repeat at time 0 would run forever at one instant
        if (step.at > 0) {
          this.#stepBase = due
          this.#stepIndex = 0
        }
        this.#log({ at: due, kind: "step", detail: "repeat" })
        continue
      }
      this.#apply(step.action, due)
      this.#collect()
    }
    this.#model.advanceTo(now)
    this.#collect()
  }

  #nextEventAt(): number | undefined {
    const step = this.#steps[this.#stepIndex]
    const times = [this.#model.nextEventAt(), step === undefined ? undefined : this.#stepBase + step.at].filter((t) => t !== undefined)
    return times.length === 0 ? undefined : Math.min(...times)
  }

  #apply(action: ScenarioAction, at: number): void {
    const detail = Object.entries(action)
      .filter(([k]) => k !== "kind")
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(" ")
    this.#log({ at, kind: "step", detail: `${action.kind}${detail ? ` ${detail}` : ""}` })
    switch (action.kind) {
      case "mains-lost":
        return this.#model.mainsLost(action.rate)
      case "mains-back":
        return this.#model.mainsBack(action.rate)
      case "drain":
        return this.#model.setDrainRate(action.rate)
      case "charge":
        return this.#model.setCharge(action.value)
      case "low-battery":
        return this.#model.lowBattery()
      case "self-test":
        return this.#model.startTest(action.deep, SELF_TEST_RESULTS[action.result])
      case "flag":
        return this.#model.setFlag(action.name, action.value)
      case "set":
        for (const f of this.#fieldsAt(action.path)) this.#store.write(f, action.value)
        return
      case "unplug":
        return this.#setConnected(() => (this.#cable = false), at)
      case "replug":
        return this.#setConnected(() => (this.#cable = true), at)
      case "hang":
        this.#hung = true
        return this.#wake()
      case "recover":
        this.#hung = false
        return this.#wake()
      case "garbage":
        return this.#garbage(action.count)
      case "repeat":
        return
    }
  }

  #garbage(count: number): void {
    this.#garbleGets = count
    const noise = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => (i * 37 + seed) & 0xff)
    const inputId = this.descriptor.reports.find((r) => r.type === "input")?.reportId
    this.#enqueue(Uint8Array.from([0xee, ...noise(6, 11)])) // an id the descriptor does not have
    if (inputId !== undefined) {
      const real = this.#store.bytes(inputId) ?? Uint8Array.of(inputId)
      this.#enqueue(Uint8Array.from([...real, ...noise(64 - real.length, 3)])) // NUT 2.8.0's garbage tail
      this.#enqueue(Uint8Array.of(inputId)) // the id and nothing else
    }
  }

  /** Applies a change to cable/power and handles the connect / disconnect edge. */
  #setConnected(change: () => void, at: number): void {
    const before = this.#onBus()
    change()
    if (before === this.#onBus()) return
    this.#queue.length = 0
    if (!this.#onBus()) this.#generation++
    this.#log({ at, kind: this.#onBus() ? "connect" : "disconnect", detail: this.#cable ? (this.#powered ? "" : "UPS off") : "cable" })
    this.#wake()
  }

  /** Queues the Input reports whose bytes changed since the last call. */
  #collect(): void {
    for (const id of this.#store.takeChanged()) {
      if (!this.#store.isInput(id)) continue
      const bytes = this.#store.bytes(id)
      if (bytes !== undefined) this.#enqueue(bytes)
    }
  }

  #enqueue(report: Uint8Array): void {
    if (!this.#onBus()) return
    this.#queue.push(report)
    if (this.#queue.length > INPUT_QUEUE_LIMIT) this.#queue.shift()
    this.#wake()
  }

  #fieldsAt(path: string): HidField[] {
    return (["feature", "input", "output"] as const).flatMap((type) => {
      const f = findField(this.descriptor, path, { type })
      return f === undefined ? [] : [f]
    })
  }

  async #sleep(ms: number): Promise<void> {
    const controller = new AbortController()
    const waker = (): void => controller.abort()
    this.#wakers.add(waker)
    try {
      await this.#clock.sleep(ms, controller.signal)
    } catch {
      // woken early: a report arrived, the device went away or the handle closed
    } finally {
      this.#wakers.delete(waker)
    }
  }

  #wake(): void {
    for (const waker of [...this.#wakers]) waker()
  }

  #log(event: SimEvent): void {
    this.#events.push(event)
    if (this.#events.length > EVENT_LIMIT) this.#events.shift()
  }
}

function ids(info: HidDeviceInfo): string {
  return `${hex4(info.vendorId)}:${hex4(info.productId)}`
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0")
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0")
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, hex2).join(" ")
}

// What the simulated UPS does over time: mains present or not, battery charge draining or charging
// at a rate, the low-battery flags, a self-test, and the shutdown/startup/reboot countdowns a host
// starts with SET_REPORT. It writes its quantities into the report buffers by usage, so one model
// drives any descriptor (APC, CyberPower, the generic Arduino layout).
//
// Time is an argument: `advanceTo(t)` runs every discrete event up to t in order (a step of the
// charge by one percent, a countdown second, a test ending) and `nextEventAt()` says when the next
// one is due, so a reader can sleep on the clock until then. Nothing here reads a clock.
//
// A quantity is only written when the model's own value changes, so a recording's quirks stay as
// recorded until something happens: the BK650M2-CH answers `16 0e` (OL + DISCHRG, nut#1970) and
// keeps doing so until mains is lost and comes back.
//
// The status flag rules are in quantities.ts.
// APC Back-UPS quirks (hid-reference §c.3, nut#2683): DelayBeforeShutdown acts only on battery;
// APCDelayBeforeReboot = 1 starts a fixed 120 s grace, other values are acknowledged and ignored.
// A UPS whose output goes off while on battery switches itself off (the USB device goes away)
// and restarts when mains returns.
import type { HidField } from "../types.ts"
import { fieldsNamed, isUnder } from "./fields.ts"
import { flagQuantity, isBatteryVoltage, modelQuantities, writeConfigDefaults, type IdleValues, type ModelView, type Quantity, type Timer } from "./quantities.ts"
import type { ReportStore } from "./report-store.ts"
import { TEST_RESULTS, type UpsModelOptions, type UpsModelState } from "./types.ts"

const QUICK_TEST_MS = 10_000
const DEEP_TEST_MS = 120_000
/** BX grace after `APCDelayBeforeReboot = 1` (nut#2683: "about 2 minutes"). */
const APC_GRACE_MS = 120_000
/** How long the output stays off when a reboot-style shutdown ends with mains present. */
const REBOOT_OFF_MS = 10_000
const EPS = 1e-9

/** The UPS's behaviour over time, written into a ReportStore. */
export class UpsModel {
  readonly #store: ReportStore
  readonly #opts: UpsModelOptions
  #t: number
  #mains: boolean
  #charge: number
  /** The whole percent the device reports: the last integer the charge reached (so it steps exactly at the crossings). */
  #shown: number
  readonly #fullRuntime: number
  #drainRate: number
  #chargeRate: number
  #powered = true
  #outputOn = true
  #testEnds: number | undefined
  #testPlanned: number = TEST_RESULTS.passed
  #testResult: number
  #shutdownAt: number | undefined
  #rebootAt: number | undefined
  #graceAt: number | undefined
  #outputOnAt: number | undefined
  /** Seconds from mains-present to output-on after a shutdown; undefined: APC "restart on AC"; −1 stay off. */
  #startupDelay: number | undefined
  readonly #flagOverrides = new Map<string, number>()
  readonly #quantities: Quantity[]
  readonly #published = new Map<string, number>()
  readonly #view: ModelView

  constructor(store: ReportStore, options: UpsModelOptions) {
    this.#store = store
    this.#opts = options
    this.#t = options.start
    const recorded = (name: string, where?: (f: HidField) => boolean): number | undefined => {
      for (const f of fieldsNamed(store.fields, name, where)) if (store.isRecorded(f.reportId)) return store.read(f)
      return undefined
    }
    this.#mains = (recorded("ACPresent") ?? 1) !== 0
    this.#charge = clamp(recorded("RemainingCapacity") ?? 100, 0, 100)
    this.#shown = Math.round(this.#charge)
    const runtime = recorded("RunTimeToEmpty") ?? 1800
    this.#fullRuntime = this.#charge > 0 ? (runtime * 100) / this.#charge : runtime
    this.#drainRate = options.drainRate ?? (this.#fullRuntime > 0 ? 100 / (this.#fullRuntime / 60) : 5)
    this.#chargeRate = options.chargeRate ?? 1
    this.#testResult = recorded("Test") ?? TEST_RESULTS.none
    const idle: IdleValues = {
      input: recorded("Voltage", (f) => isUnder(f, "Input")) ?? recorded("ConfigVoltage", (f) => isUnder(f, "Input")) ?? 230,
      frequency: recorded("Frequency", (f) => isUnder(f, "Input")) ?? 50,
      output: recorded("Voltage", (f) => isUnder(f, "Output")) ?? 230,
      load: recorded("PercentLoad") ?? 20,
      battery: recorded("Voltage", isBatteryVoltage) ?? 13.5,
    }
    const fullBattery = idle.battery / batteryCurve(this.#charge)
    this.#view = {
      mains: () => this.#mains,
      outputOn: () => this.#outputOn,
      charge: () => this.#shown,
      runtime: () => this.#runtime(),
      draining: () => this.#draining(),
      charging: () => this.#charging(),
      testResult: () => this.#testResult,
      secondsLeft: (timer) => this.#left(timer),
      chargeLow: () => this.#chargeLow(),
      runtimeLow: () => this.#runtimeLow(),
      flagOverride: (name) => this.#flagOverrides.get(name),
      batteryVoltage: () => round2(fullBattery * batteryCurve(this.#shown)),
      idle,
    }
    this.#quantities = modelQuantities(store.fields, this.#view)
    for (const q of this.#quantities) {
      const value = q.compute()
      // Report ids the recording lacks get the model's values; recorded bytes stay as recorded.
      for (const f of q.fields) if (!store.isRecorded(f.reportId)) store.write(f, value)
      this.#published.set(q.key, value)
    }
    writeConfigDefaults(store)
  }

  // ----- State (tests, explore, the scenario runner) -----

  /** A snapshot of the model. */
  get state(): UpsModelState {
    return { mains: this.#mains, charge: this.#charge, powered: this.#powered, outputOn: this.#outputOn, testing: this.#testEnds !== undefined }
  }

  // ----- Time -----

  /** Runs every event up to `t` (ms) in time order, then settles the continuous state at `t`. */
  advanceTo(t: number): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = this.nextEventAt()
      if (next === undefined || next > t) break
      this.#integrate(next)
      this.#fire()
      this.#publish()
    }
    this.#integrate(t)
    this.#publish()
  }

  /** When the next discrete event is due (> the model's time), undefined when nothing will change by itself. */
  nextEventAt(): number | undefined {
    const t = this.#t
    const timers = [this.#shutdownAt, this.#rebootAt, this.#graceAt, this.#outputOnAt, this.#testEnds].filter((at) => at !== undefined)
    // a timer set to "now" (a zero delay) is due at once; #fire() clears every due timer
    if (timers.some((at) => at <= t + EPS)) return t
    const candidates = [...timers]
    for (const at of [this.#shutdownAt, this.#rebootAt, this.#graceAt, this.#outputOnAt]) {
      if (at === undefined) continue
      // the published countdown drops every whole second
      const tick = at - (Math.ceil((at - t) / 1000 - EPS) - 1) * 1000
      if (tick > t + EPS) candidates.push(tick)
    }
    const crossing = this.#nextCrossing()
    if (crossing !== undefined) candidates.push(crossing)
    const future = candidates.filter((c) => c > t + EPS)
    return future.length === 0 ? undefined : Math.min(...future)
  }

  // ----- Scenario actions (applied at the model's current time) -----

  /** Mains fails: on battery, draining at `drainRate` %/min if given. */
  mainsLost(drainRate?: number): void {
    if (drainRate !== undefined) this.#drainRate = drainRate
    if (!this.#mains) return
    this.#mains = false
    this.#event("mains-lost", `on battery, draining ${fmt(this.#drainRate)} %/min`)
    if (this.#testEnds !== undefined) this.#endTest(TEST_RESULTS.aborted)
    this.#publish()
  }

  /** Mains returns: charging at `chargeRate` %/min if given; a UPS that switched itself off restarts. */
  mainsBack(chargeRate?: number): void {
    if (chargeRate !== undefined) this.#chargeRate = chargeRate
    if (this.#mains) return
    this.#mains = true
    this.#event("mains-back", `on line, charging ${fmt(this.#chargeRate)} %/min`)
    if (!this.#powered) {
      this.#powered = true
      this.#event("power-on", "mains returned")
      this.#opts.onPower(true, this.#t)
    }
    if (!this.#outputOn && this.#startupDelay !== -1 && this.#outputOnAt === undefined) {
      this.#outputOnAt = this.#t + Math.max(0, this.#startupDelay ?? 0) * 1000
    }
    this.#publish()
  }

  setDrainRate(rate: number): void {
    this.#drainRate = rate
  }

  setChargeRate(rate: number): void {
    this.#chargeRate = rate
  }

  /** Sets the battery charge (%). */
  setCharge(percent: number): void {
    this.#charge = clamp(percent, 0, 100)
    this.#shown = Math.round(this.#charge)
    this.#publish()
  }

  /** Drops the charge to the low-battery limit (RemainingCapacityLimit), so LB shows on battery. */
  lowBattery(): void {
    this.setCharge(Math.min(this.#charge, this.#chargeLow()))
    this.#event("low-battery", `charge ${Math.floor(this.#charge)} % <= limit ${this.#chargeLow()} %`)
  }

  /** Starts a self-test that ends with `result` (a TEST_RESULTS code). */
  startTest(deep: boolean, result: number = TEST_RESULTS.passed): void {
    if (!this.#mains) {
      this.#event("ignored-write", "self-test refused on battery")
      return
    }
    this.#testPlanned = result
    this.#testEnds = this.#t + (deep ? DEEP_TEST_MS : QUICK_TEST_MS)
    this.#testResult = TEST_RESULTS.inProgress
    this.#event("test-start", deep ? "deep" : "quick")
    this.#publish()
  }

  /** Forces a status flag (NeedReplacement, Overload …) to 0/1; undefined returns it to the model. */
  setFlag(name: string, value: number | undefined): void {
    if (value === undefined) this.#flagOverrides.delete(name)
    else this.#flagOverrides.set(name, value ? 1 : 0)
    if (!this.#quantities.some((q) => q.key === `flag:${name}`)) {
      const q = flagQuantity(this.#store.fields, name, () => 0, this.#view)
      if (q !== undefined) this.#quantities.push(q)
    }
    this.#publish()
  }

  // ----- Host writes (SET_REPORT), after the device stored the accepted bytes -----

  /**
   * Reacts to a written command field (Test, the delays); other fields are plain settings. The
   * command's field is rewritten with what the device now reports, whatever the host wrote (a BX
   * reads back 0 after an ignored `APCDelayBeforeReboot = 10`).
   */
  hostWrite(name: string, value: number): void {
    for (const key of [...this.#published.keys()]) if (key === "test" || key.startsWith("delay.")) this.#published.delete(key)
    const at = (seconds: number): number => this.#t + seconds * 1000
    switch (name) {
      case "Test":
        if (value === 1 || value === 2) this.startTest(value === 2, this.#testPlanned)
        else if (value === 3 && this.#testEnds !== undefined) this.#endTest(TEST_RESULTS.aborted)
        break
      case "DelayBeforeShutdown":
      case "APCDelayBeforeShutdown":
        if (value < 0) this.#cancel("shutdownAt", "shutdown countdown cancelled")
        else if (this.#opts.quirks === "apc-back-ups" && this.#mains && name === "DelayBeforeShutdown") {
          this.#event("ignored-write", `${name} = ${value} ignored on line (APC Back-UPS acts on it only on battery)`)
        } else {
          this.#shutdownAt = at(value)
          this.#event("countdown", `output off in ${value} s (${name})`)
        }
        break
      case "DelayBeforeStartup":
      case "APCDelayBeforeStartup":
        this.#startupDelay = value < 0 ? -1 : value
        if (value >= 0 && !this.#outputOn && this.#mains) this.#outputOnAt = at(value)
        if (value < 0) this.#cancel("outputOnAt", "startup cancelled: output stays off")
        break
      case "DelayBeforeReboot":
        if (value < 0) this.#cancel("rebootAt", "reboot countdown cancelled")
        else {
          this.#rebootAt = at(value)
          this.#event("countdown", `reboot in ${value} s`)
        }
        break
      case "APCDelayBeforeReboot":
        if (this.#opts.quirks !== "apc-back-ups") this.hostWrite("DelayBeforeReboot", value)
        else if (value === 1) {
          this.#graceAt = this.#t + APC_GRACE_MS
          this.#event("countdown", "APCDelayBeforeReboot = 1: output off after the 120 s grace, back on with mains")
        } else if (value === 0) this.#cancel("graceAt", "APCDelayBeforeReboot grace cancelled")
        else this.#event("ignored-write", `APCDelayBeforeReboot = ${value} acknowledged and ignored (BX firmware takes only 1, nut#2683)`)
        break
    }
    this.#publish()
  }

  // ----- Internals -----

  #publish(): void {
    let changed = false
    for (const q of this.#quantities) {
      const value = q.compute()
      if (this.#published.get(q.key) === value) continue
      this.#published.set(q.key, value)
      for (const f of q.fields) changed = this.#store.write(f, value) || changed
    }
    if (changed) this.#opts.onChange?.()
  }

  #fire(): void {
    const t = this.#t + EPS
    if (this.#testEnds !== undefined && this.#testEnds <= t) this.#endTest(this.#testPlanned)
    if (this.#shutdownAt !== undefined && this.#shutdownAt <= t) {
      this.#shutdownAt = undefined
      this.#loadOff("shutdown countdown ended")
      if (this.#mains && this.#startupDelay !== undefined && this.#startupDelay >= 0) this.#outputOnAt = this.#t + this.#startupDelay * 1000
    }
    for (const which of ["rebootAt", "graceAt"] as const) {
      const due = which === "rebootAt" ? this.#rebootAt : this.#graceAt
      if (due === undefined || due > t) continue
      if (which === "rebootAt") this.#rebootAt = undefined
      else this.#graceAt = undefined
      this.#loadOff(which === "rebootAt" ? "reboot countdown ended" : "APC grace ended")
      if (this.#mains) this.#outputOnAt = this.#t + REBOOT_OFF_MS
    }
    if (this.#outputOnAt !== undefined && this.#outputOnAt <= t) {
      this.#outputOnAt = undefined
      if (this.#mains && !this.#outputOn) {
        this.#outputOn = true
        this.#event("load-on", "output on")
      }
    }
    if (this.#draining() && this.#charge <= EPS) {
      this.#charge = 0
      this.#loadOff("battery exhausted")
    }
  }

  #loadOff(reason: string): void {
    if (!this.#outputOn) return
    this.#outputOn = false
    this.#event("load-off", reason)
    if (this.#testEnds !== undefined) this.#endTest(TEST_RESULTS.aborted)
    if (!this.#mains && this.#powered) {
      this.#powered = false
      this.#event("power-off", "output off on battery: the UPS switches itself off")
      this.#opts.onPower(false, this.#t)
    }
  }

  #endTest(result: number): void {
    this.#testEnds = undefined
    this.#testResult = result
    this.#event("test-end", `result ${result}`)
  }

  #cancel(which: "shutdownAt" | "outputOnAt" | "rebootAt" | "graceAt", detail: string): void {
    const running = { shutdownAt: this.#shutdownAt, outputOnAt: this.#outputOnAt, rebootAt: this.#rebootAt, graceAt: this.#graceAt }[which] !== undefined
    if (which === "shutdownAt") this.#shutdownAt = undefined
    else if (which === "outputOnAt") this.#outputOnAt = undefined
    else if (which === "rebootAt") this.#rebootAt = undefined
    else this.#graceAt = undefined
    if (running) this.#event("countdown", detail)
  }

  #draining(): boolean {
    return this.#powered && this.#outputOn && (!this.#mains || this.#testEnds !== undefined)
  }

  #charging(): boolean {
    return this.#mains && this.#testEnds === undefined && this.#charge < 100 - EPS
  }

  #integrate(t: number): void {
    const minutes = (t - this.#t) / 60_000
    if (minutes <= 0) return
    if (this.#draining()) this.#charge -= this.#drainRate * minutes
    else if (this.#charging()) this.#charge += this.#chargeRate * minutes
    this.#charge = clamp(snap(this.#charge), 0, 100)
    if (Number.isInteger(this.#charge)) this.#shown = this.#charge
    this.#t = t
  }

  /** When the charge reaches the next whole percent in its current direction. */
  #nextCrossing(): number | undefined {
    if (this.#draining() && this.#drainRate > 0 && this.#charge > EPS) {
      const target = Math.ceil(this.#charge - EPS) - 1
      return this.#t + ((this.#charge - target) / this.#drainRate) * 60_000
    }
    if (this.#charging() && this.#chargeRate > 0) {
      const target = Math.min(100, Math.floor(this.#charge + EPS) + 1)
      return this.#t + ((target - this.#charge) / this.#chargeRate) * 60_000
    }
    return undefined
  }

  #runtime(): number {
    return Math.floor((this.#fullRuntime * this.#shown) / 100)
  }

  #chargeLow(): number {
    return this.#setting("RemainingCapacityLimit") ?? 10
  }

  #runtimeLow(): number {
    return this.#setting("RemainingTimeLimit") ?? 120
  }

  #setting(name: string): number | undefined {
    for (const f of fieldsNamed(this.#store.fields, name, (f) => f.type === "feature")) {
      const v = this.#store.read(f)
      if (v !== undefined) return v
    }
    return undefined
  }

  #left(timer: Timer): number {
    const at = { shutdown: this.#shutdownAt, startup: this.#outputOnAt, reboot: this.#rebootAt, grace: this.#graceAt }[timer]
    return at === undefined ? -1 : Math.max(0, Math.ceil((at - this.#t) / 1000 - EPS))
  }

  #event(kind: string, detail: string): void {
    this.#opts.onEvent({ at: this.#t, kind, detail })
  }
}

function batteryCurve(percent: number): number {
  return 0.88 + (0.12 * percent) / 100
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

/** Removes float noise around whole percents so crossings land exactly. */
function snap(value: number): number {
  const nearest = Math.round(value)
  return Math.abs(value - nearest) < 1e-7 ? nearest : value
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}

function fmt(value: number): string {
  return String(Math.round(value * 100) / 100)
}

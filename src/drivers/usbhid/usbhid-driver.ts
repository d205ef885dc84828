// UsbHidDriver: NUT's usbhid-ups on an injected HidOpener (node-hid, or the simulated UPS).
//
// Timeline of one device session:
//   open (match, read + parse descriptor, pick subdriver) → full poll → strings → publish →
//   then, side by side: a poll loop (quick poll every pollinterval, full poll every pollfreq and
//   right after every write) and an interrupt loop whose reports reach ups.status at once.
// A lost or hung device ends the session: the data goes stale (DATASTALE, values kept, no flag
// invented), and the driver reopens the device by itself.
//
// Deliberate differences from usbhid-ups 2.8.0 (besides those noted where they happen):
// - Interrupt reports are read continuously and published immediately; NUT reads one per
//   pollinterval, so an OB transition could wait up to ~2.75 s.
// - Semi-static values (transfer points, battery.charge.low, sensitivity) are re-read in every
//   full poll, not only after a write, so front-panel changes show up.
// - ups.alarm is recomputed with every status change, not only in full polls.
// - A device missing at start is retried (NUT exits "No matching HID UPS found"); until it is
//   found the UPS stays "driver not connected".
import type { HidDeviceInfo, HidOpener } from "../../hid/index.ts"
import type { UpsState, WriteResult } from "../../ups/index.ts"
import { VERSION } from "../../version.ts"
import type { Driver, DriverLog } from "../types.ts"
import { pause, SYSTEM_CLOCK, type UsbHidClock } from "./clock.ts"
import { createDeviceMatcher } from "./device-match.ts"
import { DeviceLostError, DeviceSession, type SessionNotice } from "./device-session.ts"
import { openUpsDevice } from "./open-device.ts"
import type { UsbHidOptions } from "./options.ts"
import { publishCommands, publishDriverInfo, publishIdentity, publishSettings, publishStatus, publishVars, versionData } from "./publish.ts"
import { composeStatus, type StatusMemory, type StatusOptions } from "./status.ts"
import type { DeviceIdentity, SubdriverDefaults } from "./types.ts"
import { commandNames, planInstcmd, planSetvar, type WritePlan } from "./writes.ts"

export interface UsbHidDriverOptions {
  /**
   * Finds and opens devices: node-hid, or the simulator for `sim:` ports. A promise is awaited
   * when the driver starts (`openSimPort()` is async); if it rejects, `start()` rejects with it.
   */
  readonly opener: HidOpener | Promise<HidOpener>
  readonly options: UsbHidOptions
  readonly log: DriverLog
  /** @default real time */
  readonly clock?: UsbHidClock
  /** A request the device has not answered after this long means it hung. @default 5000 */
  readonly requestTimeoutMs?: number
}

/** What one open device runs with. */
interface Live {
  readonly session: DeviceSession
  readonly identity: DeviceIdentity
  readonly statusOptions: StatusOptions
  readonly pollfreqMs: number
  readonly interruptPipe: boolean
  memory: StatusMemory
  recheckAt: number | undefined
  onlineDischarging: boolean
  published: Set<string>
}

/** NUT's usbhid-ups for APC, CyberPower, Eaton/MGE and generic HID Power Devices. */
export class UsbHidDriver implements Driver {
  readonly name = "usbhid-ups"
  readonly #openerSource: HidOpener | Promise<HidOpener>
  #opener: HidOpener | undefined
  readonly #options: UsbHidOptions
  readonly #log: DriverLog
  readonly #clock: UsbHidClock
  readonly #timeoutMs: number
  readonly #matches: (device: HidDeviceInfo) => boolean
  readonly #logged = new Set<string>()
  /** Values of driver-side settings (ups.delay.*): they survive reconnects, like NUT's dstate. */
  readonly #settings = new Map<string, string>()
  readonly #overrides = new Map<string, string>()
  #state: UpsState | undefined
  #live: Live | undefined
  #signal: AbortSignal = new AbortController().signal
  #connectedOnce = false
  #lowbatt: string | undefined
  /** Variables the last session published from the device. */
  #published = new Set<string>()

  constructor(options: UsbHidDriverOptions) {
    this.#openerSource = options.opener
    // a rejected opener is reported by start(); until then it must not count as unhandled
    if (options.opener instanceof Promise) options.opener.catch(() => undefined)
    this.#options = options.options
    this.#log = options.log
    this.#clock = options.clock ?? SYSTEM_CLOCK
    this.#timeoutMs = options.requestTimeoutMs ?? 5000
    this.#matches = createDeviceMatcher(options.options.criteria)
    this.#lowbatt = options.options.lowbatt === undefined ? undefined : String(options.options.lowbatt)
    for (const [key, value] of Object.entries(options.options.params)) {
      if (key.startsWith("override.")) this.#overrides.set(key.slice(9), value)
    }
  }

  /** Runs until `signal` aborts; then, like upsd losing the driver, the state forgets the data. */
  async start(state: UpsState, signal: AbortSignal): Promise<void> {
    this.#state = state
    this.#signal = signal
    this.#opener = await this.#openerSource
    try {
      while (!signal.aborted) {
        const session = await this.#open()
        if (session === undefined) {
          if (this.#connectedOnce) state.setDriverStale(true)
          await pause(this.#clock, Math.max(this.#options.pollinterval, this.#options.waitbeforereconnect) * 1000, signal)
          continue
        }
        try {
          await this.#runSession(session, state)
        } catch (err) {
          if (!(err instanceof DeviceLostError)) throw err
          this.#log.warn(`Lost the UPS (${session.device.path}): ${err.message}; data is stale until it is back`)
          state.setDriverStale(true)
          await pause(this.#clock, this.#options.waitbeforereconnect * 1000, signal)
        } finally {
          this.#live = undefined
          await session.close()
        }
      }
    } finally {
      this.#live = undefined
      this.#state = undefined
      state.markDisconnected()
    }
  }

  /** SET VAR: writes the device (then re-reads it) or changes a driver-side setting. */
  async setvar(name: string, value: string): Promise<WriteResult> {
    const live = this.#live
    if (live === undefined || this.#state === undefined) return "FAILED"
    if (this.#overrides.has(name)) return "INVALID-ARGUMENT"
    const result = await this.#carryOut(live, this.#state, `SET ${name}`, planSetvar(live.session.binding, name, value))
    if (result === "SUCCESS" && name.toLowerCase() === "battery.charge.low" && this.#lowbatt !== undefined) {
      this.#lowbatt = undefined
      if (this.#live === live) this.#publish(live, this.#state, true)
    }
    return result
  }

  /** INSTCMD: the HID writes the subdriver table (or usbhid-ups' derived commands) prescribe. */
  async instcmd(name: string, param?: string): Promise<WriteResult> {
    const live = this.#live
    const state = this.#state
    if (live === undefined || state === undefined) return "FAILED"
    return this.#carryOut(live, state, `INSTCMD ${name}`, planInstcmd(live.session.binding, name, param, (n) => state.value(n)))
  }

  /**
   * Cuts the load the way `upsdrvctl shutdown` does: the first of shutdown.return,
   * shutdown.reboot, load.off.delay, shutdown.stayoff the UPS accepts (on an APC BX that is
   * shutdown.return = APCDelayBeforeReboot 1).
   * @returns the command used, or undefined when none worked
   */
  async killpower(): Promise<string | undefined> {
    for (const command of ["shutdown.return", "shutdown.reboot", "load.off.delay", "shutdown.stayoff"]) {
      if ((await this.instcmd(command)) === "SUCCESS") return command
    }
    return undefined
  }

  // ----- device session -----

  /** Finds, opens and binds the device; undefined when there is none (logged once). */
  async #open(): Promise<DeviceSession | undefined> {
    if (this.#opener === undefined) return undefined
    const session = await openUpsDevice({
      opener: this.#opener,
      options: this.#options,
      matches: this.#matches,
      clock: this.#clock,
      requestTimeoutMs: this.#timeoutMs,
      once: (key, message, level) => this.#once(key, message, level),
    })
    if (session !== undefined) this.#logged.delete("none")
    else this.#once("none", `Cannot find a HID UPS matching ${describeCriteria(this.#options)}; retrying every ${this.#options.pollinterval} s`)
    return session
  }

  /** INIT walk, then poll + interrupt loops until the device is lost or the driver stops. */
  async #runSession(session: DeviceSession, state: UpsState): Promise<void> {
    const { subdriver } = session.binding
    const identity = subdriver.identify(session.device)
    const defaults: SubdriverDefaults = subdriver.defaults(session.device, identity)
    const o = this.#options
    const pollfreq = o.pollfreq ?? defaults.pollfreq ?? 30
    const live: Live = {
      session,
      identity,
      statusOptions: {
        onlineDischarge: o.onlineDischarge ?? "online",
        lbrbDelayMs: (o.lbrbDelaySec ?? defaults.lbrbDelaySec ?? 0) * 1000,
        lbrbWithoutCalibrating: o.lbrbWithoutCalibrating ?? defaults.lbrbDelayWithoutCalibrating ?? false,
      },
      pollfreqMs: pollfreq * 1000,
      interruptPipe: !o.pollonly && (defaults.interruptPipe ?? true),
      memory: {},
      recheckAt: undefined,
      onlineDischarging: false,
      // what the previous session published: a different UPS on replug must not leave its values behind
      published: new Set(this.#published),
    }
    const notices: SessionNotice[] = []
    await session.poll("full", notices)
    await session.fetchStrings()
    this.#report(notices)

    publishDriverInfo(state, { version: VERSION, port: o.port, pollfreq, pollinterval: o.pollinterval, params: o.params })
    state.setInfo("driver.version.data", versionData(subdriver.title))
    publishIdentity(state, identity, session.device)
    for (const [key, value] of Object.entries(o.params)) if (key.startsWith("default.")) state.setInfo(key.slice(8), value)
    this.#initSettings(session)
    publishSettings(state, this.#settings)
    this.#live = live
    this.#publish(live, state, true)
    publishCommands(state, commandNames(session.binding))
    if (this.#connectedOnce) state.setDriverStale(false)
    else state.markConnected(this)
    this.#connectedOnce = true
    this.#log.info(`Using subdriver ${subdriver.title} for ${identity.mfr ?? "?"} ${identity.model ?? "?"} (${session.device.path})`)

    const stop = new AbortController()
    const onAbort = (): void => stop.abort()
    this.#signal.addEventListener("abort", onAbort, { once: true })
    try {
      const loops = [this.#pollLoop(live, state, stop.signal)]
      if (live.interruptPipe) loops.push(this.#interruptLoop(live, state, stop.signal))
      // the first loop to end (lost device or stop) ends the other one; both are awaited so no
      // rejection goes unhandled
      const outcomes = loops.map((loop) => loop.then(() => undefined, (err: unknown) => ({ err })))
      const first = await Promise.race(outcomes)
      stop.abort()
      const all = await Promise.all(outcomes)
      const failure = first ?? all.find((o) => o !== undefined)
      if (failure !== undefined) throw failure.err
    } finally {
      this.#signal.removeEventListener("abort", onAbort)
    }
  }

  async #pollLoop(live: Live, state: UpsState, signal: AbortSignal): Promise<void> {
    const intervalMs = this.#options.pollinterval * 1000
    let nextQuick = this.#clock.now() + intervalMs
    let nextFull = this.#clock.now() + live.pollfreqMs
    while (!signal.aborted) {
      const wake = Math.min(nextQuick, live.recheckAt ?? Number.POSITIVE_INFINITY)
      if (wake > this.#clock.now()) await pause(this.#clock, wake - this.#clock.now(), signal)
      if (signal.aborted) return
      const now = this.#clock.now()
      if (now >= nextQuick) {
        const full = now >= nextFull
        const notices: SessionNotice[] = []
        await live.session.poll(full ? "full" : "quick", notices)
        if (full) {
          await live.session.fetchStrings()
          nextFull = now + live.pollfreqMs
        }
        this.#report(notices)
        nextQuick = now + intervalMs
        this.#publish(live, state, full)
      } else {
        this.#publish(live, state, false)
      }
    }
  }

  async #interruptLoop(live: Live, state: UpsState, signal: AbortSignal): Promise<void> {
    const waitMs = this.#options.pollinterval * 1000
    let empty = 0
    while (!signal.aborted) {
      const began = this.#clock.now()
      const report = await live.session.readInterrupt(waitMs, signal)
      if (signal.aborted) return
      if (report === undefined) {
        // a transport that answers "nothing" at once must not turn this into a busy loop
        const waited = this.#clock.now() - began
        if (waited < waitMs) await pause(this.#clock, waitMs - waited, signal)
        // nut#2644: a BX750MI that stops sending interrupt reports looks fresh but is frozen
        empty++
        const tolerance = this.#options.interruptTolerance
        if (tolerance >= 0 && empty > tolerance) throw new DeviceLostError(`No interrupt report ${empty} times in a row (interrupt_pipe_no_events_tolerance = ${tolerance})`)
        continue
      }
      empty = 0
      const notices: SessionNotice[] = []
      const used = live.session.applyInterrupt(report, notices)
      this.#report(notices)
      if (used) this.#publish(live, state, false)
      else state.heartbeat()
    }
  }

  // ----- publishing -----

  #initSettings(session: DeviceSession): void {
    for (const { row } of session.binding.settings) {
      if (this.#settings.has(row.nut)) continue
      const fromConf = row.nut === "ups.delay.shutdown" ? this.#options.offdelay : row.nut === "ups.delay.start" ? this.#options.ondelay : undefined
      this.#settings.set(row.nut, fromConf === undefined ? row.default : String(fromConf))
    }
  }

  /** Renders values and status into the state. `full`: also drop values the device no longer gives. */
  #publish(live: Live, state: UpsState, full: boolean): void {
    let texts = live.session.mapper.render()
    if (this.#lowbatt !== undefined && texts.has("battery.charge.low")) {
      // NUT's `lowbatt` replaces the published battery.charge.low (it is not written to the UPS),
      // until a SET battery.charge.low changes the UPS's own value
      texts = new Map(texts).set("battery.charge.low", this.#lowbatt)
    }
    const published = publishVars(state, live.session.binding, texts, this.#overrides)
    if (full) {
      for (const name of live.published) if (!published.has(name)) state.delInfo(name)
      live.published = published
    } else for (const name of published) live.published.add(name)
    this.#published = live.published
    const composed = composeStatus(live.session.mapper.facts, live.statusOptions, live.memory, this.#clock.now())
    live.memory = composed.memory
    live.recheckAt = composed.recheckAt
    if (composed.onlineDischarging && !live.onlineDischarging) {
      this.#log.warn(
        `UPS reports OL and DISCHRG together; publishing ${composed.status}. Set onlinedischarge_calibration if it is calibrating, or onlinedischarge_onbattery if it is really on battery (CyberPower UT)`,
      )
    }
    live.onlineDischarging = composed.onlineDischarging
    const override = this.#overrides.get("ups.status")
    publishStatus(state, override === undefined ? composed : { ...composed, status: override })
    state.heartbeat()
  }

  // ----- writes -----

  async #carryOut(live: Live, state: UpsState, what: string, plan: WritePlan): Promise<WriteResult> {
    switch (plan.kind) {
      case "unknown":
        return "UNKNOWN"
      case "invalid":
        this.#log.info(`${what}: ${plan.reason}`)
        return "INVALID-ARGUMENT"
      case "setting":
        this.#settings.set(plan.name, plan.value)
        publishSettings(state, this.#settings)
        return "SUCCESS"
      case "steps":
        break
    }
    try {
      await live.session.write(plan.steps, this.#signal)
    } catch (err) {
      this.#log.warn(`${what}: ${errorText(err)}`)
      return "FAILED"
    }
    // NUT sets data_has_changed: the next walk is a full one. We do it now, so the new value is
    // published by the time the client hears SUCCESS.
    try {
      const notices: SessionNotice[] = []
      await live.session.poll("full", notices)
      this.#report(notices)
      if (this.#live === live) this.#publish(live, state, true)
    } catch {
      // the poll loop will notice a lost device on its own
    }
    return "SUCCESS"
  }

  // ----- logging -----

  #report(notices: readonly SessionNotice[]): void {
    for (const n of notices) this.#once(n.key, n.message)
  }

  /** Logs a message once per key for the driver's lifetime (garbage must not flood the log). */
  #once(key: string, message: string, level: "info" | "warn" = "warn"): void {
    if (this.#logged.has(key)) return
    this.#logged.add(key)
    this.#log[level](message)
  }
}

function describeCriteria(options: UsbHidOptions): string {
  const parts = Object.entries(options.criteria).map(([k, v]) => `${k}=${v}`)
  if (options.port !== "auto") parts.unshift(`port=${options.port}`)
  return parts.length === 0 ? "any" : parts.join(" ")
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

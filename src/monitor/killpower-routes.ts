/**
 * The two ways killpower reaches a UPS (src/monitor/killpower.ts):
 * - the running server, over NUT: `INSTCMD <ups> <cmd>` as a user allowed to run it, tracked so the
 *   driver's own answer decides (upscmd -w); works against nutctl and upsd alike;
 * - the device itself, when no server runs any more (late in the shutdown): the driver a ups.conf
 *   section names, started on a fresh UpsState just long enough to send the command — what
 *   `usbhid-ups -k` does. While a server still holds the device this fails (nut#2587: the USB
 *   device cannot be claimed twice), which is why the server is tried first.
 */
import { NutClient, type Dialer } from "../client/index.ts"
import type { Driver } from "../drivers/index.ts"
import { UpsState } from "../ups/index.ts"
import type { KillpowerAnswer, KillpowerRoute, KillpowerSession } from "./killpower.ts"
import type { Clock } from "./types.ts"

export interface NutKillpowerRouteOptions {
  readonly host: string
  readonly port: number
  readonly ups: string
  /** A user whose `instcmds` allow the chain's commands; without one INSTCMD is refused. */
  readonly user?: string
  readonly password?: string
  /** How long to wait for the driver's answer to a tracked INSTCMD. @default 10000 (upscmd -w) */
  readonly waitMs?: number
  /** @default the client's (libupsclient's 5 s) */
  readonly timeoutMs?: number
  readonly dialer?: Dialer
}

/** The running server (nutctl or upsd) at host:port. */
export function nutKillpowerRoute(options: NutKillpowerRouteOptions): KillpowerRoute {
  const where = options.host.includes(":") ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`
  return {
    description: `the server at ${where}${options.user === undefined ? "" : ` as ${options.user}`}`,
    probeWhenDry: true,
    async open(): Promise<KillpowerSession> {
      const client = await NutClient.connect({
        host: options.host,
        port: options.port,
        tls: "try",
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.dialer === undefined ? {} : { dialer: options.dialer }),
      })
      try {
        if (options.user !== undefined) await client.authenticate(options.user, options.password ?? "")
        // the UPS must be served with data; DRIVER-NOT-CONNECTED sends killpower to the device
        await client.getVar(options.ups, "ups.status")
      } catch (e) {
        client.close()
        throw e
      }
      const { ups } = options
      return {
        commands: () => client.listCmd(ups),
        status: () => client.getVar(ups, "ups.status"),
        async instcmd(cmd): Promise<KillpowerAnswer> {
          const outcome = await client.instcmd(ups, cmd, undefined, { track: true, waitMs: options.waitMs ?? 10_000 })
          // OK without tracking, or no answer in time: the server forwarded it, as upscmd reports
          return outcome.result === "OK" || outcome.result === "PENDING" ? "SENT" : outcome.result
        },
        async close() {
          client.close()
        },
      }
    },
  }
}

export interface DriverKillpowerRouteOptions {
  /** For the log, e.g. `the device (usbhid-ups, port auto)`. */
  readonly description: string
  /** Build the driver (the CLI: `createDriver(section, log, capabilities)`). */
  readonly create: () => Driver
  readonly clock: Clock
  /** How long the driver may take to publish the UPS. @default 15000 */
  readonly readyTimeoutMs?: number
}

/** The device itself, through its driver. */
export function driverKillpowerRoute(options: DriverKillpowerRouteOptions): KillpowerRoute {
  return {
    description: options.description,
    probeWhenDry: false,
    async open(): Promise<KillpowerSession> {
      const driver = options.create()
      const state = new UpsState()
      const abort = new AbortController()
      // a driver that cannot open the device ends its start() with the reason
      let onFailure: (e: Error) => void = () => {}
      const running = driver.start(state, abort.signal).then(
        () => onFailure(new Error("the driver stopped")),
        (e: unknown) => onFailure(e instanceof Error ? e : new Error(String(e))),
      )
      const stop = async (): Promise<void> => {
        onFailure = () => {}
        abort.abort()
        await running
      }
      try {
        await ready(state, (reject) => (onFailure = reject), options)
      } catch (e) {
        await stop()
        throw e
      }
      return {
        commands: async () => state.commands(),
        status: async () => state.value("ups.status"),
        instcmd: async (cmd) => driver.instcmd(cmd),
        close: stop,
      }
    },
  }
}

/** Resolves once the driver is connected and published ups.status; rejects on its failure or timeout. */
async function ready(state: UpsState, onFailure: (reject: (e: Error) => void) => void, options: DriverKillpowerRouteOptions): Promise<void> {
  const isReady = (): boolean => state.availability() === "ok" && state.get("ups.status") !== undefined
  if (isReady()) return
  const timeoutMs = options.readyTimeoutMs ?? 15_000
  const giveUp = new AbortController()
  try {
    await new Promise<void>((resolve, reject) => {
      onFailure((e) => reject(new Error(`the driver stopped: ${e.message}`)))
      const unsubscribe = state.subscribe(() => queueMicrotask(() => isReady() && resolve()))
      giveUp.signal.addEventListener("abort", unsubscribe, { once: true })
      options.clock.sleep(timeoutMs, giveUp.signal).then(
        () => reject(new Error(`the driver published no data within ${Math.round(timeoutMs / 1000)} s`)),
        () => undefined,
      )
    })
  } finally {
    giveUp.abort()
  }
}

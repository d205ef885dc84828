/**
 * Killpower (issue 4 item 7): what Debian's late shutdown hook does with NUT
 * (research/nut-reference.md §3.7) — `upsmon -K` (is POWERDOWNFLAG there, with upsmon's magic?),
 * then `upsdrvctl shutdown` (each UPS is told to cut the load and restore it when mains returns),
 * then nut.conf's POWEROFF_WAIT: if this host is still running that long after, the power was not
 * cut (mains came back during the shutdown, or the UPS ignored the command), so reboot rather than
 * stay halted with power on.
 *
 * The chain is usbhid-ups's (`sdcommands` of 2.8.3+, whose default extends 2.8.0's hard-wired
 * shutdown.return → shutdown.reboot → load.off.delay by shutdown.stayoff): the first command the UPS
 * lists and the driver reports handled ends it. The delays are the driver's (offdelay → ups.delay.
 * shutdown, ondelay → ups.delay.start), as with `usbhid-ups -k`. On an APC Back-UPS BX…MI only
 * shutdown.return (APCDelayBeforeReboot = 1) works: shutdown.reboot is acknowledged and ignored by
 * that firmware (nut#2683), which is why shutdown.return is first.
 *
 * A UPS is reached by routes tried in order: the running nutctl server (INSTCMD over NUT), then the
 * device itself through the driver registry. Everything is a capability, so tests use fakes.
 */
import type { PowerDownFlagStatus } from "./powerdown-flag.ts"
import type { Clock, MonitorLogger } from "./types.ts"

/** usbhid-ups's shutdown chain (2.8.3+ `sdcommands` default; 2.8.0 stops after load.off.delay). */
export const KILLPOWER_CHAIN = ["shutdown.return", "shutdown.reboot", "load.off.delay", "shutdown.stayoff"] as const

/** The chain for one UPS: its `sdcommands` option (comma-separated) or the default. */
export function killpowerChain(params: Readonly<Record<string, string>>): readonly string[] {
  const own = params["sdcommands"]
    ?.split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "")
  return own !== undefined && own.length > 0 ? own : KILLPOWER_CHAIN
}

/** How a UPS answered one command. `SENT`: accepted without a result (a server without TRACKING). */
export type KillpowerAnswer = "SUCCESS" | "SENT" | "FAILED" | "UNKNOWN" | "INVALID-ARGUMENT"

/** An open way to one UPS. */
export interface KillpowerSession {
  /** Instant commands the UPS lists. */
  commands(): Promise<readonly string[]>
  /** `ups.status`, when it can be read (for the log: OL means mains is back). */
  status(): Promise<string | undefined>
  /** Send one instant command; rejects when the route refused it (ACCESS-DENIED, …). */
  instcmd(cmd: string): Promise<KillpowerAnswer>
  close(): Promise<void>
}

/** One way to reach a UPS: the running server, or the device. */
export interface KillpowerRoute {
  /** For the log: `the nutctl server at 127.0.0.1:3493 as admin`, `the device (usbhid-ups)`. */
  readonly description: string
  /** Whether a dry run may open it (a read-only look); the device route is never opened dry. */
  readonly probeWhenDry: boolean
  /** Rejects when the route is not there (server down, device busy). */
  open(): Promise<KillpowerSession>
}

/** One UPS to cut. */
export interface KillpowerTarget {
  readonly ups: string
  readonly chain: readonly string[]
  readonly routes: readonly KillpowerRoute[]
}

/** What `upsmon -K` says about the flag, as the decision's input. */
export type KillpowerFlag = { readonly configured: false } | { readonly configured: true; readonly path: string; readonly status: PowerDownFlagStatus }

/** The decision before anything is sent. */
export type KillpowerDecision =
  | { readonly kill: true }
  | { readonly kill: false; readonly reason: "no-flag-configured" | "flag-absent" | "flag-foreign"; readonly message: string }

/**
 * `upsmon -K`: cut the power only when POWERDOWNFLAG is configured, present and starts with
 * upsmon's magic (a foreign file is never taken as the flag: a misconfigured path must not kill
 * the power of a normal reboot).
 */
export function killpowerDecision(flag: KillpowerFlag): KillpowerDecision {
  if (!flag.configured) return { kill: false, reason: "no-flag-configured", message: "POWERDOWNFLAG is not configured: nothing to do" }
  if (flag.status === "absent") return { kill: false, reason: "flag-absent", message: `Power down flag ${flag.path} is not set: a normal shutdown, the UPS keeps the power on` }
  if (flag.status === "foreign") {
    return { kill: false, reason: "flag-foreign", message: `Power down flag ${flag.path} does not contain the upsmon magic string: not cutting the power` }
  }
  return { kill: true }
}

/** How one UPS went. */
export interface KillpowerUpsResult {
  readonly ups: string
  /** The command that was handled, and the route it went by; undefined when none was. */
  readonly command?: string
  readonly route?: string
  /** True when a dry run only said what it would send. */
  readonly dryRun?: boolean
}

/** How the whole run ended. */
export type KillpowerOutcome =
  | { readonly kind: "not-set"; readonly decision: Extract<KillpowerDecision, { kill: false }> }
  /** Every UPS took a command (or a dry run found what it would send). */
  | { readonly kind: "killed"; readonly results: readonly KillpowerUpsResult[]; readonly rebooted: boolean }
  /** At least one UPS took no command. */
  | { readonly kind: "failed"; readonly results: readonly KillpowerUpsResult[] }

export interface KillpowerOptions {
  readonly flag: KillpowerFlag
  readonly targets: readonly KillpowerTarget[]
  readonly clock: Clock
  readonly log: MonitorLogger
  /** Decide and look, send nothing, wait for nothing, reboot nothing. @default false */
  readonly dryRun?: boolean
  /** nut.conf POWEROFF_WAIT: after the commands, wait this long, then `reboot` (we are still alive). */
  readonly powerOffWaitMs?: number
  /** The forced reboot after POWEROFF_WAIT (`systemctl reboot --force --force`). */
  readonly reboot?: () => Promise<void>
}

/** Run killpower: decide, send the chain to every UPS, then POWEROFF_WAIT. Never throws for a UPS. */
export async function runKillpower(options: KillpowerOptions): Promise<KillpowerOutcome> {
  const { log } = options
  const decision = killpowerDecision(options.flag)
  if (!decision.kill) {
    log(decision.reason === "flag-foreign" ? "error" : "info", decision.message)
    return { kind: "not-set", decision }
  }
  if (options.targets.length === 0) log("warning", "Power down flag is set, but no UPS is configured on this host")
  const results: KillpowerUpsResult[] = []
  for (const target of options.targets) results.push(await killOne(target, options))
  // a dry run that would open the device knows no command yet, but has not failed
  const failed = results.some((r) => r.command === undefined && r.dryRun !== true)
  if (failed || results.length === 0) return { kind: "failed", results }
  const rebooted = await powerOffWait(options)
  return { kind: "killed", results, rebooted }
}

async function killOne(target: KillpowerTarget, options: KillpowerOptions): Promise<KillpowerUpsResult> {
  const { log } = options
  const dry = options.dryRun === true
  for (const route of target.routes) {
    if (dry && !route.probeWhenDry) {
      log("info", `Dry run: would open ${route.description} and send the first of ${target.chain.join(", ")} that UPS [${target.ups}] handles`)
      return { ups: target.ups, route: route.description, dryRun: true }
    }
    let session: KillpowerSession
    try {
      session = await route.open()
    } catch (e) {
      log("warning", `UPS [${target.ups}]: cannot use ${route.description}: ${(e as Error).message}`)
      continue
    }
    try {
      const handled = await runChain(target, route, session, options)
      if (handled !== undefined) return { ups: target.ups, command: handled, route: route.description, ...(dry ? { dryRun: true } : {}) }
    } catch (e) {
      log("warning", `UPS [${target.ups}]: ${route.description} failed: ${(e as Error).message}`)
    } finally {
      await session.close().catch(() => undefined)
    }
  }
  log("error", `UPS [${target.ups}]: shutdown failed: no route took any of ${target.chain.join(", ")}`)
  return { ups: target.ups }
}

/** The first command of the chain the UPS lists and handles; undefined when none. */
async function runChain(target: KillpowerTarget, route: KillpowerRoute, session: KillpowerSession, options: KillpowerOptions): Promise<string | undefined> {
  const { log } = options
  const listed = new Set((await session.commands()).map((c) => c.toLowerCase()))
  const status = await session.status().catch(() => undefined)
  if (status !== undefined && status.split(" ").includes("OL")) {
    // the power race: mains came back while the hosts went down. shutdown.return still cycles the
    // load (the UPS restores it after ondelay); a UPS that ignores it is what POWEROFF_WAIT is for
    log("warning", `UPS [${target.ups}] is on line power again (${status}): cutting the power anyway, so that every host comes back with it`)
  }
  for (const cmd of target.chain) {
    if (!listed.has(cmd.toLowerCase())) {
      log("debug", `UPS [${target.ups}] has no ${cmd}`)
      continue
    }
    if (options.dryRun === true) {
      log("info", `Dry run: would send ${cmd} to UPS [${target.ups}] through ${route.description}`)
      return cmd
    }
    let answer: KillpowerAnswer
    try {
      answer = await session.instcmd(cmd)
    } catch (e) {
      log("error", `UPS [${target.ups}]: ${cmd} through ${route.description} refused: ${(e as Error).message}`)
      return undefined
    }
    if (answer === "SUCCESS" || answer === "SENT") {
      log("notice", `UPS [${target.ups}]: ${cmd} ${answer === "SUCCESS" ? "handled" : "sent"} through ${route.description}`)
      return cmd
    }
    log("warning", `UPS [${target.ups}]: ${cmd} through ${route.description} answered ${answer}, trying the next command`)
  }
  return undefined
}

/**
 * POWEROFF_WAIT: the UPS cuts the load within its delay (ups.delay.shutdown, ~2 min for a BX's
 * shutdown.return). Still running after the wait means the power stayed on; a halted host would
 * then stay off until someone presses its button, so reboot instead.
 */
async function powerOffWait(options: KillpowerOptions): Promise<boolean> {
  const { log, powerOffWaitMs, reboot } = options
  if (powerOffWaitMs === undefined) return false
  const seconds = Math.round(powerOffWaitMs / 1000)
  if (options.dryRun === true) {
    log("info", `Dry run: would wait ${seconds} s (POWEROFF_WAIT) for the power to go, then reboot`)
    return false
  }
  log("notice", `Waiting ${seconds} s (POWEROFF_WAIT) for the UPS to cut the power`)
  await options.clock.sleep(powerOffWaitMs)
  log("alert", `The power is still on ${seconds} s after the shutdown command (it came back, or the UPS ignored the command): rebooting`)
  if (reboot === undefined) {
    log("error", "No reboot command: staying halted")
    return false
  }
  await reboot()
  return true
}

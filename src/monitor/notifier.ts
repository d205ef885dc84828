/**
 * Delivers notifications as upsmon's do_notify does, in its order: IGNORE wins, then SYSLOG (at
 * LOG_NOTICE), WALL, and EXEC (NOTIFYCMD with NOTIFYTYPE/UPSNAME added to the environment). When
 * NOTIFYCMD is upssched, the EXEC-flagged notifications go to the built-in upssched instead of a
 * program, and its timers run here. Commands are not awaited (upsmon forks them); `settle()`
 * waits for the ones still running.
 */
import { notifyCommand } from "./notify.ts"
import { createUpsschedState, isUpsschedCommand, nextUpsschedDue, nextUpsschedState, type UpsschedEffect, type UpsschedState } from "./upssched.ts"
import type { UpsschedConf } from "./upssched-conf.ts"
import type { MonitorConfig, MonitorLogger, NotifyRecord, ShellRunner } from "./types.ts"

export interface NotifierOptions {
  readonly config: MonitorConfig
  readonly log: MonitorLogger
  /** Runs NOTIFYCMD and CMDSCRIPT; without it EXEC is only logged. */
  readonly runShell?: ShellRunner
  /** Sends a message to logged-in users (`wall`); without it WALL is skipped. */
  readonly wall?: (message: string) => Promise<void>
  /** upssched.conf, used when NOTIFYCMD is upssched. */
  readonly upssched?: UpsschedConf
  /** Log what would run instead of running it, and send no WALL. @default false */
  readonly dryRun?: boolean
}

/** The notification side of the monitor. */
export class Notifier {
  readonly #options: NotifierOptions
  readonly #running = new Set<Promise<void>>()
  readonly #upssched: UpsschedConf | undefined
  #timers: UpsschedState = createUpsschedState()

  constructor(options: NotifierOptions) {
    this.#options = options
    this.#upssched = isUpsschedCommand(options.config.notifyCmd) ? options.upssched : undefined
  }

  /** Deliver one notification at `now` (ms since the epoch). */
  notify(record: NotifyRecord, now: number): void {
    const { flags, message } = record
    if (flags.ignore) return
    if (flags.syslog) this.#options.log("notice", message)
    if (flags.wall) this.wall(message)
    const cmd = notifyCommand(record, this.#options.config.notifyCmd)
    if (cmd === undefined) return
    if (this.#upssched !== undefined) {
      const t = nextUpsschedState(this.#timers, { kind: "notify", type: record.type, system: record.system }, { now, config: this.#upssched })
      this.#timers = t.state
      this.#upsschedEffects(t.effects)
    } else {
      this.#exec(cmd.shell, cmd.env, `NOTIFYCMD for ${record.type}`)
    }
  }

  /** Fire the upssched timers due at `now`. */
  tick(now: number): void {
    if (this.#upssched === undefined) return
    const t = nextUpsschedState(this.#timers, { kind: "tick" }, { now, config: this.#upssched })
    this.#timers = t.state
    this.#upsschedEffects(t.effects)
  }

  /** When the next upssched timer is due (ms since the epoch). */
  nextDue(): number | undefined {
    return this.#upssched === undefined ? undefined : nextUpsschedDue(this.#timers)
  }

  /** Send a message to logged-in users, as upsmon's wall() does. */
  wall(message: string): void {
    const { wall, dryRun, log } = this.#options
    if (wall === undefined) return
    if (dryRun === true) {
      log("info", `Dry run: would send to all users: ${message}`)
      return
    }
    this.#track(wall(message).catch((e: unknown) => log("warning", `Cannot send the message to logged-in users: ${(e as Error).message}`)))
  }

  /** Wait until every command started so far has ended. */
  async settle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running])
  }

  #upsschedEffects(effects: readonly UpsschedEffect[]): void {
    for (const e of effects) {
      if (e.type === "execute") this.#exec(e.shell, { ...e.env }, `upssched CMDSCRIPT (${e.reason} ${e.arg})`)
      else if (e.type === "timerStarted") this.#options.log("debug", `upssched: timer ${e.name} started, due at ${new Date(e.dueAt).toISOString()}`)
      else this.#options.log("debug", `upssched: timer ${e.name} cancelled`)
    }
  }

  #exec(shell: string, env: Readonly<Record<string, string>>, what: string): void {
    const { runShell, dryRun, log } = this.#options
    if (dryRun === true || runShell === undefined) {
      log("info", `${dryRun === true ? "Dry run: would run" : "No command runner: not running"} ${what}: ${shell}`)
      return
    }
    this.#track(
      runShell(shell, env).then(
        (r) => {
          if (r.exitCode !== 0) log("warning", `${what} ${r.signal !== undefined ? `killed by ${r.signal}` : `exited with status ${r.exitCode}`}: ${shell}`)
        },
        (e: unknown) => log("error", `Cannot run ${what}: ${(e as Error).message}`),
      ),
    )
  }

  #track(p: Promise<void>): void {
    this.#running.add(p)
    void p.finally(() => this.#running.delete(p))
  }
}

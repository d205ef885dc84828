/**
 * Contracts of the monitor: its configuration, what the loop feeds in and what comes out.
 * The state machines never do I/O; they return effects (data) that the loop carries out in order.
 */
import type { NotifyFlags, NotifyType } from "./notify-types.ts"

// ----- Time -----

/** Time for the loop: tests inject a manual one (test/support/manual-clock.ts). */
export type { Clock } from "../ups/index.ts"

// ----- Configuration -----

/** One monitored supply: a MONITOR line, or one `monitor:` entry of a nutctl role. */
export interface SupplyConfig {
  /** `ups@host:port` as written: the identity in messages, UPSNAME and upssched matching. */
  readonly system: string
  readonly ups: string
  readonly host: string
  readonly port: number
  /** Power supplies of this host fed by the UPS; 0 = watch only. */
  readonly powerValue: number
  /** A primary sets FSD and waits for secondaries; a secondary waits for the primary's FSD. */
  readonly role: "primary" | "secondary"
  /** Login for the connection (not used by the state machines). */
  readonly user?: string
  readonly password?: string
}

/** Everything the monitor decides with. Durations are milliseconds (upsmon.conf says seconds). */
export interface MonitorConfig {
  readonly supplies: readonly SupplyConfig[]
  /** Shut down when the power value of non-critical supplies drops below this. @default 1 */
  readonly minSupplies: number
  /** @default 5000 */
  readonly pollFreqMs: number
  /** Used while a supply is on battery (or OFF, BYPASS, CAL). @default 5000 */
  readonly pollFreqAlertMs: number
  /** Primary: longest wait for secondaries to log out. Secondary: wait for the primary's FSD. @default 15000 */
  readonly hostSyncMs: number
  /** A supply not polled for this long that was last on battery counts as OB+LB. @default 15000 */
  readonly deadTimeMs: number
  /** Between the SHUTDOWN notification and the shutdown itself. @default 5000 */
  readonly finalDelayMs: number
  /** Repeat interval of REPLBATT. @default 43200000 */
  readonly rbWarnTimeMs: number
  /** NOCOMM after this long without contact, and again every this long. @default 300000 */
  readonly noCommWarnTimeMs: number
  /** Flags of every notify type (NOTIFYFLAG over the defaults). */
  readonly notifyFlags: Readonly<Record<NotifyType, NotifyFlags>>
  /** Message format of every notify type (NOTIFYMSG over the stock texts). */
  readonly notifyMessages: Readonly<Record<NotifyType, string>>
  /** NOTIFYCMD: run for EXEC-flagged notifications. */
  readonly notifyCmd?: string
  /** SHUTDOWNCMD (the `command` executor's plan). */
  readonly shutdownCmd?: string
  /** POWERDOWNFLAG: written right before the shutdown; no default, as in upsmon. */
  readonly powerDownFlag?: string
  /**
   * nutctl's `shutdown.when.onBatteryFor`: a supply on battery this long counts as critical, as a
   * upssched "START-TIMER on ONBATT, then `upsmon -c fsd`" would do (but per supply, for MINSUPPLIES).
   */
  readonly onBatteryForMs?: number
  /**
   * Keep the connections (and keep polling) while the shutdown plan runs; drop them only once it
   * has finished. A secondary's login then means "not down yet" to the primary that waits for
   * NUMLOGINS, and power returning before the plan's point of no return calls the shutdown off.
   * upsmon drops its connections before SHUTDOWNCMD (what upsmon.conf-based monitors keep doing).
   * @default false
   */
  readonly keepLoginDuringShutdown?: boolean
}

// ----- Input -----

/** What one poll of `ups.status` gave. */
export type PollResult =
  | {
      readonly kind: "status"
      /** `ups.status` as the server sent it (an empty value counts as a failed poll, as in upsmon). */
      readonly status: string
      /** `ups.alarm`, when the loop fetched it (for the ALARM message). */
      readonly alarm?: string
      /** `battery.runtime` read with the status while on battery, when the loop has a runtime budget. */
      readonly runtime?: RuntimeReading
    }
  | {
      readonly kind: "failed"
      /** `DATA-STALE`, `DRIVER-NOT-CONNECTED`, `UNKNOWN-UPS`, `CONNECT-FAILED`, `TIMEOUT`, … (for records only). */
      readonly error: string
      /** An established connection was lost: it will be rebuilt (upsmon's drop_connection). */
      readonly dropped?: boolean
    }

/** `battery.runtime` as one poll read it, with the runtime budget's verdict the loop added. */
export interface RuntimeReading {
  /** `battery.runtime`, seconds. */
  readonly seconds: number
  /** Whether it still covers what the shutdown plan needs (`shutdown.when.runtimeBelow`). */
  readonly covers?: boolean
  /** What the plan needs, ms (for the messages). */
  readonly needMs?: number
}

/** Timers the host machine asks the loop to run (`onbattery`: `onBatteryForMs` is due). */
export type TimerId = "numlogins" | "hostsync" | "finaldelay" | "onbattery"

// ----- Output -----

/** Severity of a record, as syslog names it. */
export type LogLevel = "debug" | "info" | "notice" | "warning" | "error" | "crit" | "alert"

/** A notification as upsmon would send it: the structured event for the store, HTTP and NOTIFYCMD. */
export interface NotifyRecord {
  readonly kind: "notify"
  /** ms since the epoch */
  readonly at: number
  readonly type: NotifyType
  /** The UPS as written in MONITOR; "" for SHUTDOWN and NOPARENT (UPSNAME is then empty). */
  readonly system: string
  /** The formatted message (NOTIFYMSG or stock, `%s` filled in). */
  readonly message: string
  readonly flags: NotifyFlags
  /** The `ups.status` that caused it, when one did. */
  readonly status?: string
}

/** What a decision record says happened. */
export type DecisionCode =
  | "CRITICAL"
  | "GIVING_UP_ON_PRIMARY"
  | "DEAD_PROMOTED"
  | "CAL_SUPPRESSES_OBLB"
  | "POLL_FAILED"
  | "USER_FSD"
  | "SET_FSD"
  | "WAITING_FOR_SECONDARIES"
  | "SECONDARIES_GONE"
  | "HOSTSYNC_EXPIRED"
  | "POWERFAIL_SHUTDOWN"
  | "SHUTDOWN_REQUESTED"
  | "POWER_RETURNED"
  | "SHUTDOWN_CALLED_OFF"
  | "SHUTDOWN_DONE"

/** A decision or observation of the monitor that is not a notification (upsmon's log lines). */
export interface DecisionRecord {
  readonly kind: "decision"
  readonly at: number
  readonly level: LogLevel
  readonly code: DecisionCode
  readonly system?: string
  readonly message: string
}

/** Everything the monitor reports, for the event store and the HTTP stream. */
export type MonitorRecord = NotifyRecord | DecisionRecord

/**
 * What the loop must do, in order. Answers (`numLogins`) and due timers are fed back as new events
 * only after every effect of the transition that asked for them has been carried out.
 */
export type MonitorEffect =
  /** Deliver a notification per its flags (syslog, wall, NOTIFYCMD), unless `ignore`. */
  | { readonly type: "notify"; readonly record: NotifyRecord }
  /** Log (and keep) a decision; `wall` also sends the message to logged-in users. */
  | { readonly type: "log"; readonly record: DecisionRecord; readonly wall?: boolean }
  /** Sleep this long between poll rounds from now on. */
  | { readonly type: "pollInterval"; readonly ms: number }
  /** Feed `{ kind: "timer", id }` at `at` (replaces a running timer with the same id). */
  | { readonly type: "startTimer"; readonly id: TimerId; readonly at: number }
  | { readonly type: "cancelTimer"; readonly id: TimerId }
  /** Send `FSD <ups>` on this supply's connection; errors are logged and ignored (as upsmon does). */
  | { readonly type: "setFsd"; readonly system: string }
  /** Send `GET NUMLOGINS <ups>` on each; feed the answers as one `numLogins` event. */
  | { readonly type: "getNumLogins"; readonly systems: readonly string[] }
  /**
   * Close every NUT connection without LOGOUT (the server's NUMLOGINS drops when the socket closes).
   * `when: "shutdownUnderway"`: not before the requestShutdown that follows has its first step
   * started, so a primary waiting for this host to leave cannot go down before this host's
   * SHUTDOWNCMD runs (upsmon's child and parent race there).
   */
  | { readonly type: "closeConnections"; readonly when?: "shutdownUnderway" }
  /** Run this host's shutdown: write POWERDOWNFLAG (when set), then the shutdown plan. */
  | { readonly type: "requestShutdown"; readonly powerDownFlag?: string; readonly shutdownCmd?: string }
  /**
   * Power is back while the shutdown runs (`keepLoginDuringShutdown`): call it off. The plan stops
   * if it is still before its point of no return; the loop then feeds `shutdownAborted`.
   */
  | { readonly type: "powerReturned"; readonly reason: string }

// ----- Runtime capabilities (what the loop is given; tests pass fakes) -----

/** Where the monitor logs: syslog levels, as upsmon's upslogx uses them. */
export type MonitorLogger = (level: LogLevel, message: string) => void

/**
 * One connection to one monitored supply: over the network to upsd or nutctl, or the in-process
 * UpsState of the server this host runs itself. Implementations never throw from `poll`.
 */
export interface SupplyLink {
  /** The supply's `ups@host:port`, as in its SupplyConfig. */
  readonly system: string
  /** Connect and log in when not connected, then read `ups.status` (and `ups.alarm` while ALARM). */
  poll(options?: PollOptions): Promise<PollResult>
  /** `FSD <ups>`; rejects when the server refused or the connection is down. */
  setFsd(): Promise<void>
  /**
   * Clear the FSD latch again, after a shutdown was called off. Only a UPS this process serves can:
   * NUT has no command for it (upsd clears it only when it restarts). Links that cannot leave it out.
   */
  clearFsd?(): Promise<void>
  /** `GET NUMLOGINS <ups>`; rejects on any failure. */
  numLogins(): Promise<number>
  /** upsmon's exit before SHUTDOWNCMD: close without LOGOUT (the server's NUMLOGINS drops). */
  drop(): void
  /** A normal stop: LOGOUT and close, as upscli_disconnect does. */
  close(): void
  /**
   * Updates pushed between polls (issue 4 item 8, nutctl ↔ nutctl): the loop feeds each one as a
   * one-supply poll. Returns the unsubscribe. Links without push leave it out.
   */
  watch?(deliver: (result: PollResult) => void): () => void
}

/** What a poll reads besides `ups.status`. */
export interface PollOptions {
  /** Also read `battery.runtime` when the status says OB (for the runtime budget). @default false */
  readonly runtime?: boolean
}

/**
 * What the loop asks of the runtime budget behind `shutdown.when.runtimeBelow` (shutdown's
 * `createRuntimeBudget` fits; a fixed threshold is `runtime × 1000 ≥ ms`).
 */
export interface RuntimeBudgetCheck {
  /** Does `battery.runtime` (seconds) still cover the plan? True while the need is not known. */
  covers(batteryRuntime: number): boolean
  /** What the plan needs, ms; undefined while it is not known yet. */
  readonly needMs: number | undefined
}

/** Runs `/bin/sh -c command` with `env` added to the process environment (NOTIFYCMD, CMDSCRIPT). */
export type ShellRunner = (command: string, env: Readonly<Record<string, string>>) => Promise<ShellResult>

/** How a shell command ended. */
export interface ShellResult {
  /** Exit status, when it exited. */
  readonly exitCode?: number
  /** Signal name, when it was killed. */
  readonly signal?: string
}

/** File access for POWERDOWNFLAG. */
export interface FlagFile {
  /** The file's first bytes as latin1 text, or undefined when it does not exist. */
  read(path: string): Promise<string | undefined>
  /** Create or truncate the file and write `content` (upsmon: fopen "w", so 0666 less the umask). */
  write(path: string, content: string): Promise<void>
  remove(path: string): Promise<void>
}

/** What the monitor asks of the shutdown when it decides this host must go down. */
export interface ShutdownRequest {
  /** ms since the epoch */
  readonly at: number
  /** SHUTDOWNCMD from the config, when set (the `command` executor's plan). */
  readonly shutdownCmd?: string
  /**
   * Called once the shutdown is under way: its first step has started (SHUTDOWNCMD is spawned), or
   * there was nothing to start. A handler that never calls it is taken as under way when it ends.
   */
  readonly onUnderway?: () => void
}

/** How the shutdown went, as far as this process saw it. */
export interface ShutdownReport {
  readonly ok: boolean
  /** One line per failed part, for the log and the exit status. */
  readonly failures: readonly string[]
  /** The plan was called off before its point of no return (power returned): this host stays up. */
  readonly aborted?: boolean
}

/**
 * The hand-off from the monitor to the host's shutdown: NUT's SHUTDOWNCMD through the `command`
 * executor (upsmon.conf), or the cluster config's plan runner. `signal` aborts when power returned
 * while the plan runs (only with `keepLoginDuringShutdown`); a plan that stopped before its point
 * of no return reports `aborted`.
 */
export interface ShutdownHandler {
  run(request: ShutdownRequest, signal: AbortSignal): Promise<ShutdownReport>
}

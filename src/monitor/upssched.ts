/**
 * upssched built in: the AT rules of upssched.conf applied to each notification, and the timer
 * daemon as a pure table (clients/upssched.c). Feed every notification that upsmon would hand to
 * `NOTIFYCMD upssched` (the EXEC-flagged ones), and a tick at `nextUpsschedDue()`.
 */
import type { UpsschedConf } from "./upssched-conf.ts"

/** The variables upssched reads, passed on to CMDSCRIPT. */
export interface UpsschedEnv {
  readonly UPSNAME: string
  readonly NOTIFYTYPE: string
}

/** A running timer. */
export interface UpsschedTimer {
  readonly name: string
  /** ms since the epoch */
  readonly dueAt: number
  readonly cmdScript: string
  /** The notification that started it: CMDSCRIPT runs with it when the timer fires. */
  readonly env: UpsschedEnv
}

/** The timer queue, in start order (upssched's linked list). */
export interface UpsschedState {
  readonly timers: readonly UpsschedTimer[]
}

/** A notification, or time passing. */
export type UpsschedEvent = { readonly kind: "notify"; readonly type: string; readonly system: string } | { readonly kind: "tick" }

/** What to do. */
export type UpsschedEffect =
  /** Run `/bin/sh -c shell` (upssched's `system("CMDSCRIPT arg")`, the argument unquoted) with `env` added. */
  | { readonly type: "execute"; readonly shell: string; readonly arg: string; readonly env: UpsschedEnv; readonly reason: "EXECUTE" | "timer" | "CANCEL-TIMER" }
  | { readonly type: "timerStarted"; readonly name: string; readonly dueAt: number }
  | { readonly type: "timerCancelled"; readonly name: string }

/** No timers running. */
export function createUpsschedState(): UpsschedState {
  return { timers: [] }
}

/** When the next timer is due, for the loop's sleep; undefined when none runs. */
export function nextUpsschedDue(state: UpsschedState): number | undefined {
  let due: number | undefined
  for (const t of state.timers) if (due === undefined || t.dueAt < due) due = t.dueAt
  return due
}

/**
 * Apply the matching AT lines of a notification (all of them, in file order), then fire the timers
 * that are due. upssched checks its queue once a second; timers here fire at their exact time.
 */
export function nextUpsschedState(
  state: UpsschedState,
  event: UpsschedEvent,
  env: { readonly now: number; readonly config: UpsschedConf },
): { readonly state: UpsschedState; readonly effects: readonly UpsschedEffect[] } {
  const effects: UpsschedEffect[] = []
  let timers = [...state.timers]
  if (event.kind === "notify") {
    const runEnv: UpsschedEnv = { UPSNAME: event.system, NOTIFYTYPE: event.type }
    for (const rule of env.config.rules) {
      // upssched: strcmp for the UPS (or "*"), strcasecmp for the notify type.
      if (rule.upsName !== "*" && rule.upsName !== event.system) continue
      if (rule.notifyType.toUpperCase() !== event.type.toUpperCase()) continue
      const { action } = rule
      if (action.kind === "execute") {
        effects.push(execute(rule.cmdScript, action.command, runEnv, "EXECUTE"))
      } else if (action.kind === "start-timer") {
        const dueAt = env.now + action.seconds * 1000
        timers.push({ name: action.name, dueAt, cmdScript: rule.cmdScript, env: runEnv })
        effects.push({ type: "timerStarted", name: action.name, dueAt })
      } else {
        const i = timers.findIndex((t) => t.name === action.name)
        if (i >= 0) {
          timers.splice(i, 1)
          effects.push({ type: "timerCancelled", name: action.name })
        } else if (action.command !== undefined) {
          // "This is not necessarily an error": nothing to cancel, so the alternative runs.
          effects.push(execute(rule.cmdScript, action.command, runEnv, "CANCEL-TIMER"))
        }
      }
    }
  }
  const due = timers.filter((t) => t.dueAt <= env.now)
  if (due.length > 0) {
    timers = timers.filter((t) => t.dueAt > env.now)
    for (const t of due) effects.push(execute(t.cmdScript, t.name, t.env, "timer"))
  }
  return { state: { timers }, effects }
}

function execute(cmdScript: string, arg: string, env: UpsschedEnv, reason: "EXECUTE" | "timer" | "CANCEL-TIMER"): UpsschedEffect {
  return { type: "execute", shell: `${cmdScript} ${arg}`, arg, env, reason }
}

/**
 * Whether a NOTIFYCMD is upssched (`/usr/sbin/upssched`, `upssched`): nutctl then applies
 * upssched.conf itself instead of running the program.
 */
export function isUpsschedCommand(notifyCmd: string | undefined): boolean {
  const first = notifyCmd?.trim().split(/\s+/)[0]
  return first !== undefined && /(^|\/)upssched$/.test(first)
}

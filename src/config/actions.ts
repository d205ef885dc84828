/**
 * The `actions` a NUT user may be given (upsd.users `actions =`, nutctl's `users.*.actions`).
 * upsd stores any word and compares case-insensitively, so a misspelt action (`FDS`) is
 * accepted there and silently grants nothing; nutctl warns about it.
 */

/** The actions NUT documents for `actions =`. */
export const USER_ACTIONS = ["SET", "FSD"] as const

/**
 * Actions upsd also checks, normally granted by an `upsmon` line; accepted without a warning
 * because `actions = LOGIN` works in upsd (and in nutctl).
 */
export const UPSMON_ACTIONS = ["LOGIN", "MASTER", "PRIMARY"] as const

const KNOWN = new Set<string>([...USER_ACTIONS, ...UPSMON_ACTIONS])

/** Whether upsd knows `action` (any case). */
export function isKnownAction(action: string): boolean {
  return KNOWN.has(action.toUpperCase())
}

/**
 * The warning text for an action upsd would never check, without file or line:
 * `unknown action FDS (expected SET or FSD)`; undefined for a known action.
 */
export function unknownActionProblem(action: string): string | undefined {
  return isKnownAction(action) ? undefined : `unknown action ${action} (expected ${USER_ACTIONS.join(" or ")})`
}

import type { UpsState, VarFlag, WriteResult } from "../../ups/index.ts"

/**
 * What one driver → upsd line was. State verbs are already applied; the rest is session control
 * for the caller. Only non-`invalid` lines count as "heard from the driver" (upsd's last_heard).
 */
export type DriverLine =
  | { readonly kind: "invalid" }
  | { readonly kind: "state" }
  | { readonly kind: "pong" }
  | { readonly kind: "dump-done" }
  | { readonly kind: "data"; readonly ok: boolean }
  | { readonly kind: "tracking"; readonly id: string; readonly result: WriteResult }

const INVALID: DriverLine = { kind: "invalid" }
const STATE: DriverLine = { kind: "state" }

// STAT_INSTCMD_* / STAT_SET_* of NUT 2.8.0: HANDLED, UNKNOWN, INVALID, FAILED
const TRACKING_RESULTS: readonly WriteResult[] = ["SUCCESS", "UNKNOWN", "INVALID-ARGUMENT", "FAILED"]

/**
 * Apply one line a NUT driver sent on its socket to the UpsState, as upsd's parse_args()
 * (server/sstate.c) does: verbs are case-insensitive, each needs a minimum number of words and
 * extra words are ignored; verbs on a variable that does not exist are ignored.
 */
export function applyDriverLine(state: UpsState, words: readonly string[]): DriverLine {
  const [verb, a1, a2, a3] = words
  if (verb === undefined) return INVALID
  switch (verb.toUpperCase()) {
    case "PONG":
      return { kind: "pong" }
    case "DUMPDONE":
      return { kind: "dump-done" }
    case "DATASTALE":
      return { kind: "data", ok: false }
    case "DATAOK":
      return { kind: "data", ok: true }
  }
  if (a1 === undefined) return INVALID
  switch (verb.toUpperCase()) {
    case "ADDCMD":
      state.addCmd(a1)
      return STATE
    case "DELCMD":
      state.delCmd(a1)
      return STATE
    case "DELINFO":
      state.delInfo(a1)
      return STATE
  }
  if (a2 === undefined) return INVALID
  switch (verb.toUpperCase()) {
    case "SETFLAGS":
      state.setFlags(a1, parseFlags(words.slice(2)))
      return STATE
    case "SETINFO":
      state.setInfo(a1, a2)
      return STATE
    case "ADDENUM":
      state.addEnum(a1, a2)
      return STATE
    case "DELENUM":
      state.delEnum(a1, a2)
      return STATE
    case "SETAUX":
      state.setAux(a1, cInt(a2))
      return STATE
    case "TRACKING": {
      const n = cInt(a2)
      return { kind: "tracking", id: a1, result: TRACKING_RESULTS[n] ?? "FAILED" }
    }
  }
  if (a3 === undefined) return INVALID
  switch (verb.toUpperCase()) {
    case "ADDRANGE": {
      const min = cInt(a2)
      const max = cInt(a3)
      // state_addrange(): "min is superior to max!" is refused
      if (min <= max) state.addRange(a1, min, max)
      return STATE
    }
    case "DELRANGE":
      state.delRange(a1, cInt(a2), cInt(a3))
      return STATE
  }
  return INVALID
}

/** SETFLAGS words → flags; unknown words are ignored (state_setflags()). */
export function parseFlags(words: readonly string[]): VarFlag[] {
  const flags: VarFlag[] = []
  for (const w of words) {
    const f = w.toUpperCase()
    if (f === "RW" || f === "STRING" || f === "NUMBER") flags.push(f)
  }
  return flags
}

/** C atoi()/strtol(…, 10): the leading integer, 0 when there is none. */
function cInt(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text)
  return m?.[1] ? Number.parseInt(m[1], 10) : 0
}

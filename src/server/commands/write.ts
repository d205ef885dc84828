import { NutError, encodeValue } from "../../protocol/index.ts"
import type { WriteResult } from "../../ups/index.ts"
import { availableUps, credentials } from "./common.ts"
import type { Handler, SessionView } from "./types.ts"

/** SET VAR / SET TRACKING (research §1.5 "SET" error ladder). */
export const set: Handler = (s, args) => {
  const [sub, upsName, name] = args
  if (sub === undefined) throw new NutError("INVALID-ARGUMENT")
  const kind = sub.toUpperCase()
  if (kind === "TRACKING") {
    const value = upsName?.toUpperCase()
    if (value === "ON") s.tracking = true
    else if (value === "OFF") s.tracking = false
    else throw new NutError("INVALID-ARGUMENT")
    return "OK"
  }
  const value = args[3]
  if (kind !== "VAR" || upsName === undefined || name === undefined || value === undefined) throw new NutError("INVALID-ARGUMENT")
  const ups = availableUps(s, upsName)
  if (!s.ctx.users.hasAction(...credentials(s), "set")) throw new NutError("ACCESS-DENIED")
  const v = ups.state.get(name)
  if (!v) throw new NutError("VAR-NOT-SUPPORTED")
  if (!v.rw) throw new NutError("READONLY")
  if (v.string) {
    if (v.aux < 1) throw new NutError("SET-FAILED")
    if (value.length > v.aux) throw new NutError("TOO-LONG")
  }
  // upsd compares against its stored (escaped) enum text, case-sensitively
  if (v.enums.length > 0 && !v.enums.some((e) => encodeValue(e) === value)) throw new NutError("INVALID-VALUE")
  if (v.ranges.length > 0) {
    const n = atoi(value)
    if (!v.ranges.some((r) => n >= r.min && n <= r.max)) throw new NutError("INVALID-VALUE")
  }
  return forward(s, ups.state.setvar(v.name, value))
}

/** INSTCMD: CMD-NOT-SUPPORTED is checked before ACCESS-DENIED, unlike SET (upsd netinstcmd.c order). */
export const instcmd: Handler = (s, args) => {
  const [upsName, cmd] = args
  if (upsName === undefined || cmd === undefined) throw new NutError("INVALID-ARGUMENT")
  const ups = availableUps(s, upsName)
  const stored = ups.state.command(cmd)
  if (stored === undefined) throw new NutError("CMD-NOT-SUPPORTED")
  if (!s.ctx.users.mayRunCommand(...credentials(s), cmd)) throw new NutError("ACCESS-DENIED")
  // the parameter counts only with exactly three words; a fourth drops it silently (upsd)
  const param = args.length === 3 ? args[2] : undefined
  return forward(s, ups.state.instcmd(stored, param))
}

function forward(s: SessionView, result: Promise<WriteResult>): string {
  if (s.tracking) return `OK TRACKING ${s.ctx.tracking.track(result)}`
  result.catch(() => undefined) // failures without tracking are the driver's to log
  return "OK"
}

/** C atoi(): leading integer, 0 when there is none. */
function atoi(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text)
  return m?.[1] ? Number.parseInt(m[1], 10) : 0
}

import { NutError } from "../../protocol/index.ts"
import { credentials, findUps } from "./common.ts"
import type { Handler } from "./types.ts"

/** USERNAME: never validated here; bad credentials surface later as ACCESS-DENIED (upsd). */
export const username: Handler = (s, [name]) => {
  if (s.username !== undefined) throw new NutError("ALREADY-SET-USERNAME")
  s.username = name
  return "OK"
}

/** PASSWORD: accepted as-is, like USERNAME. */
export const password: Handler = (s, [pw]) => {
  if (s.password !== undefined) throw new NutError("ALREADY-SET-PASSWORD")
  s.password = pw
  return "OK"
}

/** LOGIN: one per connection, counted in NUMLOGINS; works with the driver down (no avail check). */
export const login: Handler = (s, [upsName]) => {
  if (s.loggedIn) throw new NutError("ALREADY-LOGGED-IN")
  const ups = findUps(s, upsName ?? "")
  if (!s.ctx.users.hasAction(...credentials(s), "login")) throw new NutError("ACCESS-DENIED")
  s.loggedIn = ups
  s.ctx.login(ups, s)
  return "OK"
}

/** LOGOUT: `OK Goodbye`, then the connection closes. */
export const logout: Handler = (s) => {
  s.closeAfterReply = true
  return "OK Goodbye"
}

/**
 * PRIMARY and its pre-2.8 name MASTER: a pure permission probe (no state change), answered with
 * the name the client used (upsmon 2.8 sends PRIMARY and falls back to MASTER).
 */
function primaryProbe(reply: string): Handler {
  return (s, [upsName]) => {
    findUps(s, upsName ?? "")
    const [user, pw] = credentials(s)
    if (!s.ctx.users.hasAction(user, pw, "primary") && !s.ctx.users.hasAction(user, pw, "master")) throw new NutError("ACCESS-DENIED")
    return reply
  }
}

export const primary: Handler = primaryProbe("OK PRIMARY-GRANTED")
export const master: Handler = primaryProbe("OK MASTER-GRANTED")

/** FSD: sets upsd's latch; works with the driver down (no avail check). */
export const fsd: Handler = (s, [upsName]) => {
  const ups = findUps(s, upsName ?? "")
  const [user, pw] = credentials(s)
  if (!s.ctx.users.hasAction(user, pw, "fsd")) throw new NutError("ACCESS-DENIED")
  ups.state.setFsd()
  s.ctx.onFsd?.(ups, s, user)
  return "OK FSD-SET"
}

import { NutError, quote } from "../../protocol/index.ts"
import { describeCommand, describeType, describeVariable } from "../../ups/index.ts"
import { SERVER_IDENTITY } from "../context.ts"
import { availableUps, clientValue, findUps } from "./common.ts"
import type { Handler } from "./types.ts"

/**
 * GET NUMLOGINS/UPSDESC/VAR/TYPE/DESC/CMDDESC/TRACKING. Replies echo the client's spelling of UPS and
 * variable names (fixtures/nut-wire/01-anonymous-get-list.txt: `get var BVK UPS.STATUS`).
 */
export const get: Handler = (s, args) => {
  const [sub, upsName, name] = args
  if (sub === undefined) throw new NutError("INVALID-ARGUMENT")
  const kind = sub.toUpperCase()
  if (kind === "TRACKING") {
    if (upsName === undefined) return s.tracking ? "ON" : "OFF"
    if (!s.tracking) throw new NutError("FEATURE-NOT-CONFIGURED")
    return s.ctx.tracking.answer(upsName)
  }
  if (upsName === undefined) throw new NutError("INVALID-ARGUMENT")
  if (kind === "NUMLOGINS") {
    const ups = availableUps(s, upsName)
    return `NUMLOGINS ${upsName} ${s.ctx.numLogins(ups)}`
  }
  if (kind === "UPSDESC") {
    // no availability check: the description comes from ups.conf
    const ups = findUps(s, upsName)
    s.cacheable(ups)
    return `UPSDESC ${upsName} ${quote(ups.desc ?? "Unavailable")}`
  }
  if (name === undefined) throw new NutError("INVALID-ARGUMENT")
  switch (kind) {
    case "VAR":
      return getVar(s, upsName, name)
    case "TYPE": {
      const ups = availableUps(s, upsName)
      const v = ups.state.get(name)
      if (!v) throw new NutError("VAR-NOT-SUPPORTED")
      s.cacheable(ups)
      return `TYPE ${upsName} ${name} ${describeType(v)}`
    }
    case "DESC":
      s.cacheable(availableUps(s, upsName))
      // cmdvartab texts go out unescaped, as upsd sends them
      return `DESC ${upsName} ${name} "${describeVariable(name)}"`
    case "CMDDESC":
      s.cacheable(availableUps(s, upsName))
      return `CMDDESC ${upsName} ${name} "${describeCommand(name)}"`
    default:
      throw new NutError("INVALID-ARGUMENT")
  }
}

function getVar(s: Parameters<Handler>[0], upsName: string, name: string): string {
  const lower = name.toLowerCase()
  if (lower.startsWith("server.")) {
    // upsd answers server.* for any UPS name, even unknown ones
    if (lower === "server.info") return `VAR ${upsName} ${name} ${quote(SERVER_IDENTITY.info)}`
    if (lower === "server.version") return `VAR ${upsName} ${name} ${quote(SERVER_IDENTITY.version)}`
    throw new NutError("VAR-NOT-SUPPORTED")
  }
  const ups = availableUps(s, upsName)
  const v = ups.state.get(name)
  if (!v) throw new NutError("VAR-NOT-SUPPORTED")
  s.cacheable(ups)
  return `VAR ${upsName} ${name} ${quote(clientValue(ups, v.name, v.value))}`
}

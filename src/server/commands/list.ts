import { NutError, quote } from "../../protocol/index.ts"
import { availableUps, clientValue, findUps } from "./common.ts"
import type { Handler } from "./types.ts"

/**
 * LIST UPS/VAR/RW/CMD/CLIENT/ENUM/RANGE. The whole list is built as one string, so the listener
 * writes it at once (upsd writes line by line and stalls on delayed ACKs: anchor-figures.md).
 */
export const list: Handler = (s, args) => {
  const [sub, upsName, name] = args
  if (sub === undefined) throw new NutError("INVALID-ARGUMENT")
  const kind = sub.toUpperCase()
  if (kind === "UPS") {
    const lines = ["BEGIN LIST UPS"]
    for (const u of s.ctx.upsList()) lines.push(`UPS ${u.name} ${quote(u.desc ?? "Description unavailable")}`)
    lines.push("END LIST UPS")
    return lines.join("\n")
  }
  if (upsName === undefined) throw new NutError("INVALID-ARGUMENT")
  const head = `${kind} ${upsName}`
  switch (kind) {
    case "VAR": {
      const ups = availableUps(s, upsName)
      const lines = [`BEGIN LIST ${head}`]
      for (const v of ups.state.variables()) lines.push(`VAR ${upsName} ${v.name} ${quote(clientValue(ups, v.name, v.value))}`)
      lines.push(`END LIST ${head}`)
      s.cacheable(ups)
      return lines.join("\n")
    }
    case "RW": {
      const ups = availableUps(s, upsName)
      const lines = [`BEGIN LIST ${head}`]
      // LIST RW shows the driver's raw value: no FSD prefix (research §1.5)
      for (const v of ups.state.variables()) if (v.rw) lines.push(`RW ${upsName} ${v.name} ${quote(v.value)}`)
      lines.push(`END LIST ${head}`)
      s.cacheable(ups)
      return lines.join("\n")
    }
    case "CMD": {
      const ups = availableUps(s, upsName)
      const lines = [`BEGIN LIST ${head}`]
      for (const c of ups.state.commands()) lines.push(`CMD ${upsName} ${c}`)
      lines.push(`END LIST ${head}`)
      s.cacheable(ups)
      return lines.join("\n")
    }
    case "CLIENT": {
      // no availability check: logins are upsd's own data
      const ups = findUps(s, upsName)
      const lines = [`BEGIN LIST ${head}`]
      for (const c of s.ctx.clients(ups)) lines.push(`CLIENT ${ups.name} ${c.address}`)
      lines.push(`END LIST ${head}`)
      return lines.join("\n")
    }
  }
  if (name === undefined) throw new NutError("INVALID-ARGUMENT")
  const fullHead = `${head} ${name}`
  switch (kind) {
    case "ENUM": {
      const ups = availableUps(s, upsName)
      const v = ups.state.get(name)
      if (!v) throw new NutError("VAR-NOT-SUPPORTED")
      const lines = [`BEGIN LIST ${fullHead}`]
      for (const e of v.enums) lines.push(`ENUM ${upsName} ${name} ${quote(e)}`)
      lines.push(`END LIST ${fullHead}`)
      s.cacheable(ups)
      return lines.join("\n")
    }
    case "RANGE": {
      const ups = availableUps(s, upsName)
      const v = ups.state.get(name)
      if (!v) throw new NutError("VAR-NOT-SUPPORTED")
      const lines = [`BEGIN LIST ${fullHead}`]
      for (const r of v.ranges) lines.push(`RANGE ${upsName} ${name} "${r.min}" "${r.max}"`)
      lines.push(`END LIST ${fullHead}`)
      s.cacheable(ups)
      return lines.join("\n")
    }
    default:
      throw new NutError("INVALID-ARGUMENT")
  }
}

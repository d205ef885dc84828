import { quote } from "../../protocol/index.ts"
import type { StateChange, UpsState, UpsVariable } from "../../ups/index.ts"

/**
 * The driver's answer to `DUMPALL`, as NUT's dstate.c writes it: `DATASTALE` first when the data
 * is stale, then per variable (sorted like its state tree, case-insensitively) `SETINFO`, every
 * `ADDENUM`, every `ADDRANGE`, `SETAUX` when non-zero and `SETFLAGS` when any flag is set; then the
 * `ADDCMD`s; then `DATAOK` when fresh, and `DUMPDONE`.
 */
export function formatDump(state: UpsState, stale: boolean): string {
  let out = stale ? "DATASTALE\n" : ""
  for (const v of state.variables()) out += formatVariable(v)
  for (const cmd of state.commands()) out += `ADDCMD ${cmd}\n`
  if (!stale) out += "DATAOK\n"
  return `${out}DUMPDONE\n`
}

/** One variable of a dump. */
export function formatVariable(v: UpsVariable): string {
  let out = `SETINFO ${v.name} ${quote(v.value)}\n`
  for (const e of v.enums) out += `ADDENUM ${v.name} ${quote(e)}\n`
  for (const r of v.ranges) out += `ADDRANGE ${v.name} ${r.min} ${r.max}\n`
  if (v.aux !== 0) out += `SETAUX ${v.name} ${v.aux}\n`
  const flags = formatFlags(v.rw, v.string)
  if (flags !== "") out += `SETFLAGS ${v.name}${flags}\n`
  return out
}

/**
 * The line a driver broadcasts for one UpsState change, or "" when the change is not the
 * driver's to tell (FSD is upsd's latch; availability is sent as DATAOK/DATASTALE by the caller).
 * Values are always escaped: dstate.c 2.8.0 broadcasts a changed value raw (a `"` in it breaks
 * the line), but escapes it in dumps; both are parsed the same way by upsd.
 */
export function formatChange(change: StateChange): string {
  switch (change.kind) {
    case "var":
      return change.value === undefined ? `DELINFO ${change.name}\n` : `SETINFO ${change.name} ${quote(change.value)}\n`
    case "cmd":
      return `${change.present ? "ADDCMD" : "DELCMD"} ${change.name}\n`
    case "flags":
      // upsd ignores a SETFLAGS without flags, so clearing them takes the NUMBER flag
      return `SETFLAGS ${change.name}${formatFlags(change.rw, change.string) || " NUMBER"}\n`
    case "aux":
      return `SETAUX ${change.name} ${change.aux}\n`
    case "enum":
      return `${change.present ? "ADDENUM" : "DELENUM"} ${change.name} ${quote(change.value)}\n`
    case "range":
      return `${change.present ? "ADDRANGE" : "DELRANGE"} ${change.name} ${change.min} ${change.max}\n`
    case "fsd":
    case "connection":
      return ""
  }
}

function formatFlags(rw: boolean, string: boolean): string {
  return (rw ? " RW" : "") + (string ? " STRING" : "")
}

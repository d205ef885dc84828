// Binding: which HID field serves each row of a subdriver on one device (NUT's INIT walk). A row
// binds when its path exists in the (repaired) descriptor; for a variable, setting or command the
// first row whose path exists wins, status rows are all kept (hid-reference §c.4).
import { findField, nutCanWrite, samePath, type HidDeviceInfo, type HidField, type ParsedDescriptor } from "../../hid/index.ts"
import type { CompiledCommand, CompiledPath, CompiledSetting, CompiledStatus, CompiledVar, Subdriver } from "./define-subdriver.ts"

export interface BoundVar {
  readonly row: CompiledVar
  readonly path: CompiledPath
  readonly field: HidField
}

export interface BoundStatus {
  readonly row: CompiledStatus
  readonly field: HidField
}

export interface BoundCommand {
  readonly row: CompiledCommand
  readonly field: HidField
}

export interface BoundSetting {
  readonly row: CompiledSetting
}

/** An Input field of an interrupt report and the bound rows its path feeds. */
export interface InterruptTarget {
  readonly field: HidField
  readonly vars: readonly BoundVar[]
  readonly status: readonly BoundStatus[]
}

/** A subdriver bound to one device's descriptor. */
export interface Binding {
  readonly subdriver: Subdriver
  readonly desc: ParsedDescriptor
  readonly vars: readonly BoundVar[]
  readonly status: readonly BoundStatus[]
  readonly commands: readonly BoundCommand[]
  readonly settings: readonly BoundSetting[]
  /** Feature report ids read in a full poll / in a quick poll, ascending. */
  readonly fullReports: readonly number[]
  readonly quickReports: readonly number[]
  /** Interrupt report id → what its Input fields update. */
  readonly interrupts: ReadonlyMap<number, readonly InterruptTarget[]>
  /** What the descriptor repair changed (logged once). */
  readonly notes: readonly string[]
}

/** Binds `subdriver` to `desc`, after its descriptor repair unless `fixDescriptor` is false. */
export function bindSubdriver(subdriver: Subdriver, desc: ParsedDescriptor, device: HidDeviceInfo, options: { readonly fixDescriptor?: boolean } = {}): Binding {
  let notes: readonly string[] = []
  if (subdriver.fixDescriptor !== undefined && options.fixDescriptor !== false) {
    const fixed = subdriver.fixDescriptor(desc, device)
    desc = fixed.desc
    notes = fixed.notes
  }
  const resolve = (paths: readonly CompiledPath[], writable: boolean): { path: CompiledPath; field: HidField } | undefined => {
    for (const path of paths) {
      const field = findField(desc, path.nodes, { type: "feature" })
      if (field !== undefined && (!writable || nutCanWrite(field))) return { path, field }
      // Deliberate difference: NUT resolves paths against Feature items only, so a value a
      // firmware declares as Input only is invisible to it. We bind it and take it from
      // interrupt reports (never polled: GET_REPORT Feature would not return it).
      const input = writable ? undefined : findField(desc, path.nodes, { type: "input" })
      if (input !== undefined) return { path, field: input }
    }
    return undefined
  }
  const vars: BoundVar[] = []
  const varNames = new Set<string>()
  for (const row of subdriver.vars) {
    if (varNames.has(row.nut)) continue
    const hit = resolve(row.paths, false)
    if (hit === undefined) continue
    varNames.add(row.nut)
    vars.push({ row, ...hit })
  }
  const status: BoundStatus[] = []
  for (const row of subdriver.status) {
    const hit = resolve(row.paths, false)
    if (hit !== undefined) status.push({ row, field: hit.field })
  }
  const commands: BoundCommand[] = []
  for (const row of subdriver.commands) {
    if (commands.some((c) => c.row.nut === row.nut)) continue
    const hit = resolve(row.paths, true)
    if (hit !== undefined) commands.push({ row, field: hit.field })
  }
  const settings: BoundSetting[] = []
  for (const row of subdriver.settings) {
    if (settings.some((s) => s.row.nut === row.nut)) continue
    if (row.paths.some((p) => findField(desc, p.nodes, { type: "feature" }) !== undefined)) settings.push({ row })
  }
  const polled = (quickOnly: boolean): number[] => {
    const ids = new Set<number>()
    for (const v of vars) if (v.field.type === "feature" && (!quickOnly || v.row.poll === "quick")) ids.add(v.field.reportId)
    for (const s of status) if (s.field.type === "feature" && (!quickOnly || s.row.poll === "quick")) ids.add(s.field.reportId)
    return [...ids].sort((a, b) => a - b)
  }
  return {
    subdriver,
    desc,
    vars,
    status,
    commands,
    settings,
    fullReports: polled(false),
    quickReports: polled(true),
    interrupts: interruptTargets(desc, vars, status),
    notes,
  }
}

/** NUT's interrupt handling: an Input field feeds the rows bound to the same path. */
function interruptTargets(desc: ParsedDescriptor, vars: readonly BoundVar[], status: readonly BoundStatus[]): Map<number, InterruptTarget[]> {
  const out = new Map<number, InterruptTarget[]>()
  for (const field of desc.fields) {
    if (field.type !== "input" || field.usage === 0) continue
    const v = vars.filter((b) => samePath(b.field.pathNodes, field.pathNodes))
    const s = status.filter((b) => samePath(b.field.pathNodes, field.pathNodes))
    if (v.length === 0 && s.length === 0) continue
    const list = out.get(field.reportId) ?? []
    // a leaked Report Count repeats the usage on later fields: only the first one is the value
    if (list.some((t) => samePath(t.field.pathNodes, field.pathNodes))) continue
    list.push({ field, vars: v, status: s })
    out.set(field.reportId, list)
  }
  return out
}

/**
 * What `nutctl driver explore` says nutctl makes of each field: the usbhid subdriver that claims
 * the device, bound to its descriptor the way UsbHidDriver binds it (drivers/usbhid bindSubdriver),
 * read back per field — variables, status facts, instant commands and settings.
 */
import { bindSubdriver, chooseSubdriver } from "../drivers/index.ts"
import { findField, parseReportDescriptor, type HidDeviceInfo, type HidField } from "../hid/index.ts"
import type { ExploreMapping } from "./_hid-explore.ts"

/** The mapping of the subdriver that claims `device`, undefined when none does. */
export function usbhidExploreMapping(device: HidDeviceInfo, rdesc: Uint8Array): ExploreMapping | undefined {
  const subdriver = chooseSubdriver(device)
  if (subdriver === undefined) return undefined
  const binding = bindSubdriver(subdriver, parseReportDescriptor(rdesc, { usageNames: subdriver.usageNames }), device)
  const uses = new Map<string, string[]>()
  const add = (field: HidField, use: string): void => {
    const list = uses.get(key(field)) ?? []
    if (!list.includes(use)) list.push(use)
    uses.set(key(field), list)
  }
  for (const v of binding.vars) add(v.field, v.row.rw ? `${v.row.nut} (RW)` : v.row.nut)
  for (const s of binding.status) add(s.field, `status ${s.row.fact}`)
  for (const c of binding.commands) add(c.field, `instcmd ${c.row.nut}`)
  for (const s of binding.settings) {
    for (const path of s.row.paths) {
      const field = findField(binding.desc, path.nodes, { type: "feature" })
      if (field !== undefined) add(field, `${s.row.nut} (setting)`)
    }
  }
  for (const targets of binding.interrupts.values()) {
    for (const t of targets) for (const use of [...t.vars.map((v) => v.row.nut), ...t.status.map((s) => `status ${s.row.fact}`)]) add(t.field, `${use} (interrupt)`)
  }
  return { subdriver: `${subdriver.name} (${subdriver.title})`, describe: (field) => uses.get(key(field)) ?? [] }
}

function key(field: HidField): string {
  return `${field.type}:${field.reportId}:${field.bitOffset}`
}

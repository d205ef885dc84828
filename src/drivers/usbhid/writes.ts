// SET VAR and INSTCMD → the HID writes that carry them out (NUT's setvar() / instcmd() of
// usbhid-ups.c). Pure planning: the runtime patches each value into the buffered report and sends
// it with SET_REPORT.
import { fitsField, toLogical, toPhysical, type HidField } from "../../hid/index.ts"
import type { Binding, BoundCommand } from "./binding.ts"
import { parseDecimal } from "./conversions.ts"

/** One step of a write: a logical value into a field, or a pause. */
export type WriteStep = { readonly kind: "write"; readonly field: HidField; readonly logical: number } | { readonly kind: "wait"; readonly ms: number }

/** The outcome of planning a SET VAR or INSTCMD. */
export type WritePlan =
  | { readonly kind: "steps"; readonly steps: readonly WriteStep[] }
  /** A driver-side setting (ups.delay.shutdown …): store it, touch nothing on the UPS. */
  | { readonly kind: "setting"; readonly name: string; readonly value: string }
  | { readonly kind: "unknown" }
  | { readonly kind: "invalid"; readonly reason: string }

/** Values of published variables (ups.delay.shutdown for load.off.delay …). */
export type CurrentValue = (name: string) => string | undefined

// usbhid-ups waits 125 ms between the two writes of shutdown.return/stayoff: "Some UPS's (e.g.
// TrippLite AVR750U w/ 3024 protocol) don't accept commands that arrive too rapidly".
const COMPOSITE_PAUSE_MS = 125

/** Plans SET VAR `name` = `text`. */
export function planSetvar(binding: Binding, name: string, text: string): WritePlan {
  const key = name.toLowerCase()
  const setting = binding.settings.find((s) => s.row.nut.toLowerCase() === key)
  if (setting !== undefined) {
    // NUT stores whatever it is given; a delay must be a number of seconds, so check that much
    if (parseDecimal(text) === undefined) return { kind: "invalid", reason: `${name} must be a number of seconds` }
    return { kind: "setting", name: setting.row.nut, value: text.trim() }
  }
  const bound = binding.vars.find((v) => v.row.nut.toLowerCase() === key)
  if (bound === undefined || !bound.row.rw || bound.field.type === "input") return { kind: "unknown" }
  const { convert } = bound.row
  // Deliberate difference: NUT writes -1 for an unknown enum word and atol()'s 0 for text that is
  // not a number; both reach the UPS. We answer INVALID-ARGUMENT and write nothing.
  const value = convert.write?.(text)
  if (value === undefined) return { kind: "invalid", reason: `"${text}" is not a valid ${name}` }
  const logical = convert.input === "physical" ? logicalFor(bound.field, value) : Math.trunc(value)
  // Deliberate difference: usbhid-ups checks the descriptor's range only, and a value past the
  // field's bits wraps on the UPS (300 into the BX1600MI's 8-bit charge.low becomes 44)
  if (logical === undefined || logical < bound.field.logicalMin || logical > bound.field.logicalMax || !fitsField(bound.field, logical)) {
    return { kind: "invalid", reason: `${text} is outside what ${bound.path.text} can hold` }
  }
  return { kind: "steps", steps: [{ kind: "write", field: bound.field, logical }] }
}

/** Instant commands the binding offers: its rows plus what usbhid-ups derives from them. */
export function commandNames(binding: Binding): string[] {
  const names = binding.commands.map((c) => c.row.nut)
  const has = (n: string): boolean => names.includes(n)
  const derived: string[] = []
  if (has("load.off.delay")) derived.push("load.off")
  if (has("load.on.delay")) derived.push("load.on")
  if (has("load.off.delay") && has("load.on.delay")) derived.push("shutdown.return", "shutdown.stayoff")
  return [...names, ...derived.filter((n) => !has(n))]
}

/** Plans INSTCMD `name` [`param`]. */
export function planInstcmd(binding: Binding, name: string, param: string | undefined, current: CurrentValue): WritePlan {
  const key = name.toLowerCase()
  const find = (n: string): BoundCommand | undefined => binding.commands.find((c) => c.row.nut === n)
  // usbhid-ups redirects the obsolete names (so beeper.off writes 1, not its table's 3)
  const alias = key === "beeper.off" ? "beeper.disable" : key === "beeper.on" ? "beeper.enable" : undefined
  const command = find(alias !== undefined && find(alias) !== undefined ? alias : key)
  if (command !== undefined) return planRow(command, param, current)
  const names = commandNames(binding)
  if (!names.includes(key)) return { kind: "unknown" }
  if (param !== undefined) return { kind: "invalid", reason: `${name} takes no parameter` }
  const offDelay = find("load.off.delay")
  const onDelay = find("load.on.delay")
  if (key === "load.off" && offDelay !== undefined) return planRow(offDelay, "0", current)
  if (key === "load.on" && onDelay !== undefined) return planRow(onDelay, "0", current)
  if ((key === "shutdown.return" || key === "shutdown.stayoff") && offDelay !== undefined && onDelay !== undefined) {
    // usbhid-ups: first the restart delay (ups.delay.start, or -1 = stay off), then the shutdown delay
    const on = planRow(onDelay, key === "shutdown.stayoff" ? "-1" : undefined, current)
    const off = planRow(offDelay, undefined, current)
    if (on.kind !== "steps") return on
    if (off.kind !== "steps") return off
    return { kind: "steps", steps: [...on.steps, { kind: "wait", ms: COMPOSITE_PAUSE_MS }, ...off.steps] }
  }
  return { kind: "unknown" }
}

function planRow(command: BoundCommand, param: string | undefined, current: CurrentValue): WritePlan {
  const { value } = command.row
  let physical: number
  if (value.kind === "fixed") {
    // Deliberate difference: NUT lets any parameter replace the table value ("beeper.enable 3"
    // writes 3); only delay commands take one here.
    if (param !== undefined) return { kind: "invalid", reason: `${command.row.nut} takes no parameter` }
    physical = value.value
  } else {
    const text = param ?? current(value.setting) ?? String(value.fallback)
    const parsed = parseDecimal(text)
    if (parsed === undefined) return { kind: "invalid", reason: `${command.row.nut}: "${text}" is not a number of seconds` }
    physical = parsed
  }
  const logical = logicalFor(command.field, physical)
  if (logical === undefined || logical < command.field.logicalMin || logical > command.field.logicalMax || !fitsField(command.field, logical, "either")) {
    return { kind: "invalid", reason: `${command.row.nut}: ${physical} is outside what ${command.field.path} can hold` }
  }
  return { kind: "steps", steps: [{ kind: "write", field: command.field, logical }] }
}

/**
 * Physical value → logical (NUT's HIDSetDataValue conversion), refusing values the field cannot
 * hold. A positive delay that a coarse field would round down is rounded up instead: CyberPower
 * counts minutes, so NUT writes `load.off.delay 20` as 0 minutes, an immediate power cut
 * (hid-reference §a.5); we write 1 minute.
 */
function logicalFor(field: HidField, physical: number): number | undefined {
  let logical = toLogical(field, physical)
  if (!Number.isFinite(logical)) return undefined
  const back = toPhysical(field, logical)
  const step = Math.abs(toPhysical(field, logical + 1) - back)
  if (physical > 0 && step > 1 && back < physical - 1e-9 && logical < field.logicalMax) {
    const up = toPhysical(field, logical + 1)
    if (up - physical < step + 1e-9) logical += 1
  }
  // a value the physical range had to clamp is out of range, not "the nearest value"
  if (Math.abs(toPhysical(field, logical) - physical) > step + 1e-9) return undefined
  return logical
}

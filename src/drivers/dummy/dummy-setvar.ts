import type { UpsState } from "../../ups/index.ts"
import type { DummyStep } from "./dummy-file.ts"
import { joinStatusWords } from "./dummy-status.ts"
import { dummyVarType } from "./dummy-table.ts"

// dstate values are 256 bytes (255 kept), observed on the 2.8.0 binary
const VALUE_MAX = 255

/**
 * dummy-ups 2.8.0's setvar, used for file lines and for SET VAR alike:
 * - a name starting with `ups.status` (case-sensitive) replaces the status word with `value`
 * - an empty value deletes the variable
 * - otherwise the value is set and the variable gets its table flags, or `RW STRING:32` — also
 *   for `driver.*` names (only the file parser skips those) and `device.*`
 */
export function applyDummySetvar(state: UpsState, name: string, value: string): void {
  if (name.startsWith("ups.status")) {
    state.setInfo("ups.status", joinStatusWords([value]))
    return
  }
  if (value === "") {
    state.delInfo(name)
    return
  }
  state.setInfo(name, truncateUtf8(value, VALUE_MAX))
  const type = dummyVarType(name)
  state.setFlags(name, type.flags)
  if (type.aux !== undefined) state.setAux(name, type.aux)
}

/** Apply one non-TIMER step of a data file. */
export function applyDummyStep(state: UpsState, step: Exclude<DummyStep, { kind: "timer" }>): void {
  if (step.kind === "status") state.setInfo("ups.status", step.value)
  else applyDummySetvar(state, step.name, step.value)
}

/** Keep at most `max` UTF-8 bytes, never splitting a character. */
function truncateUtf8(value: string, max: number): string {
  if (value.length <= max / 3) return value
  const bytes = new TextEncoder().encode(value)
  if (bytes.length <= max) return value
  let end = max
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--
  return new TextDecoder().decode(bytes.subarray(0, end))
}

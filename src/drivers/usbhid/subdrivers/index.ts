// The subdriver list and how one is picked (NUT's subdriver_list + callback()).
import type { HidDeviceInfo } from "../../../hid/index.ts"
import type { Subdriver } from "../define-subdriver.ts"
import { apcSubdriver } from "./apc.ts"
import { cyberpowerSubdriver } from "./cyberpower.ts"
import { eatonSubdriver } from "./eaton.ts"
import { genericSubdriver } from "./generic.ts"

export { apcSubdriver, fixApcDescriptor, identifyApc, isBxFamily } from "./apc.ts"
export { cyberpowerSubdriver, fixCyberPowerDescriptor } from "./cyberpower.ts"
export { eatonSubdriver } from "./eaton.ts"
export { genericSubdriver } from "./generic.ts"

/** Every subdriver, in claim order; the generic one claims anything and comes last. */
export const SUBDRIVERS: readonly Subdriver[] = [eatonSubdriver, apcSubdriver, cyberpowerSubdriver, genericSubdriver]

/**
 * The subdriver for `device`: the one ups.conf `subdriver =` names (by name, `apc`, or as NUT
 * does, a case-insensitive regex on the title, `APC HID.*`), else the first that claims it.
 * Undefined when `requested` matches none.
 */
export function chooseSubdriver(device: HidDeviceInfo, requested?: string): Subdriver | undefined {
  if (requested !== undefined && requested !== "") {
    const byName = SUBDRIVERS.find((s) => s.name === requested.toLowerCase() || s.title.toLowerCase() === requested.toLowerCase())
    if (byName !== undefined) return byName
    const regex = safeRegex(requested)
    return regex === undefined ? undefined : SUBDRIVERS.find((s) => regex.test(s.title) || regex.test(s.name))
  }
  return SUBDRIVERS.find((s) => s.claims(device))
}

function safeRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(source, "i")
  } catch {
    return undefined
  }
}

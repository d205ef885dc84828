// Usage ⇄ name lookup for NUT-style paths. Like NUT's usage_tables_t: several tables searched in
// order, the first match wins, names compare case-insensitively (NUT uses strcasecmp).
import { BATTERY_SYSTEM_USAGES, POWER_DEVICE_USAGES } from "./usages/standard.ts"
import type { UsageTable } from "./usages/table.ts"
import { APC_USAGES, CYBERPOWER_USAGES, MGE_USAGES } from "./usages/vendor.ts"

/** Names usages for paths and resolves path tokens back to usages. */
export interface UsageNames {
  /** Name of a 32-bit usage, undefined if no table has it. */
  name(usage: number): string | undefined
  /** Usage of a name (case-insensitive), undefined if unknown. */
  usage(name: string): number | undefined
}

/** Combines tables; on conflicts the earlier table wins (a subdriver's table before the standard pages). */
export function createUsageNames(...tables: readonly UsageTable[]): UsageNames {
  const byUsage = new Map<number, string>()
  const byName = new Map<string, number>()
  for (const table of tables) {
    for (const [usage, name] of table) {
      if (!byUsage.has(usage)) byUsage.set(usage, name)
      const key = name.toLowerCase()
      if (!byName.has(key)) byName.set(key, usage)
    }
  }
  return {
    name: (usage) => byUsage.get(usage),
    usage: (name) => byName.get(name.toLowerCase()),
  }
}

/** Only the Power Device and Battery System pages: what `usbhid-ups -x explore` prints. */
export const STANDARD_USAGE_NAMES: UsageNames = createUsageNames(POWER_DEVICE_USAGES, BATTERY_SYSTEM_USAGES)

/** NUT's APC subdriver naming (apc_utab). */
export const APC_USAGE_NAMES: UsageNames = createUsageNames(APC_USAGES, POWER_DEVICE_USAGES, BATTERY_SYSTEM_USAGES)

/** NUT's CyberPower subdriver naming (cps_utab). */
export const CYBERPOWER_USAGE_NAMES: UsageNames = createUsageNames(CYBERPOWER_USAGES, POWER_DEVICE_USAGES, BATTERY_SYSTEM_USAGES)

/** NUT's Eaton/MGE subdriver naming (mge_utab). */
export const MGE_USAGE_NAMES: UsageNames = createUsageNames(MGE_USAGES, POWER_DEVICE_USAGES, BATTERY_SYSTEM_USAGES)

/** Every table we have (vendor pages never overlap): the parser's default. */
export const ALL_USAGE_NAMES: UsageNames = createUsageNames(
  APC_USAGES,
  CYBERPOWER_USAGES,
  MGE_USAGES,
  POWER_DEVICE_USAGES,
  BATTERY_SYSTEM_USAGES,
)

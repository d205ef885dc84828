// defineSubdriver(): a vendor's HID → NUT table as named rows (README "Architecture"; drivers and HID
// subdrivers). It does real work: every path is parsed once with the vendor's usage names, and a
// path NUT could not resolve either (a typo, a usage no table names) fails at load time instead of
// silently never matching — NUT drops such rows without a word.
import { parsePath, type HidDeviceInfo, type UsageNames } from "../../hid/index.ts"
import { fixed } from "./conversions.ts"
import type {
  CommandRow,
  CommandValue,
  Conversion,
  DescriptorFix,
  DeviceIdentity,
  PollClass,
  SettingRow,
  StatusFact,
  StatusRow,
  SubdriverDefaults,
  SubdriverDefinition,
  VarRow,
} from "./types.ts"
import { STATUS_FACTS } from "./types.ts"

/** A HID path as written and as numeric nodes. */
export interface CompiledPath {
  readonly text: string
  readonly nodes: readonly number[]
}

export interface CompiledVar {
  readonly nut: string
  readonly paths: readonly CompiledPath[]
  readonly rw: boolean
  readonly aux: number
  readonly convert: Conversion
  readonly enum: boolean
  readonly poll: PollClass
}

export interface CompiledSetting {
  readonly nut: string
  readonly paths: readonly CompiledPath[]
  readonly default: string
}

export interface CompiledStatus {
  readonly paths: readonly CompiledPath[]
  readonly fact: StatusFact
  readonly values: ReadonlyMap<number, boolean>
  readonly poll: PollClass
}

export interface CompiledCommand {
  readonly nut: string
  readonly paths: readonly CompiledPath[]
  readonly value: CommandValue
}

/** A checked subdriver, ready to bind to a device's descriptor. */
export interface Subdriver {
  readonly name: string
  readonly title: string
  readonly usageNames: UsageNames
  claims(device: HidDeviceInfo): boolean
  readonly vars: readonly CompiledVar[]
  readonly settings: readonly CompiledSetting[]
  readonly status: readonly CompiledStatus[]
  readonly commands: readonly CompiledCommand[]
  readonly fixDescriptor: DescriptorFix | undefined
  identify(device: HidDeviceInfo): DeviceIdentity
  defaults(device: HidDeviceInfo, identity: DeviceIdentity): SubdriverDefaults
}

/** A subdriver table that cannot work (bad path, unknown status fact, empty name). */
export class SubdriverDefinitionError extends Error {
  readonly code = "E_SUBDRIVER_DEFINITION"
  readonly subdriver: string
  constructor(subdriver: string, message: string) {
    super(message)
    this.name = "SubdriverDefinitionError"
    this.subdriver = subdriver
  }
}

/**
 * Checks and compiles a subdriver table.
 * @throws {SubdriverDefinitionError} when a path has a token the usage names do not know
 * @example
 * export const apc = defineSubdriver({
 *   name: "apc", title: "APC HID", usageNames: APC_USAGE_NAMES, claims: (d) => d.vendorId === 0x051d,
 *   vars: [{ nut: "battery.charge", path: "UPS.PowerSummary.RemainingCapacity" }],
 *   status: [{ path: "UPS.PowerSummary.PresentStatus.ACPresent", fact: "online", poll: "quick" }],
 *   commands: [{ nut: "beeper.disable", path: "UPS.PowerSummary.AudibleAlarmControl", value: 1 }],
 * })
 */
export function defineSubdriver(definition: SubdriverDefinition): Subdriver {
  const { name, usageNames } = definition
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new SubdriverDefinitionError(name, `Cannot define subdriver "${name}": name must be lower-case kebab`)
  const paths = (where: string, path: string | readonly string[]): CompiledPath[] =>
    (typeof path === "string" ? [path] : path).map((text) => {
      const nodes = parsePath(text, usageNames)
      if (nodes === undefined) throw new SubdriverDefinitionError(name, `Cannot define subdriver ${name}: ${where}: unknown usage in path ${text}`)
      return { text, nodes }
    })
  const vars = definition.vars.map((row: VarRow) => ({
    nut: checkName(name, row.nut),
    paths: paths(row.nut, row.path),
    rw: row.rw ?? false,
    aux: row.aux ?? 10,
    convert: row.convert ?? fixed(0),
    enum: (row.enum ?? false) && (row.rw ?? false),
    poll: row.poll ?? "full",
  }))
  const settings = (definition.settings ?? []).map((row: SettingRow) => ({
    nut: checkName(name, row.nut),
    paths: paths(row.nut, row.path),
    default: row.default,
  }))
  const status = definition.status.map((row: StatusRow) => {
    if (!STATUS_FACTS.includes(row.fact)) throw new SubdriverDefinitionError(name, `Cannot define subdriver ${name}: unknown status fact ${row.fact}`)
    const values = new Map(Object.entries(row.values ?? { 1: true, 0: false }).map(([k, v]) => [Number(k), v] as const))
    return { paths: paths(`status ${row.fact}`, row.path), fact: row.fact, values, poll: row.poll ?? "full" }
  })
  const commands = definition.commands.map((row: CommandRow) => ({
    nut: checkName(name, row.nut),
    paths: paths(row.nut, row.path),
    value: typeof row.value === "number" ? ({ kind: "fixed", value: row.value } as const) : row.value,
  }))
  return {
    name,
    title: definition.title,
    usageNames,
    claims: (device) => definition.claims(device),
    vars,
    settings,
    status,
    commands,
    fixDescriptor: definition.fixDescriptor,
    identify: (device) => definition.identify?.(device) ?? defaultIdentity(device),
    defaults: (device, identity) => definition.defaults?.(device, identity) ?? {},
  }
}

/** A delay command's value: the INSTCMD parameter, else the current `setting` (ups.delay.shutdown), else `fallback`. */
export function delayFrom(setting: string, fallback: number): CommandValue {
  return { kind: "delay", setting, fallback }
}

/** NUT's default format_mfr / format_model / format_serial: the USB strings as they are. */
export function defaultIdentity(device: HidDeviceInfo): DeviceIdentity {
  return { mfr: device.manufacturer, model: device.product, serial: device.serial }
}

function checkName(subdriver: string, nut: string): string {
  if (!/^[a-z0-9][a-z0-9.\-_]*$/i.test(nut)) throw new SubdriverDefinitionError(subdriver, `Cannot define subdriver ${subdriver}: bad NUT name "${nut}"`)
  return nut
}

/**
 * DRuggeri/nut_exporter's metrics for one UPS (collectors/nut_collector.go, v3.2.5), rebuilt from
 * its rules so an existing scrape config, dashboard or alert rule keeps working against nutctl:
 * - every exported variable is a gauge `<namespace>_<name with . and - as _>` without labels,
 *   HELP `<GET DESC text without quotes> (<variable>)`;
 * - `ups.status` is one `<namespace>_ups_status{flag}` series per flag (1), plus 0 for every flag
 *   of the `statuses` list that is not set;
 * - `device.*` variables become the labels of `<namespace>_device_info` (always, whatever the
 *   variable filter), 1.
 */
import { exportedValue, goFormat, goNutValue } from "./go-nut.ts"
import type { MetricFamily, MetricSample } from "./metric-family.ts"

/** What selects and shapes the exported series (nut_exporter's flags and query parameters). */
export interface ExporterOptions {
  /** `--metrics.namespace`. @default "network_ups_tools" */
  readonly namespace: string
  /** `--nut.vars_enable` / `?variables=`: exported variables; empty = every variable. */
  readonly variables: readonly string[]
  /** `--nut.statuses` / `?statuses=`: flags always present in ups_status (0 when not set). */
  readonly statuses: readonly string[]
  /** `--nut.on_regex`: strings matching it export 1 (case-insensitive). */
  readonly onRegex: RegExp | undefined
  /** `--nut.off_regex`: strings matching it export 0 (case-insensitive). */
  readonly offRegex: RegExp | undefined
  /** `--nut.disable_device_info` negated. @default true */
  readonly deviceInfo: boolean
}

/** nut_exporter's `--nut.vars_enable` default. nutctl exports every variable by default instead. */
export const NUT_EXPORTER_DEFAULT_VARIABLES = [
  "battery.charge",
  "battery.voltage",
  "battery.voltage.nominal",
  "input.voltage",
  "input.voltage.nominal",
  "ups.load",
  "ups.status",
] as const

/** nut_exporter's `--nut.statuses` default. */
export const NUT_EXPORTER_DEFAULT_STATUSES = ["OL", "OB", "LB", "HB", "RB", "CHRG", "DISCHRG", "BYPASS", "CAL", "OFF", "OVER", "TRIM", "BOOST", "FSD", "SD"] as const

/** nut_exporter's `--nut.on_regex` / `--nut.off_regex` defaults. */
export const NUT_EXPORTER_ON_REGEX = "^(enable|enabled|on|true|active|activated)$"
export const NUT_EXPORTER_OFF_REGEX = "^(disable|disabled|off|false|inactive|deactivated)$"

/** The label names of device_info, in nut_exporter's order. */
export const DEVICE_LABELS = ["model", "mfr", "serial", "type", "description", "contact", "location", "part", "macaddr"] as const

/** nutctl's defaults: nut_exporter's, except that every variable is exported (`vars_enable=""`). */
export const DEFAULT_EXPORTER_OPTIONS: ExporterOptions = {
  namespace: "network_ups_tools",
  variables: [],
  statuses: NUT_EXPORTER_DEFAULT_STATUSES,
  onRegex: compileGoRegex(NUT_EXPORTER_ON_REGEX),
  offRegex: compileGoRegex(NUT_EXPORTER_OFF_REGEX),
  deviceInfo: true,
}

/** A variable as the exporter needs it (name, value as `LIST VAR` sends it, `GET DESC`). */
export interface ExportedVariable {
  readonly name: string
  readonly value: string
  readonly description: string
}

const VALID_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/

/**
 * The metric families nut_exporter emits for one UPS, sorted by name with samples sorted by
 * label values (client_golang's Gather order). `labels` are added to every sample (nutctl's
 * `/metrics` adds `ups`).
 *
 * Deliberate differences, where nut_exporter would fail the whole scrape or emit nonsense: a
 * status word with repeated or doubled spaces gives each flag once and no empty flag; a variable
 * whose metric name would be invalid, or repeat an earlier one (`a-b` next to `a_b`), is skipped.
 */
export function exporterFamilies(variables: readonly ExportedVariable[], options: ExporterOptions, labels: Readonly<Record<string, string>> = {}): MetricFamily[] {
  const families = new Map<string, MetricFamily>()
  const device: Record<string, string> = {}
  const wanted = options.variables.length === 0 ? undefined : new Set(options.variables)
  for (const v of variables) {
    const path = v.name.split(".")
    // nut_exporter keys the label by the second name part only, so `device.mfr.date` (sorted
    // after `device.mfr`) overwrites mfr; kept for identical labels
    if (path[0] === "device" && path[1] !== undefined) device[path[1]] = goFormat(goNutValue(v.value))
    if (wanted && !wanted.has(v.name)) continue
    const help = `${v.description.replaceAll('"', "")} (${v.name})`
    if (v.name === "ups.status") {
      const name = `${options.namespace}_${v.name.replaceAll(".", "_")}`
      const seen = new Set<string>()
      const samples: MetricSample[] = []
      for (const flag of goNutValue(v.value).kind === "string" ? v.value.split(" ") : []) {
        if (flag === "" || seen.has(flag)) continue
        seen.add(flag)
        samples.push({ labels: { ...labels, flag }, value: 1 })
      }
      for (const flag of options.statuses) {
        if (seen.has(flag)) continue
        seen.add(flag)
        samples.push({ labels: { ...labels, flag }, value: 0 })
      }
      addFamily(families, { name, help, type: "gauge", samples })
      continue
    }
    const value = exportedValue(goNutValue(v.value), options.onRegex, options.offRegex)
    if (value === undefined) continue
    const name = `${options.namespace}_${v.name.replaceAll(".", "_").replaceAll("-", "_")}`
    addFamily(families, { name, help, type: "gauge", samples: [{ labels, value }] })
  }
  if (options.deviceInfo) {
    const deviceLabels: Record<string, string> = { ...labels }
    for (const l of DEVICE_LABELS) deviceLabels[l] = device[l] ?? ""
    addFamily(families, { name: `${options.namespace}_device_info`, help: "UPS Device information", type: "gauge", samples: [{ labels: deviceLabels, value: 1 }] })
  }
  return sortFamilies([...families.values()])
}

/** Merge the families of several UPSes (each with its own `ups` label) into one list. */
export function mergeFamilies(lists: readonly (readonly MetricFamily[])[]): MetricFamily[] {
  const merged = new Map<string, MetricFamily>()
  for (const list of lists) {
    for (const f of list) {
      const seen = merged.get(f.name)
      if (!seen) merged.set(f.name, { ...f, samples: [...f.samples] })
      else if (seen.type === f.type) seen.samples.push(...f.samples)
    }
  }
  return sortFamilies([...merged.values()])
}

/** Go RE2 `(?i)` + pattern, as nut_exporter compiles the on/off regexes; undefined when empty. */
export function compileGoRegex(pattern: string): RegExp | undefined {
  return pattern === "" ? undefined : new RegExp(pattern, "i")
}

/** client_golang's output order: families by name, samples by their label values. */
function sortFamilies(families: MetricFamily[]): MetricFamily[] {
  families.sort((a, b) => compare(a.name, b.name))
  for (const f of families) f.samples.sort((a, b) => compareLabels(a.labels, b.labels))
  return families
}

function addFamily(families: Map<string, MetricFamily>, family: MetricFamily): void {
  if (!VALID_NAME.test(family.name) || families.has(family.name)) return
  families.set(family.name, family)
}

function compareLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): number {
  const keys = Object.keys(a).sort()
  for (const k of keys) {
    const c = compare(a[k] ?? "", b[k] ?? "")
    if (c !== 0) return c
  }
  return 0
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * `nutctl status`: a UPS's variables turned into a stable JSON object and a human summary. Pure:
 * the command fetches, these functions only shape. The JSON shape is documented in README ("nutctl status --json");
 * add fields, never rename or remove them.
 */
import type { NutVar } from "../client/index.ts"
import { NUT_ERR_MESSAGES, type NutErrCode } from "../protocol/index.ts"

/** One UPS in `nutctl status --json`. */
export interface UpsStatusReport {
  readonly name: string
  /** `ups@host:port`. */
  readonly target: string
  /** ups.conf's desc, or null when none is configured. */
  readonly description: string | null
  /** Why there is no data (DATA-STALE, DRIVER-NOT-CONNECTED, UNKNOWN-UPS, …), else null. */
  readonly error: { readonly code: NutErrCode; readonly message: string } | null
  readonly status: {
    /** `ups.status` as sent, e.g. `FSD OB LB`. */
    readonly raw: string
    readonly flags: readonly string[]
    /** In words: `On line, charging`, `ON BATTERY, LOW BATTERY`. */
    readonly text: string
    readonly online: boolean
    readonly onBattery: boolean
    readonly lowBattery: boolean
    readonly charging: boolean
    readonly replaceBattery: boolean
    readonly fsd: boolean
  } | null
  readonly alarm: string | null
  readonly battery: {
    /** Percent. */
    readonly charge: number | null
    /** Seconds (battery.runtime). */
    readonly runtime: number | null
    /** battery.runtime in minutes, one decimal. */
    readonly runtimeMinutes: number | null
    readonly voltage: number | null
    /** battery.date (often the install or firmware date). */
    readonly date: string | null
    /** battery.mfr.date. */
    readonly mfrDate: string | null
  }
  /** ups.load, percent. */
  readonly load: number | null
  readonly input: { readonly voltage: number | null }
  readonly output: { readonly voltage: number | null }
  /** ups.test.result, e.g. `Done and passed`. */
  readonly selfTest: string | null
  readonly device: { readonly mfr: string | null; readonly model: string | null; readonly serial: string | null }
  /** Every variable as sent (`{}` when there is an error). */
  readonly vars: Readonly<Record<string, string>>
}

/** `nutctl status --json`. */
export interface StatusReport {
  readonly server: { readonly host: string; readonly port: number }
  readonly ups: readonly UpsStatusReport[]
}

// Upper case marks what needs attention now, so "ON BATTERY, LOW BATTERY" stands out
const STATUS_TEXT: Readonly<Record<string, string>> = {
  OL: "on line",
  OB: "ON BATTERY",
  LB: "LOW BATTERY",
  HB: "high battery",
  RB: "REPLACE BATTERY",
  CHRG: "charging",
  DISCHRG: "discharging",
  BYPASS: "ON BYPASS",
  CAL: "calibrating",
  OFF: "OUTPUT OFF",
  OVER: "OVERLOADED",
  TRIM: "trimming high input voltage",
  BOOST: "boosting low input voltage",
  FSD: "FORCED SHUTDOWN",
  ALARM: "ALARM",
  WAIT: "waiting for the driver",
}

/** `OL CHRG` → `On line, charging`; unknown flags are kept as they are. */
export function statusInWords(status: string): string {
  const words = status.split(/\s+/).filter((w) => w !== "").map((w) => STATUS_TEXT[w] ?? w)
  const text = words.join(", ")
  return text === "" ? "Unknown" : text.charAt(0).toUpperCase() + text.slice(1)
}

/** Why a UPS has no data, in words. */
export function errorInWords(code: NutErrCode): string {
  switch (code) {
    case "DATA-STALE":
      return "Data stale: the driver has stopped reporting fresh data (USB or cable trouble, or a hung driver)"
    case "DRIVER-NOT-CONNECTED":
      return "Driver not connected: no driver is serving this UPS on the server"
    case "UNKNOWN-UPS":
      return "Unknown UPS: the server has no UPS of that name"
    default:
      return `${NUT_ERR_MESSAGES[code] ?? "Unknown error"} (${code})`
  }
}

/** Shape one UPS's variables (or the error that stopped reading them). */
export function buildUpsReport(input: {
  readonly name: string
  readonly target: string
  readonly description: string | null
  readonly vars?: readonly NutVar[]
  readonly error?: NutErrCode
}): UpsStatusReport {
  const vars: Record<string, string> = {}
  for (const v of input.vars ?? []) vars[v.name] = v.value
  const str = (name: string): string | null => vars[name] ?? null
  const num = (name: string): number | null => toNumber(vars[name])
  const raw = str("ups.status")
  const flags = raw === null ? [] : raw.split(/\s+/).filter((w) => w !== "")
  const runtime = num("battery.runtime")
  return {
    name: input.name,
    target: input.target,
    description: input.description,
    error: input.error === undefined ? null : { code: input.error, message: errorInWords(input.error) },
    status:
      raw === null
        ? null
        : {
            raw,
            flags,
            text: statusInWords(raw),
            online: flags.includes("OL"),
            onBattery: flags.includes("OB"),
            lowBattery: flags.includes("LB"),
            charging: flags.includes("CHRG"),
            replaceBattery: flags.includes("RB"),
            fsd: flags.includes("FSD"),
          },
    alarm: str("ups.alarm"),
    battery: {
      charge: num("battery.charge"),
      runtime,
      runtimeMinutes: runtime === null ? null : Math.round(runtime / 6) / 10,
      voltage: num("battery.voltage"),
      date: str("battery.date"),
      mfrDate: str("battery.mfr.date"),
    },
    load: num("ups.load"),
    input: { voltage: num("input.voltage") },
    output: { voltage: num("output.voltage") },
    selfTest: str("ups.test.result"),
    device: {
      mfr: str("device.mfr") ?? str("ups.mfr"),
      model: str("device.model") ?? str("ups.model"),
      serial: str("device.serial") ?? str("ups.serial"),
    },
    vars,
  }
}

/** The human summary of one UPS: a heading line, then `  Label:  value` lines. */
export function renderUpsReport(report: UpsStatusReport): string {
  const head = report.description === null ? report.target : `${report.target} (${report.description})`
  const rows: [string, string][] = []
  if (report.error !== null) rows.push(["Error", report.error.message])
  if (report.status !== null) rows.push(["Status", `${report.status.text} [${report.status.raw}]`])
  if (report.alarm !== null) rows.push(["Alarm", report.alarm])
  const b = report.battery
  // numbers are shown as the UPS sent them (`120.0`), not as re-formatted JSON numbers
  const sent = (name: string, n: number | null): string => report.vars[name] ?? String(n)
  if (b.charge !== null) rows.push(["Battery charge", `${sent("battery.charge", b.charge)} %`])
  if (b.runtime !== null) rows.push(["Runtime", `${b.runtimeMinutes} min (${sent("battery.runtime", b.runtime)} s)`])
  if (report.load !== null) rows.push(["Load", `${sent("ups.load", report.load)} %`])
  if (report.input.voltage !== null) rows.push(["Input voltage", `${sent("input.voltage", report.input.voltage)} V`])
  if (report.output.voltage !== null) rows.push(["Output voltage", `${sent("output.voltage", report.output.voltage)} V`])
  if (b.date !== null) rows.push(["Battery date", b.date])
  if (b.mfrDate !== null) rows.push(["Battery made", b.mfrDate])
  if (report.selfTest !== null) rows.push(["Last self-test", report.selfTest])
  const d = report.device
  const model = [d.mfr, d.model].filter((x) => x !== null).join(" ")
  if (model !== "" || d.serial !== null) rows.push(["Model", `${model === "" ? "unknown" : model}${d.serial !== null ? `, serial ${d.serial}` : ""}`])
  const width = Math.max(0, ...rows.map(([label]) => label.length)) + 1
  return [head, ...rows.map(([label, value]) => `  ${(label + ":").padEnd(width + 1)} ${value}`)].join("\n") + "\n"
}

function toNumber(text: string | undefined): number | null {
  if (text === undefined || text.trim() === "") return null
  const n = Number(text)
  return Number.isFinite(n) ? n : null
}

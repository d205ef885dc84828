// NUT's value conversions for usbhid-ups (the info_lkp_t tables and *_conversion_fun of
// drivers/usbhid-ups.c and the subdrivers, re-stated from their behaviour; hid-reference §b, §c.3).
import { formatFixed } from "./format.ts"
import type { Conversion } from "./types.ts"

/** NUT's "%.Nf" rows: the physical value printed with `digits` decimals. */
export function fixed(digits: number): Conversion {
  return {
    name: `%.${digits}f`,
    input: "physical",
    read: (value) => formatFixed(value, digits),
    // NUT's setvar uses atol(): "12.7" writes 12. We refuse anything that is not a plain number.
    write: (text) => parseDecimal(text),
  }
}

/** A value ⇄ word table (NUT's info_lkp_t with `hid_value, nut_value` pairs). */
export function lookup(name: string, table: Readonly<Record<number, string>>): Conversion {
  const entries = Object.entries(table).map(([k, v]) => [Number(k), v] as const)
  return {
    name,
    input: "logical",
    read: (value) => entries.find(([k]) => k === Math.trunc(value))?.[1],
    write: (text) => entries.find(([, v]) => v === text)?.[0],
    values: entries.map(([, v]) => v),
  }
}

/** AudibleAlarmControl (Power Device page 0x5A): 1 disabled, 2 enabled, 3 muted. */
export const beeperStatus = lookup("beeper_info", { 1: "disabled", 2: "enabled", 3: "muted" })

/** Test (0x58) read back: NUT's test_read_info. */
export const testResult = lookup("test_read_info", {
  1: "Done and passed",
  2: "Done and warning",
  3: "Done and error",
  4: "Aborted",
  5: "In progress",
  6: "No test initiated",
  7: "Test scheduled",
})

/** APCSensitivity (0xFF860061) and CPSInputSensitivity (0xFF010043): NUT's apc_sensitivity_info. */
export const apcSensitivity = lookup("apc_sensitivity_info", { 0: "low", 1: "medium", 2: "high" })

/** CyberPower's wording of the same three levels (cps-hid.c). */
export const cpsSensitivity = lookup("cps_sensitivity_info", { 0: "low", 1: "normal", 2: "high" })

/** yes/no flags (NUT's yes_no_info). */
export const yesNo = lookup("yes_no_info", { 0: "no", 1: "yes" })

/**
 * HID PDC ManufacturerDate: (year − 1980) × 512 + month × 32 + day, 0 = "not set"
 * (BK650M2 `21 2a` = 10785 → 2001/01/01, `a8 50` = 20648 → 2020/05/08).
 */
export const hidDate: Conversion = {
  name: "date_conversion",
  input: "logical",
  read(value) {
    const v = Math.trunc(value)
    if (v === 0) return "not set"
    return `${pad(1980 + Math.floor(v / 512), 4)}/${pad(Math.floor(v / 32) % 16, 2)}/${pad(v % 32, 2)}`
  },
  write(text) {
    const date = parseDate(text)
    // NUT's date_conversion_reverse() writes 0 for what it cannot encode; we refuse it instead.
    if (date === undefined || date.year < 1980 || date.year - 1980 > 127) return undefined
    return (date.year - 1980) * 512 + date.month * 32 + date.day
  },
}

/**
 * APC's hex-as-decimal date 0xMMDDYY (APCBattReplaceDate; CS 500 `04 03 07` = 0x070304 →
 * 2004/07/03), YY ≥ 70 meaning 19YY, 0 = "not set".
 */
export const apcHexDate: Conversion = {
  name: "apc_date_conversion",
  input: "logical",
  read(value) {
    const v = Math.trunc(value)
    if (v === 0) return "not set"
    const digits = (shift: number): number => (Math.floor(v / 2 ** shift) % 16) + 10 * (Math.floor(v / 2 ** (shift + 4)) % 16)
    const yy = digits(0)
    return `${pad(yy >= 70 ? 1900 + yy : 2000 + yy, 4)}/${pad(digits(16), 2)}/${pad(digits(8), 2)}`
  },
  write(text) {
    const date = parseDate(text)
    if (date === undefined || date.year < 1970 || date.year > 2069) return undefined
    const bcd = (n: number): number => Math.floor(n / 10) * 16 + (n % 10)
    return bcd(date.month) * 0x10000 + bcd(date.day) * 0x100 + bcd(date.year % 100)
  },
}

/** Kelvin → °C, unless the value is already in °C (NUT: only 273..373 counts as kelvin). */
export const kelvinCelsius: Conversion = {
  name: "kelvin_celsius_conversion",
  input: "physical",
  read: (value) => formatFixed(value >= 273 && value <= 373 ? value - 273.15 : value, 1),
}

/** An `i*` usage: its value is a USB string index (iDeviceChemistry 4 → "PbAc"). */
export const stringId: Conversion = {
  name: "stringid_conversion",
  input: "logical",
  read: (value, ctx) => {
    // blanks around USB strings are padding; an unreadable or empty string publishes nothing
    const text = ctx.string(Math.trunc(value))?.trim()
    return text === undefined || text === "" ? undefined : text
  },
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0")
}

/** `YYYY/MM/DD` (NUT reads it with sscanf "%04ld/%02ld/%02ld"). */
function parseDate(text: string): { year: number; month: number; day: number } | undefined {
  const m = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(text.trim())
  if (m === null) return undefined
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined
  return { year, month, day }
}

/** A plain decimal number (`12`, `-1`, `13.5`), else undefined. */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim()
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : undefined
}

/**
 * How DRuggeri/nut_exporter sees a NUT value. It reads variables through the Go library
 * robbiet480/go.nut (ups.go `GetVariables`), which turns the text of each `VAR` line into a Go
 * value before the exporter looks at it; the exporter then formats device labels with `%v`.
 * Reproducing both is what makes nutctl's numbers and labels the same as nut_exporter's.
 */

/** A value as go.nut hands it to the exporter. */
export type GoNutValue =
  | { readonly kind: "bool"; readonly value: boolean }
  /** int64: `text` is Go's decimal form (leading zeros gone, `-0` → `0`). */
  | { readonly kind: "int"; readonly value: number; readonly text: string }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }

const NUMBER_LIKE = /^-?[0-9.]+$/
const INT64_MAX = 9223372036854775807n
const INT64_MIN = -9223372036854775808n

/**
 * go.nut's conversion of a `VAR` value:
 * - leading and trailing spaces are cut (`strings.Trim(v, " ")`);
 * - exactly `enabled` / `disabled` become the booleans true / false;
 * - text matching `^-?[0-9.]+$` with exactly one `.` is parsed as float64, with no `.` as int64;
 *   anything that fails to parse (two dots, out of range) stays a string.
 */
export function goNutValue(raw: string): GoNutValue {
  const text = trimSpaces(raw)
  if (text === "enabled") return { kind: "bool", value: true }
  if (text === "disabled") return { kind: "bool", value: false }
  if (!NUMBER_LIKE.test(text)) return { kind: "string", value: text }
  const dots = text.split(".").length - 1
  if (dots === 1) {
    // strconv.ParseFloat rejects a lone "." and returns ErrRange (→ string) past ±MaxFloat64
    const n = text === "." || text === "-." ? Number.NaN : Number(text)
    return Number.isFinite(n) ? { kind: "float", value: n } : { kind: "string", value: text }
  }
  if (dots > 1) return { kind: "string", value: text }
  const big = BigInt(text)
  if (big > INT64_MAX || big < INT64_MIN) return { kind: "string", value: text }
  return { kind: "int", value: Number(big), text: big.toString() }
}

/**
 * The metric value nut_exporter exports for a variable, or undefined when it skips it: numbers
 * as they are, booleans 1/0, strings 1/0 when they match the on / off regex (tried in that
 * order), other strings skipped.
 */
export function exportedValue(value: GoNutValue, onRegex: RegExp | undefined, offRegex: RegExp | undefined): number | undefined {
  switch (value.kind) {
    case "bool":
      return value.value ? 1 : 0
    case "int":
    case "float":
      return value.value
    case "string":
      if (onRegex?.test(value.value)) return 1
      if (offRegex?.test(value.value)) return 0
      return undefined
  }
}

/** Go's `fmt.Sprintf("%v", value)`, as nut_exporter builds the device_info labels. */
export function goFormat(value: GoNutValue): string {
  switch (value.kind) {
    case "bool":
      return value.value ? "true" : "false"
    case "int":
      return value.text
    case "float":
      return goFormatFloat(value.value)
    case "string":
      return value.value
  }
}

/**
 * Go's `%v` of a float64 (strconv 'g' with the shortest precision): exponent form when the
 * decimal exponent is below -4 or at least 6 (`1e+06`, `1.5e-05`), plain digits otherwise.
 */
export function goFormatFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN"
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf"
  if (x === 0) return Object.is(x, -0) ? "-0" : "0"
  // JS toExponential() with no argument gives the same shortest round-trip digits as Go
  const [mantissa = "", expText = "0"] = Math.abs(x).toExponential().split("e")
  const exp = Number(expText)
  const sign = x < 0 ? "-" : ""
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp)
    return `${sign}${mantissa}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" : ""}${e}`
  }
  return sign + String(Math.abs(x))
}

/** Go's `strings.Trim(s, " ")`: spaces only, not tabs. */
function trimSpaces(s: string): string {
  let start = 0
  let end = s.length
  while (start < end && s.charCodeAt(start) === 32) start++
  while (end > start && s.charCodeAt(end - 1) === 32) end--
  return s.slice(start, end)
}

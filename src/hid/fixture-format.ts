// Readers for the HID fixture file formats (test/fixtures/hid/README.md), shared by tests and the
// simulated UPS (`port = sim:<base>` reads `<base>.rdesc.hex` and `<base>.reports.txt`):
//   *.rdesc.hex    hex bytes separated by whitespace, nothing else
//   *.reports.txt  `get <id> <n> : <bytes>`, `int <id> <n> : <bytes>`,
//                  `path <path> | <Feature|Input|Output> | id=<0xNN> off=<bits> size=<bits> [value=<v>]`
//                  with `#` comments.
import { HidError } from "./errors.ts"
import type { ReportType } from "./types.ts"

/** A report the device sent: a GET_REPORT(Feature) answer or an interrupt-IN report. */
export interface ReportBytesRecord {
  readonly kind: "get" | "int"
  readonly reportId: number
  /** The report bytes, byte 0 = report id. */
  readonly bytes: Uint8Array
  readonly line: number
}

/** NUT's decoding of one field (value already scaled by the unit exponent). */
export interface PathRecord {
  readonly kind: "path"
  readonly path: string
  readonly type: ReportType
  readonly reportId: number
  readonly bitOffset: number
  readonly bitSize: number
  readonly value?: number
  readonly line: number
}

export type ReportRecord = ReportBytesRecord | PathRecord

/** `05 84 09 04 …` → bytes. @throws HidError HID_BAD_FIXTURE on anything but hex byte pairs. */
export function parseHexBytes(text: string): Uint8Array {
  const tokens = text.split(/\s+/).filter((t) => t !== "")
  const bad = tokens.find((t) => !/^[0-9a-f]{2}$/i.test(t))
  if (bad !== undefined) throw new HidError("HID_BAD_FIXTURE", `Cannot read hex bytes: "${bad}" is not a byte`)
  return Uint8Array.from(tokens, (t) => Number.parseInt(t, 16))
}

const TYPES: Readonly<Record<string, ReportType>> = { feature: "feature", input: "input", output: "output" }

/** Parses a `*.reports.txt` file. @throws HidError HID_BAD_FIXTURE naming the line. */
export function parseReportRecords(text: string): ReportRecord[] {
  const records: ReportRecord[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1
    const content = raw.replace(/#.*$/, "").trim()
    if (content === "") return
    const bytesMatch = /^(get|int)\s+(0x[0-9a-f]+|\d+)\s+(\d+)\s*:\s*(.*)$/i.exec(content)
    if (bytesMatch !== null) {
      const [, kind = "", id = "", count = "", hex = ""] = bytesMatch
      const bytes = parseLineBytes(hex, line)
      if (bytes.length !== Number(count)) fail(line, `${count} bytes announced, ${bytes.length} given`)
      const reportId = Number(id)
      if (bytes[0] !== reportId) fail(line, `first byte is not report id ${id}`)
      records.push({ kind: kind.toLowerCase() === "get" ? "get" : "int", reportId, bytes, line })
      return
    }
    const pathMatch =
      /^path\s+(\S+)\s*\|\s*(\w+)\s*\|\s*id=(0x[0-9a-f]+|\d+)\s+off=(\d+)\s+size=(\d+)(?:\s+value=(\S+))?$/i.exec(content)
    if (pathMatch !== null) {
      const [, path = "", typeName = "", id = "", off = "", size = "", value] = pathMatch
      const type = TYPES[typeName.toLowerCase()]
      if (type === undefined) fail(line, `unknown report type "${typeName}"`)
      const record: PathRecord = { kind: "path", path, type, reportId: Number(id), bitOffset: Number(off), bitSize: Number(size), line }
      if (value !== undefined && !Number.isFinite(Number(value))) fail(line, `value "${value}" is not a number`)
      records.push(value === undefined ? record : { ...record, value: Number(value) })
      return
    }
    fail(line, `cannot read "${content}"`)
  })
  return records
}

function parseLineBytes(hex: string, line: number): Uint8Array {
  try {
    return parseHexBytes(hex)
  } catch (cause) {
    return fail(line, cause instanceof Error ? cause.message : String(cause))
  }
}

function fail(line: number, detail: string): never {
  throw new HidError("HID_BAD_FIXTURE", `Cannot read reports file: line ${line}: ${detail}`)
}

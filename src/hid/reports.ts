// Report-level helpers: look-ups in the field table, checking a received report against the
// descriptor (short / long answers are data, not errors), NUT's buffer lengths.
import { decodeField, type FieldValue } from "./codec.ts"
import { parsePath, samePath } from "./path.ts"
import type { HidField, HidReport, ParsedDescriptor, ReportType } from "./types.ts"
import { ALL_USAGE_NAMES, type UsageNames } from "./usage-names.ts"

/** Options of `findField()`. */
export interface FindFieldOptions {
  /** Report type to search; default "feature", the type NUT resolves mapping paths against. */
  readonly type?: ReportType
  /** Names used to parse a string path; default: all tables. */
  readonly usageNames?: UsageNames
}

/**
 * First field whose numeric path equals `path` (NUT's FindObject_with_Path: first match wins, so
 * `UPS.Battery.ManufacturerDate` is the field at offset 0 even when a leaked Report Count repeats
 * it). Padding never matches. String paths may mix names, hex (`ff86007c`) and `[n]`.
 */
export function findField(desc: ParsedDescriptor, path: string | readonly number[], options: FindFieldOptions = {}): HidField | undefined {
  const nodes = typeof path === "string" ? parsePath(path, options.usageNames ?? ALL_USAGE_NAMES) : path
  if (nodes === undefined) return undefined
  const type = options.type ?? "feature"
  return desc.fields.find((f) => f.type === type && f.usage !== 0 && samePath(f.pathNodes, nodes))
}

/** Declared size of report (type, id), undefined if the descriptor has no such report. */
export function findReport(desc: ParsedDescriptor, type: ReportType, reportId: number): HidReport | undefined {
  return desc.reports.find((r) => r.type === type && r.reportId === reportId)
}

/** Fields of one report, in bit order. */
export function fieldsOfReport(desc: ParsedDescriptor, type: ReportType, reportId: number): HidField[] {
  return desc.fields.filter((f) => f.type === type && f.reportId === reportId).sort((a, b) => a.bitOffset - b.bitOffset)
}

/**
 * Every named field of report (type, byte 0 of `bytes`) decoded, in bit order — what NUT does
 * with an interrupt report (its Input fields) or after a GET_REPORT.
 */
export function decodeReport(desc: ParsedDescriptor, type: ReportType, bytes: Uint8Array): { field: HidField; value: FieldValue }[] {
  if (bytes.length === 0) return []
  return fieldsOfReport(desc, type, bytes[0] ?? 0)
    .filter((field) => field.usage !== 0)
    .map((field) => ({ field, value: decodeField(bytes, field) }))
}

/** How a received report compares with the descriptor. */
export interface ReportCheck {
  readonly status: "ok" | "short" | "long" | "unknown-report" | "empty"
  readonly reportId: number
  /** Declared byte length incl. the id byte (0 for an unknown report). */
  readonly expected: number
  readonly received: number
  /** NUT-style text for a log line, present unless status is "ok". */
  readonly message?: string
}

/**
 * Checks a GET_REPORT answer or interrupt report (byte 0 = id) against the declared length of
 * (type, id). NUT reads every id with GET_REPORT type Feature, also ids declared Input only, so a
 * type the id lacks falls back to the longest declared report of that id. Short answers are
 * normal on APC (BK650M2 id 0x20: 3 of 47 bytes); long ones were NUT 2.8.0's 512-byte interrupt
 * reads with garbage tails. Fields decode from what arrived either way.
 */
export function checkReport(desc: ParsedDescriptor, type: ReportType, bytes: Uint8Array): ReportCheck {
  const reportId = bytes[0] ?? 0
  const received = bytes.length
  if (received === 0) return { status: "empty", reportId, expected: 0, received, message: "empty report" }
  const declared = findReport(desc, type, reportId) ?? longestReport(desc, reportId)
  if (declared === undefined) {
    return { status: "unknown-report", reportId, expected: 0, received, message: `report 0x${hex2(reportId)} is not in the descriptor` }
  }
  const expected = declared.byteLength
  if (received === expected) return { status: "ok", reportId, expected, received }
  return {
    status: received < expected ? "short" : "long",
    reportId,
    expected,
    received,
    message: `report 0x${hex2(reportId)}: expected ${expected} bytes, but got ${received} instead`,
  }
}

/** Zero-fills (or truncates) a report to `length` bytes (at most 64 KiB), like NUT's per-id report buffer. */
export function padReport(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.min(Math.max(0, Math.trunc(length) || 0), 0x10000))
  out.set(bytes.subarray(0, out.length))
  return out
}

/**
 * The buffer length NUT computes for a report id (the wLength of its GET_REPORT and the size of
 * its SET_REPORT): one buffer per id for all types, bit offsets kept in 8 bits so they wrap at
 * 256 — hence "expected 33 bytes" for BK650M2 id 0x20 where the spec says 47. Assumes Report
 * Size and Count below 256, which NUT also truncates to 8 bits. 0 for an unknown id.
 */
export function nutReportLength(desc: ParsedDescriptor, reportId: number): number {
  let bytes = 0
  let found = false
  for (const f of desc.fields) {
    if (f.reportId !== reportId) continue
    found = true
    bytes = Math.max(bytes, Math.ceil(((f.bitOffset % 256) + (f.bitSize % 256)) / 8))
  }
  return found ? bytes + 1 : 0
}

function longestReport(desc: ParsedDescriptor, reportId: number): HidReport | undefined {
  let best: HidReport | undefined
  for (const r of desc.reports) if (r.reportId === reportId && (best === undefined || r.byteLength > best.byteLength)) best = r
  return best
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0")
}

// Contracts of the HID core: the field table the descriptor parser produces and the codec,
// subdrivers, simulator and transport consume. Pure data, web-standard only.

/** The three report kinds of HID 1.11; NUT always *reads* with GET_REPORT type Feature. */
export const REPORT_TYPES = ["input", "output", "feature"] as const
export type ReportType = (typeof REPORT_TYPES)[number]

/** GET_REPORT / SET_REPORT wValue high byte for each report type (HID 1.11 §7.2.1). */
export const REPORT_TYPE_CODES: Readonly<Record<ReportType, number>> = { input: 1, output: 2, feature: 3 }

/** Main item data bits of Input/Output/Feature (HID 1.11 §6.2.2.5), decoded. */
export interface MainItemFlags {
  /** bit 0: Constant (padding in spirit; UPS firmwares also flag real values Constant). */
  readonly constant: boolean
  /** bit 1: Variable (true) or Array (false). */
  readonly variable: boolean
  /** bit 2: Relative (true) or Absolute. */
  readonly relative: boolean
  /** bit 3: Wrap. */
  readonly wrap: boolean
  /** bit 4: Non Linear. */
  readonly nonLinear: boolean
  /** bit 5: No Preferred State. */
  readonly noPreferred: boolean
  /** bit 6: Null State. */
  readonly nullState: boolean
  /** bit 7: Volatile (Output/Feature only). */
  readonly volatile: boolean
  /** bit 8: Buffered Bytes (needs 2-byte item data). */
  readonly bufferedBytes: boolean
}

/**
 * One field of one report: `bitSize` bits at `bitOffset` of the payload of report
 * (`type`, `reportId`). The payload starts after the report-id byte.
 */
export interface HidField {
  readonly type: ReportType
  /** 0 when the descriptor has no Report ID item (then the buffer's first byte is a 0 placeholder). */
  readonly reportId: number
  /** Bit offset inside the payload, counted per (type, reportId) as HID 1.11 says (no 8-bit wrap). */
  readonly bitOffset: number
  readonly bitSize: number
  /** 32-bit usage (page << 16 | id); 0 = no usage (padding / unnamed). */
  readonly usage: number
  /** NUT-style dotted path, named with the parser's usage names (`UPS.PowerSummary.RemainingCapacity`). */
  readonly path: string
  /**
   * NUT's numeric path: one node per enclosing collection (its usage, 0 if none), an extra
   * `0x00ff00nn` node after a vendor collection type 0x80+n (MGE `[n]`), then the field's usage.
   */
  readonly pathNodes: readonly number[]
  /** Raw main item data (all bits kept; NUT truncates to 8). */
  readonly flags: number
  readonly attributes: MainItemFlags
  readonly logicalMin: number
  /** Effective logical maximum (after NUT's "interpreting LogMax -1 as 255" repair). */
  readonly logicalMax: number
  /** True when `logicalMax` was re-read as unsigned because the signed value was below logicalMin. */
  readonly logicalMaxAssumed: boolean
  /** undefined when no Physical Minimum item was seen yet (NUT's `have_PhyMin`). */
  readonly physicalMin: number | undefined
  readonly physicalMax: number | undefined
  /** HID unit word (nibbles: system, length, mass, time, temperature, current, luminous). */
  readonly unit: number
  /** Unit exponent, already sign-decoded (`55 05` = 5, `55 0e` = -2). */
  readonly unitExponent: number
  /** Index of this field inside its main item (0 … Report Count − 1). */
  readonly index: number
  /** Byte offset of the main item in the descriptor (for diagnostics). */
  readonly itemOffset: number
  /**
   * True when NUT would list this field as an object of its own: it got an explicit Usage item
   * (not a repeated last usage, not a Usage Minimum/Maximum range, which NUT ignores).
   */
  readonly nutObject: boolean
  /** For Array items (flag bit 1 = 0): the usages the field's index selects from. */
  readonly arrayUsages?: readonly number[]
}

/** Declared size of one report (type, id). */
export interface HidReport {
  readonly type: ReportType
  readonly reportId: number
  readonly bitLength: number
  /** Payload bytes (ceil(bitLength / 8)). */
  readonly payloadLength: number
  /** Buffer length: payload + 1 id byte (the id byte is present even without report ids, as 0). */
  readonly byteLength: number
}

/** Stable codes of descriptor problems; the parser never throws, it reports these. */
export const HID_WARNING_CODES = [
  "logmax-below-logmin",
  "invalid-logical-range",
  "truncated-item",
  "reserved-item",
  "long-item",
  "push-pop",
  "collection",
  "report-id",
  "report-count",
  "report-size",
  "usage",
  "unit-exponent",
  "limit",
  "no-fields",
] as const
export type HidWarningCode = (typeof HID_WARNING_CODES)[number]

/** A descriptor or report problem, as data (never console output). */
export interface HidWarning {
  readonly code: HidWarningCode
  readonly message: string
  /** Byte offset in the descriptor where it was found. */
  readonly offset?: number
  readonly reportId?: number
}

/** Result of `parseReportDescriptor()`. */
export interface ParsedDescriptor {
  /** Every field, in descriptor order (padding included; filter with `usage !== 0`). */
  readonly fields: readonly HidField[]
  /** One entry per (type, reportId), sorted by id then type. */
  readonly reports: readonly HidReport[]
  /** True when any Report ID item appeared (reports then start with the id byte). */
  readonly usesReportIds: boolean
  readonly warnings: readonly HidWarning[]
}

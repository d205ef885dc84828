// HID 1.11 report descriptor parser → field table with NUT-style paths. Pure: bytes in, data
// out, problems as warnings (never thrown, never printed). Where NUT's own hidparser.c survives a
// firmware bug in a particular way (the APC `25 ff` LogMax) we do the same; where it is merely
// limited (no Push/Pop, no usage ranges, 8-bit offsets) we follow the spec
// (../shared/research/hid-reference.md §a.6, §a.7; the divergences are listed in index.ts).
import { decodeMainFlags, readItems, signedData, unitExponentOf, type HidItem } from "./items.ts"
import { initialGlobals, LocalState, type GlobalState } from "./parser-state.ts"
import { formatPath, INDEX_NODE_BASE } from "./path.ts"
import type { HidField, HidReport, HidWarning, HidWarningCode, ParsedDescriptor, ReportType } from "./types.ts"
import { ALL_USAGE_NAMES, type UsageNames } from "./usage-names.ts"

/** Options of `parseReportDescriptor()`. */
export interface ParseOptions {
  /**
   * Names for paths. Default: every table we have (APC, CyberPower, Eaton/MGE, standard pages).
   * Use `STANDARD_USAGE_NAMES` to print vendor usages in hex as `usbhid-ups -x explore` does.
   */
  readonly usageNames?: UsageNames
}

/** A report can be at most 64 KiB (USB control transfer wLength); fields beyond are dropped. */
export const MAX_REPORT_BITS = 0xffff * 8
/** Fields materialised per main item / in total; garbage counts must not exhaust memory. */
export const MAX_FIELDS_PER_ITEM = 4096
export const MAX_FIELDS = 65536
/** Warnings kept; more are summarised in one last warning. */
export const MAX_WARNINGS = 200

const MAIN_TYPES: Readonly<Record<number, ReportType>> = { 0x8: "input", 0x9: "output", 0xb: "feature" }

/** Parses a report descriptor into its field table, report sizes and warnings. Never throws. */
export function parseReportDescriptor(bytes: Uint8Array, options: ParseOptions = {}): ParsedDescriptor {
  const parser = new DescriptorParser(options.usageNames ?? ALL_USAGE_NAMES)
  return parser.run(bytes)
}

class DescriptorParser {
  readonly #names: UsageNames
  #globals: GlobalState = initialGlobals()
  readonly #stack: GlobalState[] = []
  readonly #locals = new LocalState()
  /** Open collections: how many path nodes each one added (1, or 2 with an index node). */
  readonly #collections: number[] = []
  readonly #path: number[] = []
  readonly #bits = new Map<string, { type: ReportType; reportId: number; bits: number }>()
  readonly #fields: HidField[] = []
  readonly #warnings: HidWarning[] = []
  #dropped = 0
  #usesReportIds = false
  #fieldLimitWarned = false

  constructor(names: UsageNames) {
    this.#names = names
  }

  run(bytes: Uint8Array): ParsedDescriptor {
    for (const item of readItems(bytes)) {
      if ("truncated" in item) {
        this.#warn("truncated-item", `Descriptor ends inside an item: it needs ${item.needed} bytes, ${item.available} left`, item.offset)
        break
      }
      if (item.long) {
        this.#warn("long-item", `Skipped a long item (tag 0x${hex2(item.tag)}, ${item.size} bytes); HID 1.11 defines none`, item.offset)
        continue
      }
      if (item.type === "main") this.#main(item)
      else if (item.type === "global") this.#global(item)
      else if (item.type === "local") this.#local(item)
      else this.#warn("reserved-item", `Skipped an item of reserved type (prefix 0x${hex2(item.prefix)})`, item.offset)
    }
    if (this.#collections.length > 0) {
      this.#warn("collection", `Descriptor ends with ${this.#collections.length} collection(s) still open`, bytes.length)
    }
    if (this.#fields.length === 0) this.#warn("no-fields", "Descriptor declares no report fields", bytes.length)
    const reports = this.#reports()
    if (this.#dropped > 0) this.#warnings.push({ code: "limit", message: `${this.#dropped} more warnings not kept` })
    return {
      fields: this.#fields,
      reports,
      usesReportIds: this.#usesReportIds,
      warnings: this.#warnings,
    }
  }

  // ----- Main items -----

  #main(item: HidItem): void {
    const type = MAIN_TYPES[item.tag]
    if (type !== undefined) this.#fieldsOf(item, type)
    else if (item.tag === 0xa) this.#openCollection(item)
    else if (item.tag === 0xc) this.#closeCollection(item)
    else this.#warn("reserved-item", `Skipped a main item with reserved tag 0x${hex2(item.tag)}`, item.offset)
    this.#locals.reset()
  }

  #openCollection(item: HidItem): void {
    this.#danglingMinimum(item)
    // The usage before the Collection names it; a collection without one is node 0 (as NUT).
    this.#path.push(this.#locals.firstUsage())
    // MGE/Eaton number repeated collections with vendor types 0x80+n: NUT adds a `[n]` node.
    if (item.data >= 0x80) this.#path.push(INDEX_NODE_BASE + (item.data % 0x80))
    this.#collections.push(item.data >= 0x80 ? 2 : 1)
  }

  #closeCollection(item: HidItem): void {
    const added = this.#collections.pop()
    if (added === undefined) {
      this.#warn("collection", "End Collection without an open Collection (ignored)", item.offset)
      return
    }
    this.#path.length -= added
  }

  #fieldsOf(item: HidItem, type: ReportType): void {
    this.#danglingMinimum(item)
    const g = this.#globals
    const { reportId, reportSize: size, reportCount: count } = g
    if (count === 0) {
      this.#warn("report-count", `Main item with Report Count 0 declares no field (ReportID: 0x${hex2(reportId)})`, item.offset, reportId)
      return
    }
    if (size === 0) this.#warn("report-size", `Main item with Report Size 0 (ReportID: 0x${hex2(reportId)})`, item.offset, reportId)
    const key = `${type}:${reportId}`
    const report = this.#bits.get(key) ?? { type, reportId, bits: 0 }
    this.#bits.set(key, report)
    const start = report.bits
    report.bits = start + count * size

    const attributes = decodeMainFlags(item.data)
    const array = !attributes.variable && !attributes.constant
    const arrayUsages = array ? this.#locals.allUsages() : undefined
    const next = this.#locals.cursor()
    let last: number | undefined
    const materialise = Math.min(count, MAX_FIELDS_PER_ITEM)
    for (let index = 0; index < materialise; index++) {
      const bitOffset = start + index * size
      if (bitOffset + size > MAX_REPORT_BITS) {
        this.#warn("limit", `Report 0x${hex2(reportId)} grows past 64 KiB; later fields dropped`, item.offset, reportId)
        break
      }
      if (this.#fields.length >= MAX_FIELDS) {
        if (!this.#fieldLimitWarned) this.#warn("limit", `More than ${MAX_FIELDS} fields; the rest dropped`, item.offset)
        this.#fieldLimitWarned = true
        break
      }
      // Usages are consumed one per field. Past the list, a Variable data field repeats the last
      // usage (HID 1.11 §6.2.2.8); NUT instead makes it an unnamed continuation, hence `nutObject`.
      // Constant fields never inherit a usage: they are padding.
      const given = next()
      let usage = 0
      let nutObject = false
      if (given !== undefined) {
        usage = given.usage
        nutObject = !given.fromRange && usage !== 0
        last = usage
      } else if (attributes.variable && !attributes.constant && last !== undefined) {
        usage = last
      }
      const pathNodes = [...this.#path, usage]
      this.#fields.push({
        type,
        reportId,
        bitOffset,
        bitSize: size,
        usage,
        path: formatPath(pathNodes, this.#names),
        pathNodes,
        flags: item.data,
        attributes,
        logicalMin: g.logicalMin,
        logicalMax: g.logicalMax,
        logicalMaxAssumed: g.logicalMaxAssumed,
        physicalMin: g.physicalMin,
        physicalMax: g.physicalMax,
        unit: g.unit,
        unitExponent: g.unitExponent,
        index,
        itemOffset: item.offset,
        nutObject,
        ...(arrayUsages !== undefined ? { arrayUsages } : {}),
      })
    }
    if (count > MAX_FIELDS_PER_ITEM) {
      this.#warn("limit", `Report Count ${count} too large; kept the first ${MAX_FIELDS_PER_ITEM} fields`, item.offset, reportId)
    }
    if (g.logicalMax < g.logicalMin) {
      this.#warn("invalid-logical-range", `Logical range ${g.logicalMin}..${g.logicalMax} is empty (ReportID: 0x${hex2(reportId)})`, item.offset, reportId)
    }
  }

  #danglingMinimum(item: HidItem): void {
    const min = this.#locals.takeDanglingMinimum()
    if (min !== undefined) this.#warn("usage", "Usage Minimum without Usage Maximum (used as a single usage)", item.offset)
  }

  // ----- Global items -----

  #global(item: HidItem): void {
    const g = this.#globals
    switch (item.tag) {
      case 0x0:
        g.usagePage = item.data % 0x10000
        break
      case 0x1:
        g.logicalMin = signedData(item)
        break
      case 0x2:
        this.#logicalMax(item)
        break
      case 0x3:
        g.physicalMin = signedData(item)
        break
      case 0x4:
        g.physicalMax = signedData(item)
        break
      case 0x5: {
        const { value, inRange } = unitExponentOf(item)
        if (!inRange) this.#warn("unit-exponent", `Unit Exponent ${value} is outside -8..7`, item.offset)
        g.unitExponent = value
        break
      }
      case 0x6:
        g.unit = item.data
        break
      case 0x7:
        g.reportSize = item.data
        break
      case 0x8:
        this.#reportId(item)
        break
      case 0x9:
        g.reportCount = item.data
        break
      case 0xa:
        this.#stack.push({ ...g })
        break
      case 0xb: {
        const saved = this.#stack.pop()
        if (saved === undefined) this.#warn("push-pop", "Pop without Push (ignored)", item.offset)
        else this.#globals = saved
        break
      }
      default:
        this.#warn("reserved-item", `Skipped a global item with reserved tag 0x${hex2(item.tag)}`, item.offset)
    }
  }

  /**
   * APC Back-UPS BX/BK (`15 00 25 ff`) and some CyberPower (`26 ff ff`) encode LogMax in too few
   * bytes, so it reads as −1 < LogMin. Like NUT (hidparser.c since 2.8.0) we then re-read the item
   * data as unsigned (255 / 65535), with NUT's own warning text (nut#1208, nut#1512).
   */
  #logicalMax(item: HidItem): void {
    const g = this.#globals
    const signed = signedData(item)
    if (signed < g.logicalMin) {
      this.#warn(
        "logmax-below-logmin",
        `LogMax is less than LogMin. Vendor HID report descriptor may be incorrect; interpreting LogMax ${signed} as ${item.data} in ReportID: 0x${hex2(g.reportId)}`,
        item.offset,
        g.reportId,
      )
      g.logicalMax = item.data
      g.logicalMaxAssumed = true
    } else {
      g.logicalMax = signed
      g.logicalMaxAssumed = false
    }
  }

  #reportId(item: HidItem): void {
    if (!this.#usesReportIds && this.#bits.size > 0) {
      this.#warn("report-id", "Report ID item after fields without one: those fields are in report 0", item.offset)
    }
    this.#usesReportIds = true
    if (item.data === 0 || item.data > 0xff) {
      this.#warn("report-id", `Report ID ${item.data} is invalid (1..255)`, item.offset)
    }
    this.#globals.reportId = item.data % 0x100
  }

  // ----- Local items -----

  #local(item: HidItem): void {
    // 1- and 2-byte usages take the current Usage Page (combined now, as NUT does); a 4-byte
    // usage carries its own page in the high 16 bits ("extended usage").
    const usage = item.size === 4 ? item.data : this.#globals.usagePage * 0x10000 + (item.data % 0x10000)
    switch (item.tag) {
      case 0x0:
        this.#locals.addUsage(usage)
        break
      case 0x1:
        this.#locals.addUsageMinimum(usage)
        break
      case 0x2:
        if (!this.#locals.addUsageMaximum(usage)) this.#warn("usage", "Usage Maximum without (or below) its Usage Minimum", item.offset)
        break
      case 0xa:
        this.#locals.delimiter(item.data === 1)
        break
      case 0x3:
      case 0x4:
      case 0x5:
      case 0x7:
      case 0x8:
      case 0x9:
        // Designator and String index items: no effect on the report layout (APC's `79 nn`).
        break
      default:
        this.#warn("reserved-item", `Skipped a local item with reserved tag 0x${hex2(item.tag)}`, item.offset)
    }
  }

  // ----- Results -----

  #reports(): HidReport[] {
    return [...this.#bits.values()]
      .map(({ type, reportId, bits: declared }) => {
        // A garbage Report Count × Size can declare petabytes; nobody may allocate that.
        if (declared > MAX_REPORT_BITS) this.#warn("limit", `Report 0x${hex2(reportId)} declares ${declared} bits; counted as 64 KiB`, undefined, reportId)
        const bits = Math.min(declared, MAX_REPORT_BITS)
        const payloadLength = Math.ceil(bits / 8)
        return { type, reportId, bitLength: bits, payloadLength, byteLength: payloadLength + 1 }
      })
      .sort((a, b) => a.reportId - b.reportId || a.type.localeCompare(b.type))
  }

  #warn(code: HidWarningCode, message: string, offset?: number, reportId?: number): void {
    if (this.#warnings.length >= MAX_WARNINGS) {
      this.#dropped++
      return
    }
    this.#warnings.push({
      code,
      message,
      ...(offset !== undefined ? { offset } : {}),
      ...(reportId !== undefined ? { reportId } : {}),
    })
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0")
}

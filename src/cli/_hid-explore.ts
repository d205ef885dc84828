/**
 * `nutctl driver explore`: what `usbhid-ups -x explore -DDD` shows, as one paste. The dump is a
 * valid `*.reports.txt` (test/fixtures/hid/README.md): `get` answers, NUT-style `path` lines (paths
 * named with the standard pages only and values printed with %g, exactly as usbhid-ups prints them),
 * the device and its strings as `# device:` / `# string N:` comments and the report descriptor as
 * `# rdesc:` comments — so a pasted dump can be saved as `NAME.reports.txt` and run as `sim:NAME`.
 */
import {
  ALL_USAGE_NAMES,
  STANDARD_USAGE_NAMES,
  decodeField,
  findReport,
  parseReportDescriptor,
  readBytes,
  type HidDeviceInfo,
  type HidField,
  type HidTransport,
} from "../hid/index.ts"

/** What nutctl makes of a field (the usbhid subdrivers, see _explore-mapping.ts). */
export interface ExploreMapping {
  /** The subdriver that claimed the device. */
  readonly subdriver: string
  /** NUT variables, status facts, commands and settings fed by `field`; empty when unused. */
  describe(field: HidField): readonly string[]
}

/** Options of `exploreHidDevice()`. */
export interface ExploreOptions {
  readonly port: string
  readonly version: string
  /** Builds the mapping for the device once its descriptor is read; none: paths and values only. */
  readonly mapping?: ((device: HidDeviceInfo, descriptor: Uint8Array) => ExploreMapping | undefined) | undefined
  /** Also record interrupt-IN reports for this long (ms). @default 0 */
  readonly listenMs?: number
  /** Time for `listenMs`. @default Date */
  readonly clock?: { now(): number }
}

/** The dump, and the two fixture files it amounts to. */
export interface ExploreDump {
  /** The paste: a `*.reports.txt` with the descriptor in `# rdesc:` comments. */
  readonly text: string
  /** `<name>.rdesc.hex` content. */
  readonly rdescHex: string
  /** Number of objects listed (NUT: "71 HID objects found" for the BK650M2-CH). */
  readonly objects: number
}

const TYPE_LABELS = { input: "Input", output: "Output", feature: "Feature" } as const
const STRING_USAGES = new Set(
  ["APC_UPS_FirmwareRevision", "APC_USB_FirmwareRevision", "CPSFirmwareVersion"].map((n) => ALL_USAGE_NAMES.usage(n)).filter((u) => u !== undefined),
)

/** Reads every report of the device once and formats the dump. */
export async function exploreHidDevice(transport: HidTransport, options: ExploreOptions): Promise<ExploreDump> {
  const rdesc = await transport.reportDescriptor()
  // NUT's explore names usages with the standard pages only (vendor usages print as hex)
  const desc = parseReportDescriptor(rdesc, { usageNames: STANDARD_USAGE_NAMES })
  const named = parseReportDescriptor(rdesc)
  const mapping = options.mapping?.(transport.info, rdesc)
  const body: string[] = []
  const answers = new Map<number, Uint8Array | Error>()
  const objects = desc.fields.map((field, i) => ({ field, vendor: named.fields[i] })).filter((o) => o.field.nutObject)
  for (const { field, vendor } of objects) {
    let answer = answers.get(field.reportId)
    if (answer === undefined) {
      answer = await getReport(transport, desc, field.reportId)
      answers.set(field.reportId, answer)
      body.push(answer instanceof Error ? `# get 0x${hex2(field.reportId)} failed: ${answer.message}` : `get 0x${hex2(field.reportId)} ${answer.length} : ${hexBytes(answer)}`)
    }
    body.push(pathLine(field, answer, vendor, mapping))
  }
  if ((options.listenMs ?? 0) > 0) body.push(...(await listen(transport, options.listenMs ?? 0, options.clock ?? Date)))

  const strings = await readStrings(transport, named.fields, answers)
  const warnings = desc.warnings.map((w) => `# warning ${w.code}${w.offset !== undefined ? ` at byte ${w.offset}` : ""}: ${w.message}`)
  const header = [
    "# nutctl driver explore: paste all of this into an issue. Saved as NAME.reports.txt, it runs as port = sim:NAME",
    `# nutctl ${options.version}, port ${options.port}`,
    `# device: ${deviceLine(transport.info)}`,
    ...strings,
    `# descriptor: ${rdesc.length} bytes, ${objects.length} objects, ${desc.reports.length} reports, ${desc.warnings.length} warnings`,
    ...warnings,
    mapping === undefined
      ? "# mapping: no nutctl subdriver claims this device (vendor/product id unknown to nutctl)"
      : `# mapping: subdriver ${mapping.subdriver}; "-> x" after a path = what nutctl publishes from it`,
  ]
  const rdescHex = chunks(rdesc, 16).map(hexBytes).join("\n") + "\n"
  const trailer = ["# report descriptor, as NAME.rdesc.hex:", ...chunks(rdesc, 16).map((c) => `# rdesc: ${hexBytes(c)}`)]
  return { text: [...header, ...body, ...trailer].join("\n") + "\n", rdescHex, objects: objects.length }
}

/** C's `%g` (6 significant digits), which usbhid-ups uses for `Value:`. */
export function formatG(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value)
  const [mantissa = "0", exponent = "0"] = value.toExponential(5).split("e")
  const e = Number(exponent)
  if (e < -4 || e >= 6) return `${Number(mantissa)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`
  return String(Number(value.toPrecision(6)))
}

// --- Internal helpers ---

/** GET_REPORT(Feature) with the longest declared length of the id (NUT reads Input ids the same way). */
async function getReport(transport: HidTransport, desc: ReturnType<typeof parseReportDescriptor>, reportId: number): Promise<Uint8Array | Error> {
  const length = Math.max(...(["feature", "input", "output"] as const).map((t) => findReport(desc, t, reportId)?.byteLength ?? 0))
  try {
    return await transport.getFeatureReport(reportId, length)
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

function pathLine(field: HidField, answer: Uint8Array | Error, vendor: HidField | undefined, mapping: ExploreMapping | undefined): string {
  const head = `path ${field.path} | ${TYPE_LABELS[field.type]} | id=0x${hex2(field.reportId)} off=${field.bitOffset} size=${field.bitSize}`
  const notes: string[] = []
  let value = ""
  if (answer instanceof Error) notes.push("no answer")
  else if (answer.length === 0) notes.push("the device stalled: no data")
  else {
    const v = decodeField(answer, field)
    if (v.available) value = ` value=${formatG(v.physical)}`
    else if (v.reason === "too-wide") notes.push(`bytes ${hexBytes(readBytes(answer, field) ?? new Uint8Array(0)) || "not in the answer"}`)
    else notes.push(v.reason === "short-report" ? "not in the (short) answer" : "answer is another report")
  }
  if (vendor !== undefined && vendor.path !== field.path) notes.push(vendor.path)
  const mapped = mapping === undefined ? [] : mapping.describe(vendor ?? field)
  if (mapped.length > 0) notes.push(`-> ${mapped.join(", ")}`)
  return notes.length === 0 ? `${head}${value}` : `${head}${value}   # ${notes.join("; ")}`
}

async function listen(transport: HidTransport, ms: number, clock: { now(): number }): Promise<string[]> {
  const lines = [`# interrupt reports during ${ms} ms:`]
  const until = clock.now() + ms
  for (let left = ms; left > 0; left = until - clock.now()) {
    let report: Uint8Array | undefined
    try {
      report = await transport.readInput(Math.min(left, 750))
    } catch (error) {
      lines.push(`# interrupt read failed: ${error instanceof Error ? error.message : String(error)}`)
      break
    }
    if (report !== undefined && report.length > 0) lines.push(`int 0x${hex2(report[0] ?? 0)} ${report.length} : ${hexBytes(report)}`)
  }
  return lines
}

/** `# string N: text` for every index an i* field points at. */
async function readStrings(transport: HidTransport, fields: readonly HidField[], answers: ReadonlyMap<number, Uint8Array | Error>): Promise<string[]> {
  const indexes = new Set<number>()
  for (const field of fields) {
    const name = ALL_USAGE_NAMES.name(field.usage) ?? ""
    if (field.type !== "feature" || !(/^i[A-Z]/.test(name) || STRING_USAGES.has(field.usage))) continue
    const answer = answers.get(field.reportId)
    const v = answer instanceof Uint8Array ? decodeField(answer, field) : undefined
    if (v?.available && v.raw > 0) indexes.add(v.raw)
  }
  const lines: string[] = []
  for (const index of [...indexes].sort((a, b) => a - b)) {
    let text: string | undefined
    try {
      text = await transport.indexedString(index)
    } catch {
      text = undefined
    }
    lines.push(text === undefined ? `# string ${index} is not readable here` : `# string ${index}: ${text}`)
  }
  return lines
}

function deviceLine(info: HidDeviceInfo): string {
  const quote = (s: string): string => `"${s.replace(/"/g, "'")}"`
  const parts = [`vendorid=${hex4(info.vendorId)}`, `productid=${hex4(info.productId)}`]
  if (info.release !== undefined) parts.push(`release=${hex4(info.release)}`)
  if (info.manufacturer !== undefined) parts.push(`manufacturer=${quote(info.manufacturer)}`)
  if (info.product !== undefined) parts.push(`product=${quote(info.product)}`)
  if (info.serial !== undefined) parts.push(`serial=${quote(info.serial)}`)
  if (info.bus !== undefined) parts.push(`bus=${info.bus}`)
  if (info.interface !== undefined) parts.push(`interface=${info.interface}`)
  return parts.join(" ")
}

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size))
  return out
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, hex2).join(" ")
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0")
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0")
}

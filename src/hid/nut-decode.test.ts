// The values NUT printed for real devices decode identically from the recorded report bytes.
import assert from "node:assert/strict"
import { test } from "node:test"
import { fixture } from "../../test/support/fixture.ts"
import { decodeField } from "./codec.ts"
import { parseHexBytes, parseReportRecords } from "./fixture-format.ts"
import { parseReportDescriptor } from "./parser.ts"
import { formatPath, parsePath } from "./path.ts"
import { checkReport, findField, nutReportLength, padReport } from "./reports.ts"
import type { HidField, ParsedDescriptor, ReportType } from "./types.ts"
import { MGE_USAGE_NAMES, STANDARD_USAGE_NAMES } from "./usage-names.ts"

const TYPES: Readonly<Record<string, ReportType>> = { Feature: "feature", Input: "input", Output: "output" }

/** NUT explore dumps name usages with the standard pages only, so parse the way they print. */
function descriptor(base: string): ParsedDescriptor {
  return parseReportDescriptor(parseHexBytes(fixture(`hid/${base}.rdesc.hex`)), { usageNames: STANDARD_USAGE_NAMES })
}

function fieldAt(d: ParsedDescriptor, type: ReportType, reportId: number, bitOffset: number): HidField | undefined {
  return d.fields.find((f) => f.type === type && f.reportId === reportId && f.bitOffset === bitOffset)
}

/** NUT prints values with %g (6 significant digits). */
function asNutPrints(value: number): number {
  return Number(value.toPrecision(6))
}

interface LogPath {
  path: string
  type: ReportType
  reportId: number
  offset: number
  size: number
  value: number
  bytes: Uint8Array
}

/**
 * Reads a `usbhid-ups -DDD` log: every `Path:` line with the bytes of the `Report[…]` dump that
 * preceded it (dumps continue on following lines that hold only hex).
 */
function readNutLog(text: string): { paths: LogPath[]; descriptor: Uint8Array; expected: Map<number, number> } {
  const paths: LogPath[] = []
  const expected = new Map<number, number>()
  let dump: { name: string; length: number; hex: string[] } | undefined
  let descriptorHex: string[] = []
  let pendingLength: number | undefined
  for (const line of text.split("\n")) {
    const message = /^#\s+[\d.]+\s+(?:\[D\d\] ?)?(.*)$/.exec(line)?.[1]
    if (message === undefined) continue
    const start = /^(Report\[\w+\]|Report Descriptor): \((\d+) bytes\) => ([0-9a-f ]*)$/.exec(message)
    if (start !== null) {
      dump = { name: start[1] ?? "", length: Number(start[2]), hex: (start[3] ?? "").split(" ").filter(Boolean) }
      if (dump.name === "Report Descriptor") descriptorHex = dump.hex
      // "expected 33 bytes, but got 3 instead" is followed by the Report[err] dump naming the id.
      if (dump.name === "Report[err]" && pendingLength !== undefined) expected.set(Number.parseInt(dump.hex[0] ?? "", 16), pendingLength)
      pendingLength = undefined
      continue
    }
    if (dump !== undefined && /^ [0-9a-f]{2}( [0-9a-f]{2})*$/.test(message) && dump.hex.length < dump.length) {
      dump.hex.push(...message.trim().split(" "))
      continue
    }
    const lengths = /^\w+_report_buffer: expected (\d+) bytes, but got \d+ instead$/.exec(message)
    if (lengths !== null) pendingLength = Number(lengths[1])
    const p = /^Path: ([^,]+), Type: (\w+), ReportID: 0x([0-9a-f]+), Offset: (\d+), Size: (\d+), Value: (\S+)$/.exec(message)
    if (p !== null && dump !== undefined) {
      paths.push({
        path: p[1] ?? "",
        type: TYPES[p[2] ?? ""] ?? "feature",
        reportId: Number.parseInt(p[3] ?? "", 16),
        offset: Number(p[4]),
        size: Number(p[5]),
        value: Number(p[6]),
        bytes: parseHexBytes(dump.hex.join(" ")),
      })
    }
  }
  return { paths, descriptor: parseHexBytes(descriptorHex.join(" ")), expected }
}

test("decodeField() reproduces every value of the BK650M2-CH usbhid-ups -DDD log", () => {
  const log = readNutLog(fixture("hid/apc-back-ups-bk650m2-ch.nut-debug.log"))
  const d = descriptor("apc-back-ups-bk650m2-ch")
  assert.equal(log.paths.length, 90)
  for (const p of log.paths) {
    const field = fieldAt(d, p.type, p.reportId, p.offset)
    const where = `${p.path} ${p.type} 0x${p.reportId.toString(16)}`
    assert.ok(field, `${where}: no field`)
    assert.equal(field.path, p.path, where)
    assert.equal(field.bitSize, p.size, where)
    const v = decodeField(p.bytes, field)
    assert.ok(v.available, `${where}: ${JSON.stringify(v)}`)
    assert.equal(asNutPrints(v.physical), p.value, where)
  }
})

test("parseReportDescriptor() sees the same descriptor bytes NUT logged", () => {
  const log = readNutLog(fixture("hid/apc-back-ups-bk650m2-ch.nut-debug.log"))
  assert.deepEqual(log.descriptor, parseHexBytes(fixture("hid/apc-back-ups-bk650m2-ch.rdesc.hex")))
})

test("nutReportLength() gives the buffer sizes NUT expected (8-bit offset wrap: 33, not 47)", () => {
  const log = readNutLog(fixture("hid/apc-back-ups-bk650m2-ch.nut-debug.log"))
  const d = descriptor("apc-back-ups-bk650m2-ch")
  assert.ok(log.expected.size >= 15)
  for (const [id, bytes] of log.expected) assert.equal(nutReportLength(d, id), bytes, `id 0x${id.toString(16)}`)
  assert.equal(nutReportLength(d, 0x20), 33)
  assert.equal(checkReport(d, "feature", parseHexBytes("20 21 2a")).expected, 47)
})

test("padReport() rebuilds NUT's zero-filled buffer after a short answer", () => {
  const d = descriptor("apc-back-ups-bk650m2-ch")
  const buf = padReport(parseHexBytes("20 21 2a"), nutReportLength(d, 0x20))
  assert.deepEqual(buf, parseHexBytes(`20 21 2a ${"00 ".repeat(30)}`))
})

test("decodeField() reproduces every path record of the BK650M2-CH reports.txt", () => {
  const d = descriptor("apc-back-ups-bk650m2-ch")
  const last = new Map<number, Uint8Array>()
  let checked = 0
  for (const r of parseReportRecords(fixture("hid/apc-back-ups-bk650m2-ch.reports.txt"))) {
    if (r.kind !== "path") {
      last.set(r.reportId, r.bytes)
      continue
    }
    const field = fieldAt(d, r.type, r.reportId, r.bitOffset)
    const bytes = last.get(r.reportId)
    assert.ok(field && bytes, `line ${r.line}`)
    assert.equal(field.path, r.path)
    assert.equal(field.bitSize, r.bitSize)
    const v = decodeField(bytes, field)
    assert.ok(v.available)
    assert.equal(asNutPrints(v.physical), r.value, `line ${r.line} ${r.path}`)
    checked++
  }
  assert.ok(checked >= 80)
})

test("decodeField() decodes the hid-reference worked examples of the BK650M2 / BX", () => {
  const d = parseReportDescriptor(parseHexBytes(fixture("hid/apc-back-ups-bk650m2-ch.rdesc.hex")))
  const value = (path: string, hex: string, type: ReportType = "feature"): number | undefined => {
    const field = findField(d, path, { type })
    assert.ok(field, path)
    const v = decodeField(parseHexBytes(hex), field)
    return v.available ? v.physical : undefined
  }
  assert.equal(value("UPS.PowerSummary.RemainingCapacity", "0c 64"), 100)
  assert.equal(value("UPS.PowerSummary.RunTimeToEmpty", "0f 22 0e"), 3618)
  assert.equal(value("UPS.PowerSummary.DelayBeforeShutdown", "15 ff ff"), -1)
  assert.equal(value("UPS.PowerSummary.RemainingTimeLimit", "17 2c 01"), 300)
  assert.equal(value("UPS.Battery.ManufacturerDate", "20 21 2a"), 10785)
  assert.equal(value("UPS.Battery.Voltage", "26 46 05"), 13.5)
  assert.equal(value("UPS.Input.ConfigVoltage", "30 dc"), 220)
  assert.equal(value("UPS.Input.Voltage", "31 e8 00"), 232)
  assert.equal(value("UPS.Input.HighVoltageTransfer", "33 16 01"), 278)
  assert.equal(value("UPS.Input.APCSensitivity", "35 00"), 0)
  assert.equal(value("UPS.APCGeneralCollection.APCDelayBeforeReboot", "40 00"), 0)
  assert.equal(value("UPS.PowerConverter.ConfigActivePower", "52 86 01"), 390)
  assert.equal(value("UPS.ManufacturerDate", "7b a8 50"), 20648)
  // `16 0e 00`: 3 of 5 declared bytes; the flags all arrived.
  assert.equal(value("UPS.PowerSummary.PresentStatus.Discharging", "16 0e 00", "input"), 1)
  assert.equal(value("UPS.PowerSummary.PresentStatus.ACPresent", "16 0e 00", "input"), 1)
  assert.equal(value("UPS.PowerSummary.PresentStatus.Charging", "16 0e 00", "input"), 0)
})

test("decodeField() reproduces the BX1600MI report fragments on the BK650M2 stand-in", () => {
  const d = descriptor("apc-back-ups-bk650m2-ch")
  const last = new Map<number, Uint8Array>()
  let checked = 0
  for (const r of parseReportRecords(fixture("hid/apc-back-ups-bx1600mi.report-fragments.txt"))) {
    if (r.kind !== "path") {
      last.set(r.reportId, r.bytes)
      if (r.kind === "int") assert.equal(checkReport(d, "input", r.bytes).status, "short")
      continue
    }
    const field = fieldAt(d, r.type, r.reportId, r.bitOffset)
    assert.equal(field?.path, r.path)
    const bytes = last.get(r.reportId)
    if (bytes === undefined || field === undefined) continue // value quoted without its bytes
    const v = decodeField(bytes, field)
    assert.ok(v.available)
    assert.equal(v.physical, r.value)
    checked++
  }
  assert.ok(checked >= 4)
  const status = parseHexBytes("16 0c 00")
  const flag = (name: string): number | undefined => {
    const f = findField(d, `UPS.PowerSummary.PresentStatus.${name}`, { type: "input" })
    const v = f && decodeField(status, f)
    return v?.available ? v.logical : undefined
  }
  assert.deepEqual(["ACPresent", "BatteryPresent", "Charging", "Discharging"].map(flag), [1, 1, 0, 0])
})

test("decodeField() decodes CyberPower interrupt samples with the CST135UC2 field table", () => {
  const d = descriptor("cyberpower-cst135uc2")
  const samples = new Map(
    fixture("hid/cyberpower-interrupt-samples.txt")
      .split("\n")
      .filter((l) => !l.startsWith("#") && l.includes(":"))
      .map((l) => [l.split(":")[0]?.trim() ?? "", parseHexBytes(l.split(":")[1] ?? "")] as const),
  )
  const read = (label: string, path: string): number | undefined => {
    const f = findField(d, path, { type: "input" })
    const bytes = samples.get(label)
    assert.ok(f && bytes, `${label} ${path}`)
    const v = decodeField(bytes, f)
    return v.available ? v.physical : undefined
  }
  assert.equal(read("A.outage.full.1", "UPS.PowerSummary.RemainingCapacity"), 100)
  assert.equal(read("A.outage.full.1", "UPS.PowerSummary.RunTimeToEmpty"), 1620)
  assert.equal(read("A.outage.full.1", "UPS.PowerSummary.RemainingTimeLimit"), 300)
  assert.equal(read("A.charging", "UPS.PowerSummary.RemainingCapacity"), 43)
  const flags = ["ACPresent", "Charging", "Discharging", "BelowRemainingCapacityLimit", "FullyCharged"]
  const status = (label: string): (number | undefined)[] => flags.map((f) => read(label, `UPS.PowerSummary.PresentStatus.${f}`))
  assert.deepEqual(status("A.outage.full.2"), [1, 0, 0, 0, 1]) // 0b 11: on line, full
  assert.deepEqual(status("A.outage.full.4"), [0, 0, 1, 0, 0]) // 0b 04: on battery
  assert.equal(read("A.mute.button", "UPS.PowerSummary.AudibleAlarmControl"), 1)
})

test("parsePath() and formatPath() round-trip every Phoenixtec (MGE-style) path NUT printed", () => {
  const records = parseReportRecords(fixture("hid/phoenixtec-powerwalker-vi2200sh.reports.txt"))
  assert.ok(records.length > 40)
  for (const r of records) {
    if (r.kind !== "path") continue
    const nodes = parsePath(r.path, STANDARD_USAGE_NAMES)
    assert.ok(nodes, r.path)
    assert.equal(formatPath(nodes, STANDARD_USAGE_NAMES), r.path)
  }
  // With the Eaton/MGE table the vendor node gets its name, the numeric path is the same.
  const nodes = parsePath("UPS.PowerConverter.ffff0041", STANDARD_USAGE_NAMES) ?? []
  assert.equal(formatPath(nodes, MGE_USAGE_NAMES), "UPS.PowerConverter.ConverterType")
  assert.deepEqual(parsePath("UPS.PowerConverter.Input.[1].Voltage", MGE_USAGE_NAMES), [0x00840004, 0x00840016, 0x0084001a, 0x00ff0001, 0x00840030])
})

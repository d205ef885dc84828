// Garbage in, warnings out: random descriptors and reports never throw.
import assert from "node:assert/strict"
import { test } from "node:test"
import { fixture } from "../../test/support/fixture.ts"
import { decodeField, fitsField, MAX_NUMERIC_BITS, patchReport } from "./codec.ts"
import { HidError } from "./errors.ts"
import { parseHexBytes } from "./fixture-format.ts"
import { formatFields } from "./format.ts"
import { parseReportDescriptor } from "./parser.ts"
import { checkReport, padReport } from "./reports.ts"

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function randomBytes(next: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(next() * 256))
}

test("parseReportDescriptor() turns random bytes into warnings, never an exception", () => {
  const next = random(3)
  for (let i = 0; i < 1500; i++) {
    const bytes = randomBytes(next, Math.floor(next() * 400))
    const d = parseReportDescriptor(bytes)
    assert.ok(d.warnings.length > 0, `run ${i}: no warning for ${Array.from(bytes).join(",")}`)
    formatFields(d)
    for (const f of d.fields.slice(0, 50)) {
      const report = randomBytes(next, Math.floor(next() * 16))
      if (report.length > 0) report[0] = f.reportId
      decodeField(report, f)
      checkReport(d, f.type, report)
      if (f.bitSize <= MAX_NUMERIC_BITS) {
        const value = Math.floor(next() * 2 ** 32) - 2 ** 31
        // a value the field's bits cannot hold is refused with a typed error, never wrapped
        if (fitsField(f, value, "either")) patchReport(report.length > 0 ? report : undefined, f, value)
        else assert.throws(() => patchReport(report.length > 0 ? report : undefined, f, value), (e: unknown) => e instanceof HidError && e.code === "HID_INVALID_VALUE")
      }
    }
    for (const r of d.reports) padReport(new Uint8Array([r.reportId]), r.byteLength)
  }
})

test("parseReportDescriptor() survives every single-byte corruption of a real descriptor", () => {
  const original = parseHexBytes(fixture("hid/apc-back-ups-bk650m2-ch.rdesc.hex"))
  const next = random(7)
  for (let i = 0; i < original.length; i++) {
    const bytes = original.slice()
    bytes[i] = Math.floor(next() * 256)
    const d = parseReportDescriptor(bytes)
    for (const f of d.fields) decodeField(parseHexBytes("16 0e 00"), f)
  }
  // And every truncation (short descriptors): parses what is there, warns about the rest.
  for (let n = 0; n < original.length; n += 7) {
    const d = parseReportDescriptor(original.subarray(0, n))
    assert.ok(d.warnings.some((w) => w.code !== "logmax-below-logmin"), `truncated at ${n}`)
  }
})

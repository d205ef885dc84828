// Every real descriptor in test/fixtures/hid parses completely, and our field table agrees with
// the independent decodes in *.fields.txt line by line.
import assert from "node:assert/strict"
import { readdirSync } from "node:fs"
import { test } from "node:test"
import { fixture, fixturePath } from "../../test/support/fixture.ts"
import { parseHexBytes } from "./fixture-format.ts"
import { formatFields } from "./format.ts"
import { parseReportDescriptor } from "./parser.ts"

const BASES = readdirSync(fixturePath("hid"))
  .filter((name) => name.endsWith(".rdesc.hex"))
  .map((name) => name.slice(0, -".rdesc.hex".length))

/**
 * Intentional differences from the *.fields.txt decodes (a plain spec walker): the fixture line,
 * what we print instead, and why.
 */
const INTENTIONAL: Readonly<Record<string, readonly { fixture: string; ours: string; reason: string }[]>> = {
  "apc-back-ups-bk650m2-ch": ["0x0c Feature", "0x0c Input  ", "0x22 Feature", "0x40 Feature"].map((head) => ({
    fixture: `${head} log=0..-1`,
    ours: `${head} log=0..255`,
    reason: "one-byte LogMax `25 ff` below LogMin: re-read as unsigned 255 like NUT (nut#1208)",
  })),
}

/** `0x0c Feature off=0 … | log=0..-1 | …` → `0x0c Feature log=0..-1`, to match INTENTIONAL entries. */
function headAndRange(line: string): string {
  return `${line.slice(0, 12)} ${/log=\S+/.exec(line)?.[0] ?? ""}`
}

for (const base of BASES) {
  test(`parseReportDescriptor() parses ${base}.rdesc.hex completely`, () => {
    const bytes = parseHexBytes(fixture(`hid/${base}.rdesc.hex`))
    const d = parseReportDescriptor(bytes)
    assert.ok(d.fields.length > 0)
    // The only warnings allowed are NUT's own LogMax repairs.
    assert.deepEqual(
      d.warnings.filter((w) => w.code !== "logmax-below-logmin"),
      [],
    )
  })

  test(`formatFields() agrees with ${base}.fields.txt`, () => {
    const d = parseReportDescriptor(parseHexBytes(fixture(`hid/${base}.rdesc.hex`)))
    const ours = formatFields(d).trimEnd().split("\n").filter((l) => !l.startsWith("# declared"))
    const theirs = fixture(`hid/${base}.fields.txt`)
      .split("\n")
      .map((l) => l.trimEnd())
      .filter((l) => l !== "" && (!l.startsWith("#") || l.startsWith("#   0x")))
    assert.equal(ours.length, theirs.length)
    const allowed = INTENTIONAL[base] ?? []
    const used = new Set<string>()
    theirs.forEach((expected, i) => {
      const actual = ours[i]
      if (actual === expected) return
      const diff = allowed.find((a) => a.fixture === headAndRange(expected) && a.ours === headAndRange(actual ?? ""))
      assert.ok(diff, `line ${i + 1} differs:\n fixture: ${expected}\n ours:    ${actual}`)
      // Apart from the listed difference, the line is identical.
      assert.equal(actual?.replace(diff.ours.slice(13), ""), expected.replace(diff.fixture.slice(13), ""))
      used.add(headAndRange(expected))
    })
    assert.equal(used.size, allowed.length, "every listed intentional difference still occurs")
  })
}

test("parseReportDescriptor() finds the 71 HID objects NUT 2.8.0 found in the BK650M2-CH", () => {
  const log = fixture("hid/apc-back-ups-bk650m2-ch.nut-debug.log")
  const nutCount = Number(/\[D1\] (\d+) HID objects found/.exec(log)?.[1])
  const d = parseReportDescriptor(parseHexBytes(fixture("hid/apc-back-ups-bk650m2-ch.rdesc.hex")))
  assert.equal(d.fields.filter((f) => f.nutObject).length, nutCount)
  assert.equal(nutCount, 71)
})

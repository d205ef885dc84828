// The field table as text, in the layout of test/fixtures/hid/*.fields.txt, so our parse can be
// compared with those decodes line by line and pasted into bug reports.
import type { HidField, ParsedDescriptor, ReportType } from "./types.ts"

const TYPE_LABELS: Readonly<Record<ReportType, string>> = { input: "Input", output: "Output", feature: "Feature" }

/**
 * One line per run of consecutive fields of the same main item with the same path
 * (`0x16 Input   off=9    size=1  x23  | UPS.PowerSummary.PresentStatus.PAD …`), padding
 * printed as `PAD`, then `# declared report lengths` with one line per (id, type).
 */
export function formatFields(desc: ParsedDescriptor): string {
  const lines: string[] = []
  let run: HidField[] = []
  const flush = (): void => {
    const first = run[0]
    if (first !== undefined) lines.push(formatRun(first, run.length))
    run = []
  }
  for (const field of desc.fields) {
    const first = run[0]
    if (first !== undefined && (first.itemOffset !== field.itemOffset || first.path !== field.path || first.type !== field.type)) flush()
    run.push(field)
  }
  flush()
  lines.push("# declared report lengths in bytes incl. report-id byte:")
  for (const r of desc.reports) lines.push(`#   0x${hex2(r.reportId)} ${TYPE_LABELS[r.type].padEnd(7)} ${r.byteLength}`)
  return `${lines.join("\n")}\n`
}

function formatRun(f: HidField, count: number): string {
  const path = f.usage === 0 ? [...f.path.split(".").slice(0, -1), "PAD"].join(".") : f.path
  return [
    `0x${hex2(f.reportId)} ${TYPE_LABELS[f.type].padEnd(7)} off=${String(f.bitOffset).padEnd(4)} size=${String(f.bitSize).padEnd(2)} x${String(count).padEnd(3)}`,
    path.padEnd(55),
    `flags=0x${f.flags.toString(16).padStart(3, "0")}`,
    `log=${f.logicalMin}..${f.logicalMax}`,
    `unit=0x${(f.unit >>> 0).toString(16).padStart(8, "0")} exp=${f.unitExponent}`,
    `phy=${f.physicalMin ?? 0}..${f.physicalMax ?? 0}`,
  ].join(" | ")
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0")
}

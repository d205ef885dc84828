// Support for the subdrivers' descriptor repairs (NUT's *_fix_report_desc): APC widens Input
// Voltage id 0x31 to 0..2×HighVoltageTransfer (nut#1189), CyberPower widens output voltage id
// 0x12 to 0..511 (nut#439). The decision is the subdriver's; this only rewrites ranges, purely.
import type { HidField, ParsedDescriptor, ReportType } from "./types.ts"

/** Which fields a repair applies to: every field of a report id, optionally one type / usage. */
export interface FieldSelector {
  readonly reportId: number
  readonly type?: ReportType
  readonly usage?: number
}

/** True when `field` is selected. */
export function selectsField(select: FieldSelector, field: HidField): boolean {
  return (
    field.reportId === select.reportId &&
    (select.type === undefined || field.type === select.type) &&
    (select.usage === undefined || field.usage === select.usage)
  )
}

/** A new descriptor whose selected fields have the given logical range (no longer "assumed"). */
export function withLogicalRange(
  desc: ParsedDescriptor,
  select: FieldSelector,
  range: { readonly logicalMin: number; readonly logicalMax: number },
): ParsedDescriptor {
  return {
    ...desc,
    fields: desc.fields.map((f) =>
      selectsField(select, f) ? { ...f, logicalMin: range.logicalMin, logicalMax: range.logicalMax, logicalMaxAssumed: false } : f,
    ),
  }
}

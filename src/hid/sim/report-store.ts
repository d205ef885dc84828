// The simulated device's memory: one buffer per report id, answered as is to GET_REPORT(Feature)
// and sent as the interrupt report of that id. One buffer per id (not per id and type) because the
// firmware has one state per id: APC's Input and Feature items of an id describe the same bytes
// (BK650M2 id 0x16: Input and Feature PresentStatus at the same offsets), and NUT also keeps one.
// Recorded answers keep their recorded length, so the short answers of real firmware (id 0x20: 3 of
// 47 bytes) come back short; ids without a recording answer zeros of their declared length.
import { decodeField, patchReport } from "../codec.ts"
import type { ReportBytesRecord } from "../fixture-format.ts"
import { toLogical } from "../scaling.ts"
import type { HidField, ParsedDescriptor } from "../types.ts"

/** Report buffers of a simulated device, with change tracking for interrupt reports. */
export class ReportStore {
  readonly #desc: ParsedDescriptor
  readonly #buffers = new Map<number, Uint8Array>()
  readonly #inputIds = new Set<number>()
  readonly #changed: number[] = []
  readonly #recorded = new Set<number>()

  /** `records`: `get` answers (the first per id wins), else the first `int` report of the id. */
  constructor(desc: ParsedDescriptor, records: readonly ReportBytesRecord[]) {
    this.#desc = desc
    for (const kind of ["get", "int"] as const) {
      for (const r of records) if (r.kind === kind && !this.#buffers.has(r.reportId)) this.#buffers.set(r.reportId, r.bytes.slice())
    }
    for (const id of this.#buffers.keys()) this.#recorded.add(id)
    // Ids with no recording answer zeros of their longest declared report (Input and Feature of
    // an id may differ in length).
    const declared = new Map<number, number>()
    for (const report of desc.reports) {
      if (report.type === "input") this.#inputIds.add(report.reportId)
      declared.set(report.reportId, Math.max(declared.get(report.reportId) ?? 0, report.byteLength))
    }
    for (const [id, length] of declared) {
      if (this.#buffers.has(id)) continue
      const zeros = new Uint8Array(length)
      zeros[0] = id
      this.#buffers.set(id, zeros)
    }
  }

  /** The current bytes of report `id` (a copy), undefined for an id the descriptor does not have. */
  bytes(reportId: number): Uint8Array | undefined {
    return this.#buffers.get(reportId)?.slice()
  }

  /** True when the recording had bytes for `id` (else the simulator made them up). */
  isRecorded(reportId: number): boolean {
    return this.#recorded.has(reportId)
  }

  /** True when the descriptor declares Input items for `id` (the device sends them as interrupts). */
  isInput(reportId: number): boolean {
    return this.#inputIds.has(reportId)
  }

  /** Every field (any type) with a usage, for look-ups by the model. */
  get fields(): readonly HidField[] {
    return this.#desc.fields
  }

  /** The physical value of `field` in the current buffer, undefined if its bits are not in the answer. */
  read(field: HidField): number | undefined {
    const buffer = this.#buffers.get(field.reportId)
    if (buffer === undefined) return undefined
    const v = decodeField(buffer, field)
    return v.available ? v.physical : undefined
  }

  /**
   * Stores a physical value in `field` (through the unit exponent and logical range, as the
   * firmware would encode it). Returns true when the bytes changed; the id is then queued as changed.
   */
  write(field: HidField, physical: number): boolean {
    return this.writeRaw(field, toLogical(field, physical))
  }

  /** Stores a logical value in `field`; true when the bytes changed. */
  writeRaw(field: HidField, logical: number): boolean {
    const before = this.#buffers.get(field.reportId)
    const after = patchReport(before, field, logical)
    if (before !== undefined && sameBytes(before, after)) return false
    this.#buffers.set(field.reportId, after)
    this.#markChanged(field.reportId)
    return true
  }

  /** Ids changed since the last call, in the order they first changed. */
  takeChanged(): number[] {
    return this.#changed.splice(0)
  }

  #markChanged(id: number): void {
    if (!this.#changed.includes(id)) this.#changed.push(id)
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

// The mapping engine: report bytes in, NUT variable texts and status facts out. Pure (no I/O,
// no clock): the runtime feeds it GET_REPORT answers and interrupt reports, then renders.
//
// Values are kept as decoded numbers and rendered on demand, so a conversion that needs a USB
// string (iDeviceChemistry → "PbAc") can render once the runtime has fetched that string.
import { decodeField, type FieldValue, type HidDeviceInfo, type HidField } from "../../hid/index.ts"
import type { Binding, BoundStatus, BoundVar } from "./binding.ts"
import type { ConversionContext, StatusFact } from "./types.ts"

/** A field value the engine refused, for the runtime to log (once per field and reason). */
export interface ValueProblem {
  readonly field: HidField
  readonly reason: "short-report" | "out-of-range" | "too-wide"
  readonly detail: string
}

/** Decoded values of one device, and what they mean in NUT terms. */
export class HidMapper {
  readonly binding: Binding
  readonly #device: HidDeviceInfo
  readonly #values = new Map<BoundVar, { readonly physical: number; readonly logical: number }>()
  readonly #texts = new Map<string, string>()
  readonly #facts = new Map<StatusFact, boolean>()
  readonly #strings = new Map<number, string>()
  readonly #wantedStrings = new Set<number>()

  constructor(binding: Binding, device: HidDeviceInfo) {
    this.binding = binding
    this.#device = device
  }

  /** Status facts as last reported (a fact never reported is absent, not false). */
  get facts(): ReadonlyMap<StatusFact, boolean> {
    return this.#facts
  }

  /**
   * Applies a GET_REPORT(Feature) answer (byte 0 = id) to every row bound to that report.
   * Fields whose bits did not arrive keep their last value.
   */
  applyFeature(report: Uint8Array): ValueProblem[] {
    const id = report[0]
    const problems: ValueProblem[] = []
    for (const bound of this.binding.vars) {
      if (bound.field.type === "feature" && bound.field.reportId === id) this.#applyVar(bound, decodeField(report, bound.field), problems)
    }
    for (const bound of this.binding.status) {
      if (bound.field.type === "feature" && bound.field.reportId === id) this.#applyStatus(bound, decodeField(report, bound.field), problems)
    }
    return problems
  }

  /** Applies an interrupt-IN report: each Input field feeds the rows bound to the same path. */
  applyInterrupt(report: Uint8Array): ValueProblem[] {
    const problems: ValueProblem[] = []
    for (const target of this.binding.interrupts.get(report[0] ?? -1) ?? []) {
      const value = decodeField(report, target.field)
      for (const bound of target.vars) this.#applyVar(bound, value, problems, target.field)
      for (const bound of target.status) this.#applyStatus(bound, value, problems, target.field)
    }
    return problems
  }

  /** True when the report id feeds anything on the interrupt path. */
  usesInterrupt(reportId: number): boolean {
    return this.binding.interrupts.has(reportId)
  }

  /** Adds fetched USB strings (index → text). */
  addStrings(strings: ReadonlyMap<number, string>): void {
    for (const [i, s] of strings) {
      this.#strings.set(i, s)
      this.#wantedStrings.delete(i)
    }
  }

  /** String indexes a conversion asked for and did not get yet. */
  wantedStrings(): number[] {
    return [...this.#wantedStrings]
  }

  /**
   * The published text of every bound variable that has a value, in table order. A value whose
   * conversion finds no text (an enum value NUT's table lacks) keeps the last text, like NUT.
   */
  render(): ReadonlyMap<string, string> {
    const ctx: ConversionContext = {
      device: this.#device,
      string: (index) => {
        const s = this.#strings.get(index)
        if (s === undefined && index > 0) this.#wantedStrings.add(index)
        return s
      },
      value: (name) => this.#texts.get(name),
    }
    for (const bound of this.binding.vars) {
      const value = this.#values.get(bound)
      if (value === undefined) continue
      const { convert } = bound.row
      const text = convert.read(convert.input === "physical" ? value.physical : value.logical, ctx)
      if (text !== undefined) this.#texts.set(bound.row.nut, text)
    }
    return this.#texts
  }

  #applyVar(bound: BoundVar, value: FieldValue, problems: ValueProblem[], source: HidField = bound.field): void {
    const ok = this.#usable(value, source, problems)
    if (ok !== undefined) this.#values.set(bound, ok)
  }

  #applyStatus(bound: BoundStatus, value: FieldValue, problems: ValueProblem[], source: HidField = bound.field): void {
    const ok = this.#usable(value, source, problems)
    if (ok === undefined) return
    const set = bound.row.values.get(ok.logical)
    if (set !== undefined) this.#facts.set(bound.row.fact, set)
  }

  /** A decoded value, or undefined (with a problem) when it must not be used. */
  #usable(value: FieldValue, field: HidField, problems: ValueProblem[]): { physical: number; logical: number } | undefined {
    if (!value.available) {
      if (value.reason !== "wrong-report") problems.push({ field, reason: value.reason, detail: value.reason === "too-wide" ? `${field.bitSize} bits` : "bits missing" })
      return undefined
    }
    // Deliberate difference: NUT masks and clamps an out-of-range value into the logical range
    // (GetValue), turning garbage into a plausible reading — or a status flag. We drop it.
    // A leaked LogMin −1 makes a 16-bit 0..65535 field formally signed (BK650M2 id 0x17), so the
    // bits count as in range when either reading of them is.
    const unsigned = value.raw < 0 ? value.raw + 2 ** field.bitSize : value.raw
    const inRange = (n: number): boolean => n >= field.logicalMin && n <= field.logicalMax
    if (!inRange(value.raw) && !inRange(unsigned)) {
      problems.push({ field, reason: "out-of-range", detail: `${value.raw} outside ${field.logicalMin}..${field.logicalMax}` })
      return undefined
    }
    return { physical: value.physical, logical: value.logical }
  }
}

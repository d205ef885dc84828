// Parser state of HID 1.11 §6.2.2.7/8: the global item table (persists across main items and
// collections; Push/Pop save and restore a copy) and the local items (usages, usage ranges),
// which apply to the next main item only.

/** The global item table. */
export interface GlobalState {
  usagePage: number
  logicalMin: number
  logicalMax: number
  logicalMaxAssumed: boolean
  physicalMin: number | undefined
  physicalMax: number | undefined
  unitExponent: number
  unit: number
  reportSize: number
  reportId: number
  reportCount: number
}

/** The state before any global item: everything 0, no physical extents seen. */
export function initialGlobals(): GlobalState {
  return {
    usagePage: 0,
    logicalMin: 0,
    logicalMax: 0,
    logicalMaxAssumed: false,
    physicalMin: undefined,
    physicalMax: undefined,
    unitExponent: 0,
    unit: 0,
    reportSize: 0,
    reportId: 0,
    reportCount: 0,
  }
}

type UsageEntry = { readonly kind: "usage"; readonly usage: number } | { readonly kind: "range"; readonly min: number; readonly max: number }

/** One usage handed to a field: `fromRange` usages are invisible to NUT (it ignores Usage Min/Max). */
export interface NextUsage {
  readonly usage: number
  readonly fromRange: boolean
}

/** Cap on how many usages one range may expand to (a garbage range 0..0xffffffff must not hang). */
export const MAX_RANGE_USAGES = 4096

/** Local items collected since the last main item. */
export class LocalState {
  #entries: UsageEntry[] = []
  #pendingMin: number | undefined
  #delimiterOpen = false
  #delimiterTaken = false

  /** Adds a Usage (already combined with the usage page). Inside a delimiter set only the first counts. */
  addUsage(usage: number): void {
    if (this.#skipAlternate()) return
    this.#entries.push({ kind: "usage", usage })
  }

  addUsageMinimum(usage: number): void {
    this.#pendingMin = usage
  }

  /** Closes a range; returns false when no Usage Minimum came first (the maximum is then used alone). */
  addUsageMaximum(usage: number): boolean {
    const min = this.#pendingMin
    this.#pendingMin = undefined
    if (this.#skipAlternate()) return true
    if (min === undefined) {
      this.#entries.push({ kind: "usage", usage })
      return false
    }
    this.#entries.push({ kind: "range", min: Math.min(min, usage), max: Math.max(min, usage) })
    return min <= usage
  }

  /** Delimiter item: 1 opens a set of alternative usages, 0 closes it. */
  delimiter(open: boolean): void {
    this.#delimiterOpen = open
    this.#delimiterTaken = false
  }

  /** A Usage Minimum left without its Maximum (reported by the parser, then used as a single usage). */
  takeDanglingMinimum(): number | undefined {
    const min = this.#pendingMin
    this.#pendingMin = undefined
    if (min !== undefined) this.#entries.push({ kind: "usage", usage: min })
    return min
  }

  /** The usage naming a collection: the first one declared, 0 if none. */
  firstUsage(): number {
    const first = this.#entries[0]
    if (first === undefined) return 0
    return first.kind === "usage" ? first.usage : first.min
  }

  /** Iterator handing out the usages one per field, in declaration order, ranges expanded. */
  cursor(): () => NextUsage | undefined {
    let entry = 0
    let step = 0
    return () => {
      for (;;) {
        const current = this.#entries[entry]
        if (current === undefined) return undefined
        if (current.kind === "usage") {
          entry++
          return { usage: current.usage, fromRange: false }
        }
        const usage = current.min + step
        if (usage <= current.max && step < MAX_RANGE_USAGES) {
          step++
          return { usage, fromRange: true }
        }
        entry++
        step = 0
      }
    }
  }

  /** All usages (ranges expanded, capped), for Array items whose fields select among them. */
  allUsages(): number[] {
    const next = this.cursor()
    const out: number[] = []
    for (let u = next(); u !== undefined && out.length < MAX_RANGE_USAGES; u = next()) out.push(u.usage)
    return out
  }

  /** Local items never carry over to the next main item (HID 1.11 §6.2.2.8). */
  reset(): void {
    this.#entries = []
    this.#pendingMin = undefined
    this.#delimiterOpen = false
    this.#delimiterTaken = false
  }

  #skipAlternate(): boolean {
    if (!this.#delimiterOpen) return false
    if (this.#delimiterTaken) return true
    this.#delimiterTaken = true
    return false
  }
}

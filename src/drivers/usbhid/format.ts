// printf("%.Nf") as NUT's drivers format numbers. JavaScript's toFixed() rounds an exact tie
// away from zero (2.5 → "3") where glibc's printf rounds it to even (2.5 → "2"); every other
// value already prints the same, since both round the exact binary value.

/** `value` with `digits` decimals, exactly like C's `printf("%.<digits>f", value)`. */
export function formatFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf"
  const text = value.toFixed(digits)
  const scaled = Math.abs(value) * 10 ** digits
  const floor = Math.floor(scaled)
  // An exact tie (x.5 in the last place) whose toFixed() went up to an odd digit: go down instead.
  if (scaled - floor === 0.5 && floor % 2 === 0) {
    const down = (floor / 10 ** digits).toFixed(digits)
    return value < 0 ? `-${down}` : down
  }
  return text
}

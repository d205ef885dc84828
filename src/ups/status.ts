/**
 * `ups.status` tokens (docs/nut-names.txt, research/nut-reference.md §4.1). Clients must accept
 * unknown tokens, so parsing keeps them.
 */
export const STATUS_WORDS = {
  OL: "online",
  OB: "on battery",
  LB: "low battery",
  HB: "high battery",
  RB: "replace battery",
  CHRG: "charging",
  DISCHRG: "discharging",
  BYPASS: "on bypass",
  CAL: "calibrating",
  OFF: "output off",
  OVER: "overloaded",
  TRIM: "trimming voltage",
  BOOST: "boosting voltage",
  FSD: "forced shutdown",
  ALARM: "alarm",
  WAIT: "waiting for driver",
  ECO: "eco mode",
} as const satisfies Record<string, string>

export type StatusWord = keyof typeof STATUS_WORDS

/** Split a status string into its tokens. */
export function parseStatus(status: string): string[] {
  return status.split(/\s+/).filter((t) => t !== "")
}

/** Whether `status` holds `word` (NUT's words, compared case-insensitively as upsmon does). */
export function hasStatusWord(status: string, word: StatusWord): boolean {
  return status.split(" ").some((w) => w.toUpperCase() === word)
}

/** Human words for a status string: `OB LB` → `on battery, low battery`. */
export function describeStatus(status: string): string {
  const words = parseStatus(status).map((t) => (t in STATUS_WORDS ? STATUS_WORDS[t as StatusWord] : t))
  return words.length > 0 ? words.join(", ") : "unknown"
}

/** The status as clients see it: upsd prepends `FSD ` when its FSD latch is set. */
export function withFsd(status: string, fsd: boolean): string {
  return fsd ? `FSD ${status}` : status
}

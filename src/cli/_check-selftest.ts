/**
 * Self-test age for `nutctl check`. NUT publishes the last result (`ups.test.result`) but, for
 * most UPSes, not when the test ran; so check remembers, in a small JSON file, since when it has
 * seen the current result. A result that has not changed for longer than `--selftest-max-age`
 * means no test ran in that time; with `--start-selftest` check then starts a quick one (on mains
 * only, at most once per max-age).
 */

/** What check remembers per UPS. */
export interface SelftestMemory {
  readonly result: string
  /** When this result was first seen (ms since the epoch). */
  readonly since: number
  /** When check last started a test. */
  readonly startedAt?: number
}

export type SelftestMemories = Readonly<Record<string, SelftestMemory>>

/** The memory after seeing `result` at `now`. */
export function rememberSelftest(prev: SelftestMemory | undefined, result: string | undefined, now: number): SelftestMemory | undefined {
  if (result === undefined) return prev
  if (prev === undefined || prev.result !== result) return { result, since: now, ...(prev?.startedAt !== undefined ? { startedAt: prev.startedAt } : {}) }
  return prev
}

/** Is a quick test due: the result is older than the limit, none was started within it, and the UPS is on mains. */
export function selftestDue(memory: SelftestMemory | undefined, status: string | undefined, now: number, maxAgeMs: number): boolean {
  if (memory === undefined || maxAgeMs <= 0) return false
  const words = (status ?? "").split(/\s+/)
  if (!words.includes("OL") || words.includes("OB") || words.includes("TEST") || /in progress/i.test(memory.result)) return false
  if (now - memory.since <= maxAgeMs) return false
  return memory.startedAt === undefined || now - memory.startedAt > maxAgeMs
}

/** Parse the state file; anything unreadable counts as no memory (the file is only a cache). */
export function parseMemories(text: string | undefined): Record<string, SelftestMemory> {
  if (text === undefined) return {}
  try {
    const data = JSON.parse(text) as unknown
    const out: Record<string, SelftestMemory> = {}
    if (typeof data !== "object" || data === null) return {}
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      const m = v as Partial<SelftestMemory>
      if (typeof m?.result === "string" && Number.isFinite(m.since)) {
        out[k] = { result: m.result, since: m.since as number, ...(Number.isFinite(m.startedAt) ? { startedAt: m.startedAt as number } : {}) }
      }
    }
    return out
  } catch {
    return {}
  }
}

/** `30d`, `12h`, `90m`, `3600s` or plain seconds → ms. */
export function parseAge(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(d|h|m|s)?\s*$/.exec(text)
  if (!m) return undefined
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[(m[2] ?? "s") as "d" | "h" | "m" | "s"]
  return Number(m[1]) * unit
}

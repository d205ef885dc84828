/**
 * Poll until a condition holds, for interop tests that watch real processes (marker files, a
 * server's replies): no fixed sleeps, a deadline, and a failure message that says what was awaited
 * and what was last seen.
 */
export async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  options: { timeoutMs?: number; intervalMs?: number; seen?: () => string } = {},
): Promise<T> {
  const until = Date.now() + (options.timeoutMs ?? 15_000)
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > until) {
      throw new Error(`Timed out waiting for ${what}${options.seen ? `; last seen:\n${options.seen()}` : ""}`)
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100))
  }
}

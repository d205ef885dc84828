/**
 * `system.shutdown` with the signature of the NAS's version, and what counts as "it is going
 * down": a job id, `null` (25.10+ without legacy jobs), or the connection dropping after the
 * request was sent — the middleware often goes away before it answers.
 */
import { MiddlewareCallError, TrueNasError } from "./errors.ts"
import { takesShutdownReason, type TrueNasSession, type TrueNasVersion } from "./session.ts"

/** The params for a version: `[reason, {delay}]` on 25.04+, `[{delay}]` or `[]` on 24.x. */
export function shutdownParams(version: TrueNasVersion | undefined, reason: string, delay: number | undefined): unknown[] {
  if (takesShutdownReason(version)) return [reason, { delay: delay ?? null }]
  return delay === undefined ? [] : [{ delay }]
}

/** How the request was acknowledged. */
export interface ShutdownAck {
  /** The job id, when the NAS answered with one. */
  readonly jobId?: number
  readonly note: string
}

/**
 * Ask the NAS to power off. An invalid-params answer (the version was misread) retries once with
 * the other signature.
 * @throws MiddlewareCallError (refused: not a full admin, …), TrueNasError TRUENAS_TIMEOUT
 */
export async function requestShutdown(session: TrueNasSession, options: { readonly reason: string; readonly delay: number | undefined; readonly timeoutMs: number }): Promise<ShutdownAck> {
  const first = shutdownParams(session.version, options.reason, options.delay)
  const other = shutdownParams(takesShutdownReason(session.version) ? { major: 24, minor: 10, text: "" } : { major: 25, minor: 4, text: "" }, options.reason, options.delay)
  for (const params of [first, other]) {
    try {
      const result = await session.client.call("system.shutdown", params, { timeoutMs: options.timeoutMs })
      const call = `system.shutdown(${params.map((p) => JSON.stringify(p)).join(", ")}) on ${session.endpoint}`
      return typeof result === "number" ? { jobId: result, note: `${call}: job ${result}` } : { note: `${call}: accepted` }
    } catch (e) {
      if (e instanceof TrueNasError && e.code === "TRUENAS_DROPPED") return { note: `system.shutdown sent on ${session.endpoint}; the connection dropped (expected: the NAS is going down)` }
      if (e instanceof MiddlewareCallError && e.invalidParams && params === first) continue
      throw e
    }
  }
  throw new TrueNasError("TRUENAS_CALL_FAILED", "TrueNAS refused both system.shutdown signatures")
}

/**
 * The truenas executor's probe for `nutctl check`: log in with the API key over the transports the
 * executor uses (JSON-RPC /api/current, then the legacy /websocket; never plain ws:// to a host
 * that is not loopback), read the version, and on 25.04+ ask `auth.me` whether the key's user
 * holds FULL_ADMIN, the role `system.shutdown` needs. Nothing is changed on the NAS.
 *
 * Severity: a refused key, a certificate that does not match or a NAS that does not answer is
 * CRITICAL — unless nutctl runs on the NAS itself and `midclt call system.version` answers (the
 * step's fallback, which needs no key), then WARNING. A key whose user lacks FULL_ADMIN is
 * CRITICAL: the middleware would refuse the shutdown, and that is no reason to fall back.
 */
import type { ProbeContext, ProbeResult } from "../../src/shutdown/index.ts"
import { onNasOf, type TrueNasConfig } from "./config.ts"
import { TrueNasError } from "./errors.ts"
import { midcltVersion } from "./midclt.ts"
import { openSession, sessionTarget, takesShutdownReason, type TrueNasSession } from "./session.ts"
import type { TrueNasDeps } from "./steps.ts"

/** Probe the executor's config against the NAS. */
export async function probeTrueNas(ctx: ProbeContext<TrueNasConfig>, signal: AbortSignal, deps: TrueNasDeps): Promise<ProbeResult> {
  const c = ctx.config
  const host = new URL(c.url).host
  let s: TrueNasSession
  try {
    s = await openSession(sessionTarget(c), { connect: deps.connect, clock: ctx.clock, log: ctx.log, signal })
  } catch (e) {
    return apiProblem(e, ctx, signal, deps)
  }
  try {
    const head = `TrueNAS ${s.version?.text ?? "(version unknown)"} at ${host} via ${s.endpoint}: API key accepted`
    // 24.x has no roles on system.shutdown; an unknown version is not judged either
    if (s.version === undefined || !takesShutdownReason(s.version)) return { state: "ok", text: head }
    let me: unknown
    try {
      me = await s.client.call("auth.me", [], { timeoutMs: c.timeout, signal })
    } catch (e) {
      if (signal.aborted) return apiProblem(e, ctx, signal, deps)
      return { state: "ok", text: `${head} (its roles could not be read: ${(e as Error).message})` }
    }
    const { user, roles } = rolesOf(me)
    if (roles === undefined) return { state: "ok", text: head }
    if (!roles.includes("FULL_ADMIN")) {
      return { state: "critical", text: `${head}, but its user ${user} lacks the FULL_ADMIN role system.shutdown needs (has ${roles.join(", ") || "none"}): the shutdown would be refused` }
    }
    return { state: "ok", text: `${head}, user ${user} has FULL_ADMIN` }
  } finally {
    s.close()
  }
}

/** `auth.me`'s user name and roles (`privilege.roles` is a set, which the middleware sends as `{ $set: [...] }`). */
function rolesOf(me: unknown): { user: string; roles: string[] | undefined } {
  const m = (typeof me === "object" && me !== null ? me : {}) as { pw_name?: unknown; privilege?: { roles?: unknown } }
  const raw = m.privilege?.roles
  const list = Array.isArray(raw) ? raw : typeof raw === "object" && raw !== null && Array.isArray((raw as { $set?: unknown }).$set) ? (raw as { $set: unknown[] }).$set : undefined
  return { user: typeof m.pw_name === "string" ? m.pw_name : "(unknown)", roles: list?.map(String) }
}

/** What a failed login means, and whether midclt on the NAS would cover it. */
async function apiProblem(e: unknown, ctx: ProbeContext<TrueNasConfig>, signal: AbortSignal, deps: TrueNasDeps): Promise<ProbeResult> {
  const c = ctx.config
  const host = new URL(c.url).host
  if (e instanceof TrueNasError && e.code === "TRUENAS_INSECURE") return { state: "critical", text: e.message }
  let what: string
  if (signal.aborted) what = `no answer from TrueNAS at ${host} in time`
  else if (e instanceof TrueNasError && e.code === "TRUENAS_AUTH_FAILED") what = `the API key was refused by TrueNAS at ${host} (wrong, expired or revoked)`
  else if (/is not the pinned/.test((e as Error).message)) what = `TLS pin mismatch: ${(e as Error).message}`
  else if (/certificate|self-signed|CERT_/i.test((e as Error).message)) what = `TLS: ${(e as Error).message}`
  else what = (e as Error).message
  const onNas = onNasOf(c)
  if (!onNas) return { state: "critical", text: what }
  if (signal.aborted) return { state: "critical", text: `${what}; midclt not tried` }
  const version = await midcltVersion({ run: deps.runCommand, midclt: c.midclt, signal, timeoutMs: c.timeout })
  if (version === undefined) return { state: "critical", text: `${what}; ${c.midclt} call system.version failed too, so the fallback would not work` }
  return { state: "warning", text: `${what}; ${c.midclt} reaches TrueNAS ${version.text} on the NAS itself: the fallback would power it off` }
}

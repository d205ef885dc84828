/**
 * The proxmox executor's probe for `nutctl check`: GET requests only (the session is a dry run,
 * whose request layer refuses any write). It authenticates with the configured token (GET
 * /version), reads the token's effective privileges (GET /access/permissions, one request for the
 * whole tree) and the cluster (status, guests, HA resources and status), and checks the privileges the plan
 * needs where it needs them: VM.PowerMgmt on every guest in scope, Sys.PowerMgmt on the nodes it
 * powers off, Sys.Audit on `/` for its reads, and Sys.Console (disarm-ha, HA states) or Sys.Modify
 * (`ha: freeze`) on `/` when there are HA resources (executors-reference §1.2), and Sys.Modify on `/`
 * when the cluster runs Ceph and the plan sets its flags (`ceph`, PUT /cluster/ceph/flags).
 *
 * Severity: a token refused, a certificate that does not match, or an API that does not answer is
 * CRITICAL — unless the local fallback can take over (`localFallback` on, `qm` and `pct` on this
 * host), then WARNING: the shutdown would still happen, but only this node's guests by `qm`/`pct`,
 * HA left alone, no other node taken down. Missing privileges are CRITICAL: a 403 is no reason to
 * fall back, so those steps would fail.
 */
import type { ProbeContext, ProbeResult } from "../../src/shutdown/index.ts"
import { isQuorate, type EffectivePermissions, type PveApi } from "./api.ts"
import type { ProxmoxConfig } from "./config.ts"
import { ProxmoxError, isApiUnusable } from "./errors.ts"
import { effectiveHaMode } from "./ha.ts"
import { readCeph } from "./ceph.ts"
import { openSession, type ProxmoxDeps, type Session } from "./session.ts"

/** Paths GET /access/permissions always computes; one that is absent holds no privilege. */
const DEFAULT_PATHS = new Set(["/", "/access", "/access/groups", "/nodes", "/pool", "/sdn", "/storage", "/vms"])

/**
 * The privileges a token holds at `path`, from GET /access/permissions (which lists the default
 * top-level paths, every ACL path and the guests of pools, each with its inherited privileges):
 * all of them at a listed path, the propagating ones (value 1) of the nearest listed path above.
 */
export function privilegesAt(perms: EffectivePermissions, path: string): Set<string> {
  let p = path
  for (;;) {
    const at = perms[p]
    if (at !== undefined) return new Set(Object.entries(at).filter(([, propagates]) => p === path || propagates === 1).map(([priv]) => priv))
    if (DEFAULT_PATHS.has(p) || p === "") return new Set()
    p = p.slice(0, p.lastIndexOf("/")) || "/"
  }
}

/** Probe the executor's config against the API. */
export async function probeProxmox(ctx: ProbeContext<ProxmoxConfig>, signal: AbortSignal, deps: ProxmoxDeps): Promise<ProbeResult> {
  let s: Session
  try {
    s = await openSession({ ...ctx, dryRun: true }, deps, signal)
  } catch (e) {
    return { state: "critical", text: `cannot set up the connection to ${ctx.config.url}: ${(e as Error).message}` }
  }
  let version: string
  try {
    version = (await s.api.version()).version
  } catch (e) {
    return apiProblem(e, ctx, s, signal)
  }
  try {
    return await checkPrivileges(s, version)
  } catch (e) {
    if (isApiUnusable(e) || signal.aborted) return apiProblem(e, ctx, s, signal)
    return { state: "critical", text: `Proxmox VE ${version} at ${s.config.url}: token accepted, but ${(e as Error).message}` }
  }
}

/** What a failed request means, and whether the local fallback would cover it. */
async function apiProblem(e: unknown, ctx: ProbeContext<ProxmoxConfig>, s: Session, signal: AbortSignal): Promise<ProbeResult> {
  const url = s.config.url
  let what: string
  if (signal.aborted) what = `no answer from the API at ${url} in time`
  else if (!(e instanceof ProxmoxError)) what = `cannot reach the API at ${url}: ${(e as Error).message}`
  else if (e.code === "PVE_AUTH_FAILED") what = `the API token was refused by ${url} (401: wrong secret, unknown token id, expired or deleted token)`
  else if (e.code === "PVE_TLS_PIN_MISMATCH") what = `TLS pin mismatch: ${e.message}`
  else if (e.code === "PVE_TLS") what = `TLS: ${e.message}`
  else if (e.code === "PVE_UNREACHABLE") what = `the API at ${url} is unreachable (${e.message.replace(/^Cannot reach Proxmox VE at \S+: /, "")})`
  else what = `the API at ${url} answered: ${e.message}`
  if (!signal.aborted && !isApiUnusable(e)) return { state: "critical", text: what }
  if (!s.config.localFallback) return { state: "critical", text: `${what}; no local fallback (localFallback: false)` }
  const [qm, pct] = await Promise.all([ctx.findProgram("qm"), ctx.findProgram("pct")])
  if (qm?.executable !== true || pct?.executable !== true) return { state: "critical", text: `${what}; no local fallback on this host (qm/pct not found: not a PVE node)` }
  return { state: "warning", text: `${what}; the local fallback would take over: only ${s.node}'s guests by qm/pct, HA left as it is, no other node powered off` }
}

/** Read the privileges and the cluster, and name what the plan would be refused. */
async function checkPrivileges(s: Session, version: string): Promise<ProbeResult> {
  const api: PveApi = s.api
  const c = s.config
  const perms = await api.permissions()
  const missing = new Map<string, string[]>()
  const need = (path: string, priv: string): void => {
    if (!privilegesAt(perms, path).has(priv)) missing.set(priv, [...(missing.get(priv) ?? []), path])
  }
  need("/", "Sys.Audit")
  const audit = privilegesAt(perms, "/").has("Sys.Audit")
  // without Sys.Audit on / the cluster status and HA cannot be read: judge this node alone
  let quorate = true
  let nodes = [s.node]
  if (audit) {
    const status = await api.clusterStatus()
    quorate = isQuorate(status)
    const members = status.filter((x) => x.type === "node")
    nodes = c.scope === "cluster" && quorate ? members.filter((n) => n.online === 1).map((n) => n.name) : members.some((n) => n.name === s.node) ? [s.node] : []
  }
  const all = c.scope === "cluster" && quorate
  // /cluster/resources lists only the guests the token may see (VM.Audit): the others are not known here
  const guests = (await api.resources()).filter((g) => (g.type === "qemu" || g.type === "lxc") && g.template !== 1 && (all || g.node === s.node))
  for (const g of guests) need(`/vms/${g.vmid}`, "VM.PowerMgmt")
  for (const n of nodes) need(`/nodes/${n}`, "Sys.PowerMgmt")
  let ha = "off"
  if (audit && c.ha !== "off" && quorate) {
    const resources = await api.haResources()
    // only the HA status tells whether disarm-ha exists (the `fencing` entry, as discover reads it)
    const disarmSupported = (c.ha === "disarm" || c.ha === "auto") && resources.length > 0 ? (await api.haStatus()).some((x) => x.type === "fencing") : false
    try {
      ha = effectiveHaMode(c.ha, { disarmSupported, haResources: resources.length })
    } catch (e) {
      return { state: "critical", text: `Proxmox VE ${version} at ${c.url}: token accepted, but ${(e as Error).message}` }
    }
    if (ha === "freeze") need("/", "Sys.Modify")
    else if (ha !== "off") need("/", "Sys.Console")
  }
  // a cluster without Ceph answers 500 "binary not installed": then there is nothing to set. A Ceph
  // whose monitors do not answer is there all the same; the plan warns and tries again, so does this
  let ceph = false
  let cephTrouble: string | undefined
  if (audit && c.ceph !== "off") {
    try {
      ceph = (await readCeph(api)).present
    } catch (e) {
      if (!(e instanceof ProxmoxError) || isApiUnusable(e)) throw e
      ceph = true
      cephTrouble = (e as Error).message
    }
  }
  if (ceph) need("/", "Sys.Modify")
  const head = `Proxmox VE ${version} at ${c.url}: token accepted`
  if (missing.size > 0) {
    const list = [...missing].map(([priv, paths]) => `${priv} on ${paths.slice(0, 3).join(", ")}${paths.length > 3 ? ` (+${paths.length - 3} more)` : ""}`)
    return { state: "critical", text: `${head}, but it lacks ${list.join("; ")}: the shutdown would be refused there (403)` }
  }
  const covers = [`${guests.length} guest${guests.length === 1 ? "" : "s"}`, `${nodes.length} node${nodes.length === 1 ? "" : "s"}`, ...(ha === "off" ? [] : [`HA (${ha})`]), ...(ceph ? ["Ceph flags"] : [])]
  if (!quorate) return { state: "warning", text: `${head}; node ${s.node} is not quorate: a shutdown now would only take down its own guests (privileges cover ${covers.join(", ")})` }
  if (cephTrouble !== undefined) return { state: "warning", text: `${head}, privileges cover ${covers.join(", ")}; Ceph does not answer (${cephTrouble}): the shutdown would try to set its flags anyway` }
  return { state: "ok", text: `${head}, privileges cover ${covers.join(", ")}` }
}

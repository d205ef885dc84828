/**
 * What each modelled API method answers, keyed by `METHOD /schema/path`. Anything the schema has
 * but this table lacks is refused loudly (the simulator must not pretend).
 */
import { createHash } from "node:crypto"
import type { SimCluster, SimGuest, SimHaResource } from "./cluster.ts"
import { requestNodeShutdown, requestShutdown, requestStop } from "./guest-power.ts"
import { permissionsOf } from "./privileges.ts"
import { SimHttpError } from "./types.ts"

/** What a handler gets. */
export interface RouteContext {
  readonly cluster: SimCluster
  /** The node whose API was called. */
  readonly via: string
  readonly params: Readonly<Record<string, string | readonly string[]>>
  /** The caller (`root@pam!nutctl`). */
  readonly user: string
}

type Handler = (ctx: RouteContext) => unknown

const str = (ctx: RouteContext, name: string): string | undefined => {
  const v = ctx.params[name]
  return typeof v === "string" ? v : undefined
}
const bool = (ctx: RouteContext, name: string): boolean => str(ctx, name) === "1"
const digest = (value: unknown): string => createHash("sha1").update(JSON.stringify(value)).digest("hex")

function guestAt(ctx: RouteContext, type: "qemu" | "lxc"): SimGuest {
  const node = str(ctx, "node") as string
  const vmid = Number(str(ctx, "vmid"))
  const g = ctx.cluster.guests.get(vmid)
  if (g === undefined || g.type !== type || g.node !== node) {
    throw new SimHttpError(500, `Configuration file 'nodes/${node}/${type === "qemu" ? "qemu-server" : "lxc"}/${vmid}.conf' does not exist`)
  }
  return g
}

function needQuorum(ctx: RouteContext): void {
  if (!ctx.cluster.quorate(ctx.via)) throw new SimHttpError(500, "cluster not ready - no quorum?")
}

function haEntry(c: SimCluster, r: SimHaResource): Record<string, unknown> {
  const { crm: _crm, ...stored } = r
  return { ...stored, digest: digest([...c.ha.values()].map((x) => ({ ...x, crm: undefined }))) }
}

function findResource(ctx: RouteContext): SimHaResource {
  const raw = str(ctx, "sid") as string
  const c = ctx.cluster
  const sid = /^\d+$/.test(raw) ? ([...c.ha.keys()].find((k) => k.endsWith(`:${raw}`)) ?? `vm:${raw}`) : raw
  const r = c.ha.get(sid)
  if (r === undefined) throw new SimHttpError(500, `no such resource '${sid}'`)
  return r
}

function guestStatus(c: SimCluster, g: SimGuest): Record<string, unknown> {
  const r = c.ha.get(c.sidOf(g))
  const managed = r !== undefined && r.state !== "ignored"
  return {
    vmid: g.vmid,
    name: g.name,
    status: g.status === "paused" ? "running" : g.status,
    ...(g.type === "qemu" ? { qmpstatus: g.status === "paused" ? "paused" : g.status, agent: g.agent ? 1 : 0 } : { type: "lxc" }),
    uptime: g.status === "stopped" ? 0 : Math.floor((c.time - g.startedAt) / 1000),
    ...(g.status === "stopped" ? {} : { pid: 10_000 + g.vmid }),
    ...(g.lock === undefined ? {} : { lock: g.lock }),
    ...(g.template ? { template: 1 } : {}),
    ha: managed ? { managed: 1, state: r.state ?? "started" } : { managed: 0 },
    maxmem: 4_294_967_296,
    cpus: 2,
  }
}

function statusCurrent(type: "qemu" | "lxc"): Handler {
  return (ctx) => guestStatus(ctx.cluster, guestAt(ctx, type))
}

function config(type: "qemu" | "lxc"): Handler {
  return (ctx) => {
    const g = guestAt(ctx, type)
    const conf: Record<string, unknown> = type === "qemu" ? { name: g.name, memory: "4096", cores: 2 } : { hostname: g.name, memory: 1024, cores: 1 }
    if (g.startup !== undefined) conf["startup"] = g.startup
    if (g.onboot) conf["onboot"] = 1
    if (g.agent) conf["agent"] = "1"
    if (g.lock !== undefined) conf["lock"] = g.lock
    if (g.template) conf["template"] = 1
    return { ...conf, digest: digest(conf) }
  }
}

function power(type: "qemu" | "lxc", action: "shutdown" | "stop"): Handler {
  return (ctx) => {
    const g = guestAt(ctx, type)
    const timeout = str(ctx, "timeout")
    const o = {
      user: ctx.user,
      ...(timeout === undefined ? {} : { timeoutS: Number(timeout) }),
      forceStop: bool(ctx, "forceStop"),
      skiplock: bool(ctx, "skiplock"),
      overruleShutdown: bool(ctx, "overrule-shutdown"),
    }
    return action === "shutdown" ? requestShutdown(ctx.cluster, g, o) : requestStop(ctx.cluster, g, o)
  }
}

function listGuests(type: "qemu" | "lxc"): Handler {
  return (ctx) => {
    const node = str(ctx, "node")
    return [...ctx.cluster.guests.values()].filter((g) => g.node === node && g.type === type).map((g) => guestStatus(ctx.cluster, g))
  }
}

function clusterResources(ctx: RouteContext): unknown[] {
  const c = ctx.cluster
  const type = str(ctx, "type")
  const out: unknown[] = []
  if (type === undefined || type === "node") {
    for (const n of c.nodes.values()) out.push({ id: `node/${n.name}`, type: "node", node: n.name, status: n.online ? "online" : "offline", level: "" })
  }
  if (type === undefined || type === "vm") {
    for (const g of c.guests.values()) {
      const r = c.ha.get(c.sidOf(g))
      out.push({
        id: `${g.type}/${g.vmid}`,
        type: g.type,
        node: g.node,
        vmid: g.vmid,
        name: g.name,
        status: g.status === "paused" ? "running" : g.status,
        template: g.template ? 1 : 0,
        ...(g.lock === undefined ? {} : { lock: g.lock }),
        ...(r === undefined || r.state === "ignored" ? {} : { hastate: r.crm }),
        uptime: g.status === "stopped" ? 0 : Math.floor((c.time - g.startedAt) / 1000),
        maxmem: 4_294_967_296,
      })
    }
  }
  return out
}

function haStatus(ctx: RouteContext): unknown[] {
  const c = ctx.cluster
  const now = Math.floor(c.time / 1000)
  const quorate = c.quorate(ctx.via)
  const out: unknown[] = [{ id: "quorum", type: "quorum", node: ctx.via, status: quorate ? "OK" : `No quorum on node '${ctx.via}'!`, quorate: quorate ? 1 : 0 }]
  const master = [...c.nodes.values()].find((n) => n.online)
  if (master) out.push({ id: "master", type: "master", node: master.name, status: `${master.name} (active, ${new Date(c.time).toUTCString()})`, timestamp: now })
  if (c.version === "9.1") {
    out.push({ id: "fencing", type: "fencing", node: master?.name ?? ctx.via, status: c.disarm.state, "armed-state": c.disarm.state, ...(c.disarm.mode ? { resource_mode: c.disarm.mode } : {}) })
  }
  for (const n of c.nodes.values()) {
    const mode = c.disarm.state === "disarmed" ? "idle, watchdog released" : "active, watchdog active"
    out.push({ id: `lrm:${n.name}`, type: "lrm", node: n.name, status: n.online ? `${n.name} (${mode}, ${new Date(c.time).toUTCString()})` : `${n.name} (old timestamp - dead?, ${new Date(c.time).toUTCString()})`, timestamp: now })
  }
  for (const r of c.ha.values()) {
    // ignored resources are dropped from the manager status
    if (r.state === "ignored") continue
    const g = c.guests.get(Number(r.sid.split(":")[1]))
    out.push({ id: `service:${r.sid}`, type: "service", sid: r.sid, node: g?.node, crm_state: r.crm, state: r.crm, request_state: r.state ?? "started", status: `${r.sid} (${g?.node}, ${r.crm})` })
  }
  return out
}

/** pve-manager's flag descriptions (GET /cluster/ceph/flags, from the API schema). */
const CEPH_FLAG_DESCRIPTIONS: Readonly<Record<string, string>> = {
  nobackfill: "Backfilling of PGs is suspended.",
  "nodeep-scrub": "Deep Scrubbing is disabled.",
  nodown: "OSD failure reports are being ignored, such that the monitors will not mark OSDs down.",
  noin: "OSDs that were previously marked out will not be marked back in when they start.",
  noout: "OSDs will not automatically be marked out after the configured interval.",
  norebalance: "Rebalancing of PGs is suspended.",
  norecover: "Recovery of PGs is suspended.",
  noscrub: "Scrubbing is disabled.",
  notieragent: "Cache tiering activity is suspended.",
  noup: "OSDs are not allowed to start.",
  pause: "Pauses read and writes.",
}

/** Ceph as PVE::Ceph::Tools checks it: installed, and monitors that answer. */
function cephOf(ctx: RouteContext): { flags: Set<string>; mons: readonly string[] } {
  const ceph = ctx.cluster.ceph
  if (ceph === undefined) throw new SimHttpError(500, "binary not installed: /usr/bin/ceph-mon")
  // RADOS calls hang and time out without a MON quorum
  if (!ctx.cluster.cephQuorate()) throw new SimHttpError(500, "got timeout")
  return ceph
}

/** The modelled methods. */
export const ROUTES: Readonly<Record<string, Handler>> = {
  "GET /version": (ctx) =>
    ctx.cluster.version === "9.1" ? { version: "9.1.4", release: "9.1", repoid: "5a3e7b90" } : { version: "8.4.14", release: "8.4", repoid: "c1b2d3e4" },
  // a token may always read its own permissions (`userid` of another user needs Sys.Audit on /access: not modelled)
  "GET /access/permissions": (ctx) => {
    const userid = str(ctx, "userid")
    if (userid !== undefined && userid !== ctx.user) throw new SimHttpError(500, "simulator: only the caller's own permissions are modelled")
    const token = ctx.cluster.tokens.get(ctx.user)
    return token === undefined ? {} : permissionsOf(token, str(ctx, "path"))
  },
  "GET /cluster/status": (ctx) => {
    const c = ctx.cluster
    return [
      { type: "cluster", id: "cluster", name: c.name, nodes: c.nodes.size, quorate: c.quorate(ctx.via) ? 1 : 0, version: 7 },
      ...[...c.nodes.values()].map((n) => ({ type: "node", id: `node/${n.name}`, name: n.name, nodeid: n.nodeid, ip: `10.0.30.${10 + n.nodeid}`, online: n.online ? 1 : 0, local: n.name === ctx.via ? 1 : 0, level: "" })),
    ]
  },
  "GET /nodes": (ctx) =>
    [...ctx.cluster.nodes.values()].map((n) => ({ node: n.name, id: `node/${n.name}`, type: "node", status: n.online ? "online" : "offline", level: "", ssl_fingerprint: n.sslFingerprint, ...(n.online ? { uptime: 86_400, cpu: 0.05, maxcpu: 16, mem: 8e9, maxmem: 64e9 } : {}) })),
  "GET /nodes/{node}/status": (ctx) => ({ uptime: 86_400, pveversion: `pve-manager/${ctx.cluster.version}`, cpu: 0.05 }),
  "POST /nodes/{node}/status": (ctx) => {
    const command = str(ctx, "command")
    if (command === "shutdown") requestNodeShutdown(ctx.cluster, str(ctx, "node") as string)
    else throw new SimHttpError(500, "simulator: only command=shutdown is modelled")
    return null
  },
  "GET /cluster/resources": clusterResources,
  "GET /nodes/{node}/qemu": listGuests("qemu"),
  "GET /nodes/{node}/lxc": listGuests("lxc"),
  "GET /nodes/{node}/qemu/{vmid}/config": config("qemu"),
  "GET /nodes/{node}/lxc/{vmid}/config": config("lxc"),
  "GET /nodes/{node}/qemu/{vmid}/status/current": statusCurrent("qemu"),
  "GET /nodes/{node}/lxc/{vmid}/status/current": statusCurrent("lxc"),
  "POST /nodes/{node}/qemu/{vmid}/status/shutdown": power("qemu", "shutdown"),
  "POST /nodes/{node}/lxc/{vmid}/status/shutdown": power("lxc", "shutdown"),
  "POST /nodes/{node}/qemu/{vmid}/status/stop": power("qemu", "stop"),
  "POST /nodes/{node}/lxc/{vmid}/status/stop": power("lxc", "stop"),
  "GET /nodes/{node}/tasks/{upid}/status": (ctx) => {
    const upid = str(ctx, "upid") as string
    if (!/^UPID:[^:]+:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[^:]+:[^:]*:[^:]+:$/.test(upid)) throw new SimHttpError(400, "Parameter verification failed.", { upid: "unable to parse worker upid" })
    const t = ctx.cluster.tasks.get(upid)
    if (t === undefined || t.node !== str(ctx, "node")) throw new SimHttpError(400, "Parameter verification failed.", { upid: "no such task" })
    return { upid, node: t.node, pid: t.pid, pstart: t.pstart, starttime: t.starttime, type: t.type, id: t.id, user: t.user, ...(t.tokenid ? { tokenid: t.tokenid } : {}), status: t.status, ...(t.exitstatus === undefined ? {} : { exitstatus: t.exitstatus }) }
  },
  "GET /cluster/ha/resources": (ctx) => [...ctx.cluster.ha.values()].filter((r) => str(ctx, "type") === undefined || r.type === str(ctx, "type")).map((r) => haEntry(ctx.cluster, r)),
  "GET /cluster/ha/resources/{sid}": (ctx) => haEntry(ctx.cluster, findResource(ctx)),
  "PUT /cluster/ha/resources/{sid}": (ctx) => {
    needQuorum(ctx)
    const r = findResource(ctx)
    const c = ctx.cluster
    const d = str(ctx, "digest")
    if (d !== undefined && d !== haEntry(c, r)["digest"]) throw new SimHttpError(500, "detected modified configuration - file changed by other user? Try again.")
    const state = str(ctx, "state") as SimHaResource["state"] | undefined
    if (state !== undefined && r.crm === "error" && state !== "disabled") throw new SimHttpError(500, `service '${r.sid}' in error state, must be disabled and fixed first`)
    for (const key of (str(ctx, "delete") ?? "").split(/[,;\s]+/).filter((k) => k !== "")) delete (r as unknown as Record<string, unknown>)[key]
    if (state !== undefined) r.state = state
    for (const key of ["comment", "group"] as const) if (str(ctx, key) !== undefined) r[key] = str(ctx, key) as string
    for (const key of ["max_restart", "max_relocate"] as const) if (str(ctx, key) !== undefined) r[key] = Number(str(ctx, key))
    const g = c.guests.get(Number(r.sid.split(":")[1]))
    r.crm = r.state === "ignored" ? "ignored" : g?.status === "running" ? "started" : "stopped"
    c.emit({ kind: "ha-state-set", detail: `${r.sid} ${r.state ?? "(default)"}` })
    if (r.state !== "ignored") c.after(10_000, () => c.crmRound())
    return null
  },
  "GET /cluster/ha/status/current": haStatus,
  "POST /cluster/ha/status/disarm-ha": (ctx) => {
    needQuorum(ctx)
    const c = ctx.cluster
    const mode = str(ctx, "resource-mode") as "freeze" | "ignore"
    if (c.disarm.state === "disarmed" || c.disarm.state === "disarming") return null
    c.disarm = { state: "disarming", mode }
    c.emit({ kind: "ha-disarming", detail: mode })
    c.after(c.disarmDelayMs, () => {
      if (c.disarm.state !== "disarming") return
      c.disarm = { state: "disarmed", mode }
      c.emit({ kind: "ha-disarmed", detail: mode })
    })
    return null
  },
  "POST /cluster/ha/status/arm-ha": (ctx) => {
    needQuorum(ctx)
    const c = ctx.cluster
    if (c.disarm.state === "armed") return null
    // re-armed in the CRM round that reads the command (test-disarm-ignored1: same second)
    c.after(0, () => {
      c.disarm = { state: "armed" }
      c.emit({ kind: "ha-armed" })
      c.crmRound()
    })
    return null
  },
  // the parts of `ceph -s` the executor reads (health), as PVE returns the JSON of `ceph status`
  "GET /cluster/ceph/status": (ctx) => {
    const ceph = cephOf(ctx)
    const down = ceph.mons.filter((m) => !ctx.cluster.nodes.get(m)?.online)
    const flagged = [...ceph.flags].some((f) => f !== "noscrub" && f !== "nodeep-scrub")
    const status = down.length > 0 || flagged ? "HEALTH_WARN" : "HEALTH_OK"
    return { fsid: "5e6a1c0d-1b2c-4d3e-8f90-a1b2c3d4e5f6", health: { status, checks: {} }, quorum_names: ceph.mons.filter((m) => !down.includes(m)) }
  },
  // services by type and id with their host (the monitors are named after their node, as pveceph creates them)
  "GET /cluster/ceph/metadata": (ctx) => {
    const ceph = cephOf(ctx)
    const service = (name: string) => ({ name, hostname: name, ceph_release: "squid", ceph_version: "ceph version 19.2.3 squid (stable)", ceph_version_short: "19.2.3", mem_swap_kb: 0, mem_total_kb: 65_536 })
    const mon = Object.fromEntries(ceph.mons.map((m) => [m, { ...service(m), addrs: `[v2:192.0.2.${ctx.cluster.nodes.get(m)?.nodeid ?? 0}:3300/0]` }]))
    const mgr = Object.fromEntries(ceph.mons.slice(0, 1).map((m) => [m, { ...service(m), addr: `192.0.2.${ctx.cluster.nodes.get(m)?.nodeid ?? 0}:0/0` }]))
    return { mon, mgr, mds: {}, osd: {}, node: {} }
  },
  "GET /cluster/ceph/flags": (ctx) => {
    const ceph = cephOf(ctx)
    return Object.entries(CEPH_FLAG_DESCRIPTIONS).map(([name, description]) => ({ name, description, value: ceph.flags.has(name) ? 1 : 0 }))
  },
  // a worker task (cephsetflags) that sets or unsets only the flags whose state differs, a second later
  "PUT /cluster/ceph/flags": (ctx) => {
    const ceph = cephOf(ctx)
    const c = ctx.cluster
    const task = c.newTask(ctx.via, "cephsetflags", "", ctx.user)
    const wanted = Object.keys(CEPH_FLAG_DESCRIPTIONS).filter((f) => str(ctx, f) !== undefined).map((f) => [f, bool(ctx, f)] as const)
    c.after(1000, () => {
      if (!c.cephQuorate()) return c.endTask(task, "got timeout")
      for (const [flag, on] of wanted) {
        if (on === ceph.flags.has(flag)) continue
        if (on) ceph.flags.add(flag)
        else ceph.flags.delete(flag)
        task.log.push(`${on ? "set" : "unset"} ${flag}`)
        c.emit({ kind: "ceph-flag", detail: `${on ? "set" : "unset"} ${flag}` })
      }
      c.endTask(task, "OK")
    })
    return task.upid
  },
  "GET /cluster/options": (ctx) => ({ keyboard: "en-us", ...(ctx.cluster.shutdownPolicy ? { ha: { shutdown_policy: ctx.cluster.shutdownPolicy } } : {}) }),
  "PUT /cluster/options": (ctx) => {
    needQuorum(ctx)
    const c = ctx.cluster
    const del = (str(ctx, "delete") ?? "").split(/[,;\s]+/)
    if (del.includes("ha")) c.shutdownPolicy = undefined
    const ha = str(ctx, "ha")
    if (ha !== undefined) {
      const m = /^(?:shutdown_policy=)?(freeze|failover|conditional|migrate)$/.exec(ha)
      if (m) c.shutdownPolicy = m[1] as typeof c.shutdownPolicy
    }
    c.emit({ kind: "policy-set", detail: c.shutdownPolicy ?? "(default)" })
    return null
  },
}

/**
 * How guests and nodes go down in the simulator, copied from the PVE code paths described in
 * executors-reference §1.5–1.9: qemu-server `_do_vm_stop` (ACPI/agent, timeout, SIGTERM then
 * SIGKILL 10 s later with forceStop, `got timeout` without), pve-container `vm_stop` (`CT … not
 * running` as a synchronous 500), `hastop` for HA-managed guests (the CRM sets the requested state
 * to `stopped`, the LRM stops the guest, VMs forced after 60 s), and a node's own poweroff
 * (pve-guests stopall by startup order, then the LRM per shutdown policy, then off; `conditional`
 * recovers HA guests elsewhere 55 s later as in pve-ha-manager's test-shutdown1).
 */
import type { SimCluster, SimGuest, SimTask } from "./cluster.ts"
import { SimHttpError } from "./types.ts"

/** Options of a guest power request. */
export interface PowerOptions {
  /** The token id (`root@pam!nutctl`), it goes into the UPID. */
  readonly user: string
  readonly timeoutS?: number
  readonly forceStop: boolean
  readonly skiplock: boolean
  readonly overruleShutdown?: boolean
}

const kind = (g: SimGuest): string => (g.type === "qemu" ? "VM" : "CT")

/** POST …/status/shutdown; returns the UPID. @throws SimHttpError for the synchronous failures */
export function requestShutdown(c: SimCluster, g: SimGuest, o: PowerOptions): string {
  if (g.type === "lxc" && g.status !== "running") throw new SimHttpError(500, `CT ${g.vmid} not running`)
  if (g.type === "qemu" && g.status === "paused" && !o.forceStop) throw new SimHttpError(500, "VM is paused - cannot shutdown")
  if (c.haManaged(g)) return haStop(c, g, o.user, o.timeoutS ?? 60)
  const task = c.newTask(g.node, g.type === "qemu" ? "qmshutdown" : "vzshutdown", String(g.vmid), o.user)
  c.emit({ kind: "guest-shutdown-requested", vmid: g.vmid, node: g.node, detail: `timeout=${o.timeoutS ?? "default"} force=${o.forceStop ? 1 : 0}` })
  if (g.lock !== undefined && !o.skiplock) {
    c.endTask(task, `${kind(g)} is locked (${g.lock})`)
    return task.upid
  }
  if (g.status === "stopped") {
    c.endTask(task, "OK")
    return task.upid
  }
  // the single-guest API: qemu defaults to the guest's startup `down`, else 60; lxc always 60
  const timeoutMs = (o.timeoutS ?? (g.type === "qemu" ? (c.startupOf(g).down ?? 60) : 60)) * 1000
  if (g.status === "paused") {
    task.log.push("VM is paused - stop instead of shutdown")
    hardStop(c, g, task, 1000, "forced")
    return task.upid
  }
  if (g.type === "qemu" && !g.agent) task.log.push("QEMU Guest Agent is not running - VM is not responding to ACPI? using ACPI")
  c.whenStopped(g, () => c.endTask(task, "OK"))
  if (!g.ignoresAcpi) {
    // the guest acts on the ACPI/agent request whenever it gets to it, also after a timeout without force
    const due = c.time + g.shutdownMs
    if (g.stopDue === undefined || due < g.stopDue) {
      g.stopDue = due
      c.after(g.shutdownMs, () => {
        if (g.status !== "stopped" && g.stopDue === due) c.stopGuest(g, "shutdown")
      })
    }
  }
  c.after(timeoutMs, () => {
    if (g.status === "stopped" || task.status === "stopped") return
    if (!o.forceStop) {
      c.endTask(task, g.type === "qemu" ? "VM quit/powerdown failed - got timeout" : "container did not stop")
      return
    }
    task.log.push(g.type === "qemu" ? "VM still running - terminating now with SIGTERM" : "container did not stop in time - killing it")
    c.emit({ kind: "guest-sigterm", vmid: g.vmid, node: g.node })
    if (g.ignoresSigterm) {
      c.after(10_000, () => {
        if (g.status === "stopped") return
        task.log.push("VM still running - terminating now with SIGKILL")
        c.emit({ kind: "guest-sigkill", vmid: g.vmid, node: g.node })
        c.endTask(task, "WARNINGS: 2")
        c.stopGuest(g, "forced")
      })
    } else {
      c.after(500, () => {
        c.endTask(task, "WARNINGS: 1")
        c.stopGuest(g, "forced")
      })
    }
  })
  return task.upid
}

/** POST …/status/stop; returns the UPID. */
export function requestStop(c: SimCluster, g: SimGuest, o: PowerOptions): string {
  if (g.type === "lxc" && g.status !== "running") throw new SimHttpError(500, `CT ${g.vmid} not running`)
  if (c.haManaged(g)) return haStop(c, g, o.user, 0)
  const task = c.newTask(g.node, g.type === "qemu" ? "qmstop" : "vzstop", String(g.vmid), o.user)
  c.emit({ kind: "guest-stop-requested", vmid: g.vmid, node: g.node, detail: o.overruleShutdown ? "overrule-shutdown" : "" })
  if (g.lock !== undefined && !o.skiplock) {
    c.endTask(task, `${kind(g)} is locked (${g.lock})`)
    return task.upid
  }
  if (o.overruleShutdown) {
    for (const t of c.tasks.values()) if (t.status === "running" && t.id === String(g.vmid) && /shutdown$/.test(t.type)) c.endTask(t, "interrupted by signal")
  }
  if (g.status === "stopped") c.endTask(task, "OK")
  else hardStop(c, g, task, g.ignoresSigterm ? 5000 : 1000, "stop")
  return task.upid
}

function hardStop(c: SimCluster, g: SimGuest, task: SimTask, ms: number, how: string): void {
  c.after(ms, () => {
    c.stopGuest(g, how)
    c.endTask(task, "OK")
  })
}

// HA-managed: the API only queues `crm-command stop`; the guest goes down later, by the LRM
function haStop(c: SimCluster, g: SimGuest, user: string, timeoutS: number): string {
  const task = c.newTask(g.node, "hastop", String(g.vmid), user)
  const r = c.ha.get(c.sidOf(g))
  c.emit({ kind: "hastop", vmid: g.vmid, node: g.node, detail: `timeout=${timeoutS}` })
  c.after(1000, () => c.endTask(task, "OK"))
  c.after(2000, () => {
    if (r === undefined) return
    // the requested state becomes `stopped` and stays so after power returns
    r.state = "stopped"
    c.emit({ kind: "ha-state-set", detail: `${r.sid} stopped (crm-command stop)` })
    if (g.status !== "running" && g.status !== "paused") return
    r.crm = "request_stop"
    lrmStop(c, g, timeoutS * 1000, "lrm")
  })
  return task.upid
}

/** Duration the LRM / stopall takes to get a guest down with force, as PVE's code would. */
function forcedStopMs(g: SimGuest, timeoutMs: number): number {
  if (!g.ignoresAcpi && g.shutdownMs <= timeoutMs) return g.shutdownMs
  return timeoutMs + (g.ignoresSigterm ? 10_000 : 500)
}

// the LRM stops VMs with forceStop=1, containers without force (modelled as forced too)
function lrmStop(c: SimCluster, g: SimGuest, timeoutMs: number, how: string): void {
  const ms = timeoutMs === 0 ? 1000 : forcedStopMs(g, timeoutMs)
  c.after(ms, () => {
    if (g.status === "stopped") return
    c.stopGuest(g, how)
  })
}

/** POST /nodes/{node}/status command=shutdown: `null` at once, the node goes down in the background. */
export function requestNodeShutdown(c: SimCluster, nodeName: string): void {
  const node = c.node(nodeName)
  if (node === undefined || node.shuttingDown) return
  node.shuttingDown = true
  c.emit({ kind: "node-shutdown-requested", node: nodeName })
  c.after(c.poweroffDelayMs, () => {
    const running = [...c.guests.values()].filter((g) => g.node === nodeName && g.status !== "stopped" && !g.template)
    const plain = running.filter((g) => !c.haManaged(g))
    const managed = running.filter((g) => c.haManaged(g))
    // pve-guests: stopall walks startup groups highest first (no order = first), 180 s default, forced
    let offset = 0
    if (plain.length > 0) c.emit({ kind: "node-stopall", node: nodeName, detail: plain.map((g) => g.vmid).join(",") })
    const groups = new Map<number, SimGuest[]>()
    for (const g of plain) {
      const order = c.startupOf(g).order ?? Number.MAX_SAFE_INTEGER
      groups.set(order, [...(groups.get(order) ?? []), g])
    }
    for (const order of [...groups.keys()].sort((a, b) => b - a)) {
      let longest = 0
      for (const g of groups.get(order) ?? []) {
        const ms = forcedStopMs(g, (c.startupOf(g).down ?? 180) * 1000)
        longest = Math.max(longest, ms)
        c.after(offset + ms, () => c.stopGuest(g, "node-stopall"))
      }
      offset += longest
    }
    // then pve-ha-lrm stops: policy decides what happens to the HA guests
    const policy = c.shutdownPolicy ?? "conditional"
    let haDone = 0
    for (const g of managed) {
      if (policy === "migrate") {
        const target = [...c.nodes.values()].find((n) => n.online && !n.shuttingDown && n.name !== nodeName)
        if (target) {
          c.after(offset + 5000, () => {
            g.node = target.name
            c.emit({ kind: "ha-recovered", vmid: g.vmid, node: target.name, detail: "migrate" })
          })
          haDone = Math.max(haDone, 5000)
          continue
        }
      }
      const ms = forcedStopMs(g, 60_000)
      haDone = Math.max(haDone, ms)
      c.after(offset + ms, () => {
        c.stopGuest(g, "lrm")
        const r = c.ha.get(c.sidOf(g))
        if (r && policy === "freeze") r.crm = "freeze"
      })
    }
    c.after(offset + haDone + c.nodeHaltMs, () => powerOff(c, nodeName, managed, policy))
  })
}

function powerOff(c: SimCluster, nodeName: string, managed: readonly SimGuest[], policy: string): void {
  const node = c.node(nodeName)
  if (node === undefined) return
  node.online = false
  node.shuttingDown = false
  c.emit({ kind: "node-off", node: nodeName })
  c.setApiUp(nodeName, false)
  if (policy === "freeze" || policy === "migrate") return
  // conditional/failover on poweroff: fenced and recovered on a surviving quorate node (the HA shuffle)
  c.after(55_000, () => {
    for (const g of managed) {
      if (!c.haManaged(g) || c.node(g.node)?.online) continue
      const target = [...c.nodes.values()].find((n) => n.online && !n.shuttingDown && c.quorate(n.name))
      if (target === undefined) continue
      g.node = target.name
      c.emit({ kind: "ha-recovered", vmid: g.vmid, node: target.name, detail: "fence+recovery" })
      const r = c.ha.get(c.sidOf(g))
      if (r && (r.state === undefined || r.state === "started")) c.startGuest(g, "ha-recovery")
    }
  })
}

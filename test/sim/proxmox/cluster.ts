/**
 * The simulated cluster's state and its time line. Nothing here runs on real timers: every state
 * change is an event with a virtual due time, processed in order whenever the simulator is asked
 * something (and, through one pump sleep on the injected clock, when its time comes, so a node's
 * API goes away when it powers off even if nobody asks).
 */
import type { Clock } from "../../../src/shutdown/index.ts"
import { parseStartupOrder, type PveVersion } from "./schema.ts"
import type { ClusterSpec, GuestSpec, GuestStatus, GuestType, HaRequestState, RecordedRequest, ShutdownPolicy, SimEvent, TokenSpec } from "./types.ts"

/** A guest as the simulator keeps it. */
export interface SimGuest {
  readonly vmid: number
  readonly type: GuestType
  node: string
  readonly name: string
  status: GuestStatus
  readonly template: boolean
  lock: string | undefined
  readonly startup: string | undefined
  readonly onboot: boolean
  readonly agent: boolean
  readonly shutdownMs: number
  readonly ignoresAcpi: boolean
  readonly ignoresSigterm: boolean
  /** When a pending shutdown/stop makes it stop (the earliest wins). */
  stopDue: number | undefined
  startedAt: number
}

/** An HA resource as in resources.cfg (only stored keys are present). */
export interface SimHaResource {
  readonly sid: string
  readonly type: "vm" | "ct"
  state?: HaRequestState
  group?: string
  comment?: string
  max_restart?: number
  max_relocate?: number
  failback?: number
  /** CRM service state (what `/cluster/ha/status/current` calls crm_state). */
  crm: string
}

export interface SimNode {
  readonly name: string
  readonly nodeid: number
  online: boolean
  /** pveproxy answers (false when off or switched down by a test). */
  apiUp: boolean
  /** A test forced this node's view of quorum. */
  quorumOverride: boolean | undefined
  shuttingDown: boolean
  sslFingerprint: string
}

export interface SimTask {
  readonly upid: string
  readonly node: string
  readonly type: string
  readonly id: string
  readonly user: string
  readonly tokenid: string | undefined
  readonly pid: number
  readonly pstart: number
  readonly starttime: number
  status: "running" | "stopped"
  exitstatus: string | undefined
  readonly log: string[]
}

interface Pending {
  readonly due: number
  readonly seq: number
  readonly run: () => void
}

/** Listener for events (tests use it to pull the plug at a chosen moment). */
export type SimEventListener = (event: SimEvent, cluster: SimCluster) => void

/** State of a simulated PVE cluster. */
export class SimCluster {
  readonly version: PveVersion
  readonly name: string
  readonly clock: Clock
  readonly nodes = new Map<string, SimNode>()
  readonly guests = new Map<number, SimGuest>()
  readonly ha = new Map<string, SimHaResource>()
  readonly tasks = new Map<string, SimTask>()
  readonly tokens: Map<string, TokenSpec>
  readonly events: SimEvent[] = []
  readonly requests: RecordedRequest[] = []
  readonly authDelayMs: number
  readonly disarmDelayMs: number
  readonly poweroffDelayMs: number
  readonly nodeHaltMs: number
  shutdownPolicy: ShutdownPolicy | undefined
  /** Ceph's OSD flags and the nodes that run a monitor; undefined: Ceph is not installed. */
  readonly ceph: { readonly flags: Set<string>; readonly mons: readonly string[] } | undefined
  /** 9.1 disarm state; `armed` when never disarmed. */
  disarm: { state: "armed" | "disarming" | "disarmed"; mode?: "freeze" | "ignore" } = { state: "armed" }
  /** Called when a node's API must stop or start listening. */
  onApi: ((node: string, up: boolean) => void) | undefined
  readonly #listeners: SimEventListener[] = []
  readonly #stopWaiters = new Map<number, (() => void)[]>()
  #queue: Pending[] = []
  #seq = 0
  #processing: number | undefined
  #pump: AbortController | undefined
  #pumpDue = Infinity
  #pid = 0x1a2b

  constructor(spec: ClusterSpec, clock: Clock) {
    this.version = spec.version ?? "9.1"
    this.name = spec.name ?? "pve-cluster"
    this.clock = clock
    this.authDelayMs = spec.authDelayMs ?? 3000
    this.disarmDelayMs = spec.disarmDelayMs ?? 20_000
    this.poweroffDelayMs = spec.poweroffDelayMs ?? 2000
    this.nodeHaltMs = spec.nodeHaltMs ?? 8000
    this.shutdownPolicy = spec.shutdownPolicy
    this.tokens = new Map(Object.entries(spec.tokens ?? {}))
    this.ceph = spec.ceph === undefined ? undefined : { flags: new Set(spec.ceph.flags ?? []), mons: [...(spec.ceph.mons ?? spec.nodes)] }
    spec.nodes.forEach((name, i) => {
      const fp = Array.from({ length: 32 }, (_, j) => ((i * 37 + j * 11) & 0xff).toString(16).padStart(2, "0").toUpperCase()).join(":")
      this.nodes.set(name, { name, nodeid: i + 1, online: true, apiUp: true, quorumOverride: undefined, shuttingDown: false, sslFingerprint: fp })
    })
    for (const g of spec.guests) this.#addGuest(g)
  }

  // ----- time -----

  /** Virtual now: the due time of the event being processed, else the clock. */
  get time(): number {
    return this.#processing ?? this.clock.now()
  }

  /** Schedule `run` after `ms` of virtual time. */
  after(ms: number, run: () => void): void {
    const due = this.time + Math.max(0, ms)
    this.#queue.push({ due, seq: this.#seq++, run })
    this.#schedulePump()
  }

  /** Apply every event that is due by now. */
  sync(): void {
    const now = this.clock.now()
    for (;;) {
      this.#queue.sort((a, b) => a.due - b.due || a.seq - b.seq)
      const next = this.#queue[0]
      if (next === undefined || next.due > now) break
      this.#queue.shift()
      this.#processing = next.due
      try {
        next.run()
      } finally {
        this.#processing = undefined
      }
    }
    this.#schedulePump()
  }

  #schedulePump(): void {
    if (this.#processing !== undefined) return
    const due = this.#queue.reduce((m, p) => Math.min(m, p.due), Infinity)
    if (due === this.#pumpDue) return
    this.#pump?.abort()
    this.#pumpDue = due
    if (due === Infinity) return
    const ctl = (this.#pump = new AbortController())
    this.clock.sleep(due - this.clock.now(), ctl.signal).then(
      () => {
        if (this.#pump === ctl) {
          this.#pumpDue = Infinity
          this.sync()
        }
      },
      () => {},
    )
  }

  // ----- events -----

  /** Record an event at the current virtual time and tell the listeners. */
  emit(event: Omit<SimEvent, "t">): void {
    const e: SimEvent = { t: this.time, ...event }
    this.events.push(e)
    for (const l of this.#listeners) l(e, this)
  }

  /** Listen to events (tests flip switches from here). */
  onEvent(listener: SimEventListener): void {
    this.#listeners.push(listener)
  }

  // ----- nodes and quorum -----

  node(name: string): SimNode | undefined {
    return this.nodes.get(name)
  }

  /** Ceph's monitors answer while a majority of them is up (none: no Ceph, no quorum). */
  cephQuorate(): boolean {
    const mons = this.ceph?.mons ?? []
    const up = mons.filter((m) => this.nodes.get(m)?.online).length
    return up * 2 > mons.length
  }

  /** Quorum as `node` sees it: a majority of votes online, unless a test forced it. */
  quorate(node: string): boolean {
    const n = this.nodes.get(node)
    if (n?.quorumOverride !== undefined) return n.quorumOverride
    const online = [...this.nodes.values()].filter((x) => x.online).length
    return online * 2 > this.nodes.size
  }

  /** Switch a node's API (pveproxy) off or on without touching the node. */
  setApiUp(node: string, up: boolean): void {
    const n = this.nodes.get(node)
    if (n === undefined || n.apiUp === up) return
    n.apiUp = up
    this.emit({ kind: up ? "api-up" : "api-down", node })
    this.onApi?.(node, up)
  }

  /** Power a node back on: online, API up; HA (when armed) starts what should run. */
  powerOn(node: string): void {
    const n = this.nodes.get(node)
    if (n === undefined || n.online) return
    n.online = true
    n.shuttingDown = false
    this.emit({ kind: "node-on", node })
    this.setApiUp(node, true)
    this.after(10_000, () => this.crmRound())
  }

  // ----- guests and HA -----

  /** The HA resource id of a guest (`vm:100` / `ct:101`). */
  sidOf(g: SimGuest): string {
    return `${g.type === "qemu" ? "vm" : "ct"}:${g.vmid}`
  }

  /** Configured and not ignored, and HA not disarmed in `ignore` mode: stops go through the CRM. */
  haManaged(g: SimGuest): boolean {
    const r = this.ha.get(this.sidOf(g))
    if (r === undefined || r.state === "ignored") return false
    return !(this.disarm.state === "disarmed" && this.disarm.mode === "ignore")
  }

  /** Startup order of a guest (undefined = none). */
  startupOf(g: SimGuest): { order?: number; up?: number; down?: number } {
    return (g.startup === undefined ? undefined : parseStartupOrder(g.startup)) ?? {}
  }

  /** Mark a guest stopped now (how: shutdown, forced, stop, node-stopall, lrm). */
  stopGuest(g: SimGuest, how: string): void {
    if (g.status === "stopped") return
    g.status = "stopped"
    g.stopDue = undefined
    const r = this.ha.get(this.sidOf(g))
    if (r && r.crm === "started" && this.haManaged(g)) r.crm = "stopped"
    this.emit({ kind: "guest-stopped", vmid: g.vmid, node: g.node, detail: how })
    const waiters = this.#stopWaiters.get(g.vmid) ?? []
    this.#stopWaiters.delete(g.vmid)
    for (const w of waiters) w()
  }

  /** Run `fn` when the guest stops (tasks that wait for it). */
  whenStopped(g: SimGuest, fn: () => void): void {
    if (g.status === "stopped") return fn()
    const list = this.#stopWaiters.get(g.vmid) ?? []
    list.push(fn)
    this.#stopWaiters.set(g.vmid, list)
  }

  /** Start a guest now. */
  startGuest(g: SimGuest, how: string): void {
    if (g.status === "running") return
    g.status = "running"
    g.startedAt = this.time
    this.emit({ kind: "guest-started", vmid: g.vmid, node: g.node, detail: how })
  }

  /**
   * One CRM round: an armed HA stack starts `started` resources whose guest is down on an online
   * quorate node (what brings HA guests back after power returns).
   */
  crmRound(): void {
    if (this.disarm.state !== "armed") return
    for (const r of this.ha.values()) {
      const g = this.guests.get(Number(r.sid.split(":")[1]))
      if (g === undefined || r.state === "ignored" || !(r.state === undefined || r.state === "started" || r.state === "enabled")) continue
      if (g.status === "stopped" && this.nodes.get(g.node)?.online && this.quorate(g.node)) {
        r.crm = "started"
        this.startGuest(g, "ha")
      }
    }
  }

  // ----- tasks -----

  /** Start a task; `user` is the token id (`root@pam!nutctl`). */
  newTask(node: string, type: string, id: string, user: string): SimTask {
    const pid = this.#pid++
    const starttime = Math.floor(this.time / 1000)
    const pstart = 0x3c4d5 + pid
    const hex = (n: number, w: number): string => n.toString(16).toUpperCase().padStart(w, "0")
    const upid = `UPID:${node}:${hex(pid, 8)}:${hex(pstart, 8)}:${hex(starttime, 8)}:${type}:${id}:${user}:`
    const bang = user.indexOf("!")
    const task: SimTask = {
      upid,
      node,
      type,
      id,
      user: bang < 0 ? user : user.slice(0, bang),
      tokenid: bang < 0 ? undefined : user.slice(bang + 1),
      pid,
      pstart,
      starttime,
      status: "running",
      exitstatus: undefined,
      log: [],
    }
    this.tasks.set(upid, task)
    return task
  }

  /** End a task now with `OK`, `WARNINGS: n` or an error text. */
  endTask(task: SimTask, exitstatus: string): void {
    if (task.status === "stopped") return
    task.status = "stopped"
    task.exitstatus = exitstatus
    task.log.push(exitstatus === "OK" || exitstatus.startsWith("WARNINGS") ? `TASK ${exitstatus}` : `TASK ERROR: ${exitstatus}`)
  }

  // ----- snapshots for tests -----

  /** HA resources as resources.cfg holds them (for before/after comparisons). */
  haConfig(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {}
    for (const r of [...this.ha.values()].sort((a, b) => a.sid.localeCompare(b.sid))) {
      const { crm: _crm, ...stored } = r
      out[r.sid] = { ...stored }
    }
    return out
  }

  /** Events of one kind. */
  eventsOf(kind: SimEvent["kind"]): SimEvent[] {
    return this.events.filter((e) => e.kind === kind)
  }

  #addGuest(spec: GuestSpec): void {
    const g: SimGuest = {
      vmid: spec.vmid,
      type: spec.type,
      node: spec.node,
      name: spec.name ?? `${spec.type === "qemu" ? "vm" : "ct"}${spec.vmid}`,
      status: spec.template ? "stopped" : (spec.status ?? "running"),
      template: spec.template ?? false,
      lock: spec.lock,
      startup: spec.startup,
      onboot: spec.onboot ?? true,
      agent: spec.agent ?? false,
      shutdownMs: (spec.shutdownSeconds ?? 20) * 1000,
      ignoresAcpi: spec.ignoresAcpi ?? false,
      ignoresSigterm: spec.ignoresSigterm ?? false,
      stopDue: undefined,
      startedAt: this.clock.now() - 86_400_000,
    }
    this.guests.set(g.vmid, g)
    if (spec.ha) {
      const r: SimHaResource = { sid: this.sidOf(g), type: g.type === "qemu" ? "vm" : "ct", crm: g.status === "running" ? "started" : "stopped" }
      if (spec.ha.state !== undefined) r.state = spec.ha.state
      if (spec.ha.group !== undefined) r.group = spec.ha.group
      if (spec.ha.comment !== undefined) r.comment = spec.ha.comment
      if (spec.ha.max_restart !== undefined) r.max_restart = spec.ha.max_restart
      if (spec.ha.max_relocate !== undefined) r.max_relocate = spec.ha.max_relocate
      if (r.state === "ignored") r.crm = "ignored"
      this.ha.set(r.sid, r)
    }
  }
}

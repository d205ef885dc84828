/**
 * Cluster quiesce makespan: the proxmox executor's guest steps on the simulated 3 × 20 cluster
 * (test/sim/proxmox, PVE 9.1 behaviour, virtual time) against a sequential stop of the same guests
 * in the same order (one `status/shutdown` after the other, each waited for), and against the
 * critical path: the sum over startup-order groups of the slowest guest's shutdown, i.e. the
 * shortest possible quiesce that keeps the group order. Goal: makespan ≤ 1.1 × critical path.
 *
 *   npm run bench:quiesce [-- --seed N]
 *
 * All durations are simulated seconds (deterministic for a seed); a run takes ~2 s of real time.
 */
import { ProxmoxHarness, SIM_TOKEN, standardCluster, type ProxmoxSim, type SimClock } from "../test/sim/proxmox/index.ts"

const seedAt = process.argv.indexOf("--seed")
const seed = seedAt < 0 ? 1 : Number(process.argv[seedAt + 1])
if (!Number.isInteger(seed)) throw new Error("--seed needs an integer")

/** The executor's default poll interval. */
const POLL_S = 2

interface Measured {
  readonly makespanMs: number
  /** vmid → ms from shutdown request to stopped, in group order */
  readonly durations: Map<number, number>
  readonly groups: number[][]
}

async function executorRun(concurrency: number, learned?: ReadonlyMap<number, number>): Promise<Measured> {
  const h = await ProxmoxHarness.start(standardCluster({ seed }), learned ? { estimate: (vmid) => learned.get(vmid) } : {})
  try {
    const { steps, outcomes } = await h.run(h.ctx(await h.config({ concurrency, pollInterval: POLL_S })))
    const guestSteps = outcomes.filter((o) => o.id.startsWith("guests-"))
    if (outcomes.some((o) => !o.ok)) throw new Error(`plan failed: ${outcomes.filter((o) => !o.ok).map((o) => o.error?.message).join("; ")}`)
    const makespanMs = (guestSteps.at(-1)?.endedAt ?? 0) - (guestSteps[0]?.startedAt ?? 0)
    const durations = shutdownDurations(h.sim)
    const groups = groupsOf(h.sim, steps.map((s) => s.id))
    return { makespanMs, durations, groups }
  } finally {
    await h.stop()
  }
}

function shutdownDurations(sim: ProxmoxSim): Map<number, number> {
  const asked = new Map<number, number>()
  const out = new Map<number, number>()
  for (const e of sim.cluster.events) {
    if (e.vmid === undefined) continue
    if (e.kind === "guest-shutdown-requested" && !asked.has(e.vmid)) asked.set(e.vmid, e.t)
    if (e.kind === "guest-stopped" && asked.has(e.vmid) && !out.has(e.vmid)) out.set(e.vmid, e.t - (asked.get(e.vmid) as number))
  }
  return out
}

function groupsOf(sim: ProxmoxSim, stepIds: readonly string[]): number[][] {
  const c = sim.cluster
  const orderOf = (vmid: number): number | undefined => {
    const g = c.guests.get(vmid)
    return g === undefined ? undefined : c.startupOf(g).order
  }
  const vmids = [...shutdownDurations(sim).keys()]
  return stepIds
    .filter((id) => id.startsWith("guests-"))
    .map((id) => (id === "guests-no-order" ? undefined : Number(id.slice("guests-order-".length))))
    .map((order) => vmids.filter((v) => orderOf(v) === order))
}

// the same guests, same order, one at a time: what a `for vm in …; do qm shutdown` script does
async function sequentialRun(order: readonly number[]): Promise<number> {
  const h = await ProxmoxHarness.start(standardCluster({ seed }))
  try {
    const clock: SimClock = h.clock
    const base = h.sim.url("pve1")
    const call = (method: string, path: string, body?: string): Promise<unknown> =>
      clock.track(async () => {
        const r = await fetch(`${base}/api2/json${path}`, {
          method,
          headers: { Authorization: `PVEAPIToken=${SIM_TOKEN}`, ...(body ? { "Content-Type": "application/x-www-form-urlencoded" } : {}) },
          ...(body ? { body } : {}),
        })
        return ((await r.json()) as { data: unknown }).data
      })
    const work = (async () => {
      await call("POST", "/cluster/ha/status/disarm-ha", "resource-mode=ignore")
      await clock.sleep(15_000)
      const t0 = clock.now()
      for (const vmid of order) {
        const g = h.sim.cluster.guests.get(vmid)
        if (g === undefined) continue
        const down = h.sim.cluster.startupOf(g).down ?? 180
        await call("POST", `/nodes/${g.node}/${g.type}/${vmid}/status/shutdown`, `timeout=${down}&forceStop=1`)
        for (;;) {
          await clock.sleep(POLL_S * 1000)
          const st = (await call("GET", `/nodes/${g.node}/${g.type}/${vmid}/status/current`)) as { status: string }
          if (st.status === "stopped") break
        }
      }
      return clock.now() - t0
    })()
    return await clock.drive(work)
  } finally {
    await h.stop()
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
const lpt = (ds: number[], lanes: number): number => {
  const slots = Array.from({ length: lanes }, () => 0)
  for (const d of [...ds].sort((a, b) => b - a)) {
    const i = slots.indexOf(Math.min(...slots))
    slots[i] = (slots[i] ?? 0) + d
  }
  return Math.max(...slots)
}

const rows: string[][] = []
let running = 0
let sequentialMs = 0
let learned: ReadonlyMap<number, number> | undefined
for (const [concurrency, learn] of [[8, false], [4, false], [4, true], [2, false], [2, true]] as const) {
  const m = await executorRun(concurrency, learn ? learned : undefined)
  learned ??= m.durations
  running = m.durations.size
  const critical = m.groups.reduce((sum, g) => sum + Math.max(0, ...g.map((v) => m.durations.get(v) ?? 0)), 0)
  // longest-first on the real durations, `concurrency` slots per node, group order kept
  const lptMs = m.groups.reduce((sum, g) => {
    const byNode = new Map<string, number[]>()
    for (const v of g) {
      const node = `pve${1 + Math.floor((v - 100) / 20)}`
      byNode.set(node, [...(byNode.get(node) ?? []), m.durations.get(v) ?? 0])
    }
    return sum + Math.max(0, ...[...byNode.values()].map((ds) => lpt(ds, concurrency)))
  }, 0)
  if (sequentialMs === 0) sequentialMs = await sequentialRun(m.groups.flat())
  rows.push([`${concurrency}/node${learn ? ", learned durations" : ""}`, s(m.makespanMs), s(critical), `${(m.makespanMs / critical).toFixed(3)}×`, s(lptMs), `${(m.makespanMs / lptMs).toFixed(3)}×`, s(sequentialMs), `${(sequentialMs / m.makespanMs).toFixed(1)}×`])
}

const header = ["concurrency", "makespan", "critical path", "makespan/critical", "LPT schedule at this concurrency", "makespan/LPT", "sequential stop", "sequential/makespan"]
const table = [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n")
process.stdout.write(`Proxmox cluster quiesce, 3 nodes × 20 guests (${running} running), seed ${seed}, poll ${POLL_S} s, simulated time\n\n${table}\n\ngoal: makespan ≤ 1.1 × critical path (at enough concurrency)\n`)

/**
 * The whole cluster in expected time, from the moment the shutdown is triggered (T+X): the
 * primary sets FSD; each secondary sees it on its next poll, waits FINALDELAY and runs its plan,
 * and logs out when it goes down; the primary's step that waits for the secondaries lasts until
 * the last of them is done, then its own plan powers the NAS off. What `nutctl drill` prints and
 * what the budget of `runtimeBelow: auto` has to cover.
 */
import { DEFAULT_MARGIN, planNeedMs, planTimeline, type PlanTimeline, type SafetyMargin, type TimelineEntry } from "./budget.ts"
import { durationKeyOf, planSteps, type HostPlan } from "./plan.ts"

export interface ClusterHost {
  readonly host: string
  readonly role: "primary" | "secondary"
  readonly plan: Pick<HostPlan, "parts">
}

export interface ClusterTimelineOptions {
  readonly hosts: readonly ClusterHost[]
  /** Learned durations by key (`loadDurations`). */
  readonly learned?: ReadonlyMap<string, number>
  /** From FSD until a secondary's plan starts (its POLLFREQALERT + FINALDELAY). @default 10000 */
  readonly secondaryDelayMs?: number
  /** From the trigger until the primary's plan starts (FINALDELAY). @default 5000 */
  readonly primaryDelayMs?: number
  readonly margin?: SafetyMargin
}

/** One host's place in the cluster timeline (ms from the trigger). */
export interface ClusterHostTimeline {
  readonly host: string
  readonly role: "primary" | "secondary"
  readonly startMs: number
  readonly endMs: number
  readonly timeline: PlanTimeline
}

/** One line of the cluster timeline. */
export interface ClusterEvent {
  /** ms from the trigger */
  readonly atMs: number
  readonly host: string
  readonly kind: "fsd" | "step" | "done"
  readonly description: string
  readonly entry?: TimelineEntry
}

export interface ClusterTimeline {
  readonly hosts: readonly ClusterHostTimeline[]
  readonly events: readonly ClusterEvent[]
  /** From the trigger until the last host is done. */
  readonly totalMs: number
  /** What the battery must still hold at the trigger: total × factor + extra. */
  readonly needMs: number
}

/** Lay the cluster out in time. */
export function clusterTimeline(options: ClusterTimelineOptions): ClusterTimeline {
  const learned = new Map(options.learned ?? [])
  const secondaryDelay = options.secondaryDelayMs ?? 10_000
  const primaryDelay = options.primaryDelayMs ?? 5000
  const hosts: ClusterHostTimeline[] = []
  for (const h of options.hosts.filter((x) => x.role === "secondary")) {
    const timeline = planTimeline(h.plan, learned)
    hosts.push({ host: h.host, role: h.role, startMs: secondaryDelay, endMs: secondaryDelay + timeline.totalMs, timeline })
  }
  const lastSecondary = Math.max(0, ...hosts.map((h) => h.endMs))
  for (const h of options.hosts.filter((x) => x.role === "primary")) {
    // the waiting step lasts from where it starts until the last secondary is done
    const waiting = planSteps(h.plan).filter((s) => s.step.waits === "secondaries")
    const known = new Map(learned)
    for (const w of waiting) known.set(durationKeyOf(w), 0)
    const first = planTimeline(h.plan, known)
    for (const w of waiting) {
      const at = first.entries.find((e) => e.key === w.key)?.startMs ?? 0
      known.set(durationKeyOf(w), Math.max(0, lastSecondary - (primaryDelay + at)))
    }
    const laid = planTimeline(h.plan, known)
    const waitKeys = new Set(waiting.map((w) => w.key))
    const timeline = { ...laid, entries: laid.entries.map((e) => (waitKeys.has(e.key) ? { ...e, source: "secondaries" as const } : e)) }
    hosts.push({ host: h.host, role: h.role, startMs: primaryDelay, endMs: primaryDelay + timeline.totalMs, timeline })
  }
  const events: ClusterEvent[] = []
  for (const h of hosts) {
    if (h.role === "primary") events.push({ atMs: 0, host: h.host, kind: "fsd", description: "sets FSD: the secondaries start their plans" })
    for (const e of h.timeline.entries) events.push({ atMs: h.startMs + e.startMs, host: h.host, kind: "step", description: e.description, entry: e })
    events.push({ atMs: h.endMs, host: h.host, kind: "done", description: h.role === "primary" ? "down (last host)" : "down, logged out" })
  }
  const order = { fsd: 0, step: 1, done: 2 }
  events.sort((a, b) => a.atMs - b.atMs || order[a.kind] - order[b.kind])
  const totalMs = Math.max(0, ...hosts.map((h) => h.endMs))
  return { hosts, events, totalMs, needMs: planNeedMs({ totalMs }, options.margin ?? DEFAULT_MARGIN) }
}

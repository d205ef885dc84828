/**
 * The runtime budget (issue 5 item 7): how long a plan needs, from learned durations (else the
 * steps' own estimates, else their timeouts), laid out phase by phase with each parallel group
 * scheduled on its concurrency; and whether the UPS's `battery.runtime` still covers that need
 * with a safety margin — what `shutdown.when.runtimeBelow: auto` asks.
 */
import type { NutctlStore } from "../store/index.ts"
import { loadDurations } from "./durations.ts"
import { durationKeyOf, planPhases, planSteps, type HostPlan } from "./plan.ts"

/** How much more than the expected duration the battery must still hold. */
export interface SafetyMargin {
  /** Multiplies the expected duration. @default 1.25 */
  readonly factor: number
  /** Added on top (the monitor's own FINALDELAY, the UPS's shutdown delay). @default 30000 */
  readonly extraMs: number
}

export const DEFAULT_MARGIN: SafetyMargin = { factor: 1.25, extraMs: 30_000 }

/** Where an estimate came from (`secondaries`: a primary's wait, sized from the secondaries' plans). */
export type EstimateSource = "learned" | "estimate" | "timeout" | "secondaries"

/** One step on the expected timeline (ms from the start of the plan). */
export interface TimelineEntry {
  readonly key: string
  readonly executor: string
  readonly description: string
  readonly startMs: number
  readonly endMs: number
  readonly source: EstimateSource
  readonly pointOfNoReturn: boolean
  /** The longest it may take: its timeout plus its fallback's. */
  readonly worstMs: number
}

/** The plan laid out in expected time. */
export interface PlanTimeline {
  readonly entries: readonly TimelineEntry[]
  /** Expected end of the last step. */
  readonly totalMs: number
  /** If every step ran into its timeout (and fallback). */
  readonly worstMs: number
  /** When the point of no return is expected to be reached (undefined: the plan has none). */
  readonly pointOfNoReturnMs?: number
}

/**
 * Lay a plan out in time. Within a parallel phase, steps take the earliest free slot in plan
 * order (what the runner does), so the phase lasts as long as its busiest slot.
 * @param learned learned ms per duration key (`loadDurations`); overrides win over estimates
 */
export function planTimeline(plan: Pick<HostPlan, "parts">, learned: ReadonlyMap<string, number> = new Map()): PlanTimeline {
  const entries: TimelineEntry[] = []
  let t = 0
  let worst = 0
  let ponr: number | undefined
  for (const phase of planPhases(plan)) {
    const slots: number[] = Array.from({ length: Math.max(1, phase.concurrency) }, () => t)
    const worstSlots: number[] = Array.from({ length: Math.max(1, phase.concurrency) }, () => worst)
    for (const planned of phase.steps) {
      const { step } = planned
      const known = learned.get(durationKeyOf(planned))
      const [ms, source]: [number, EstimateSource] = known !== undefined ? [known, "learned"] : step.estimateMs !== undefined ? [step.estimateMs, "estimate"] : [step.timeoutMs, "timeout"]
      const slot = slots.indexOf(Math.min(...slots))
      const start = slots[slot] as number
      slots[slot] = start + ms
      const worstMs = step.timeoutMs + (typeof step.fallback === "object" ? step.fallback.timeoutMs : 0)
      const ws = worstSlots.indexOf(Math.min(...worstSlots))
      worstSlots[ws] = (worstSlots[ws] as number) + worstMs
      if (step.pointOfNoReturn === true && ponr === undefined) ponr = start
      entries.push({ key: planned.key, executor: planned.executor, description: step.description, startMs: start, endMs: start + ms, source, pointOfNoReturn: step.pointOfNoReturn === true, worstMs })
    }
    t = Math.max(...slots)
    worst = Math.max(...worstSlots)
  }
  return { entries, totalMs: t, worstMs: worst, ...(ponr === undefined ? {} : { pointOfNoReturnMs: ponr }) }
}

/** The battery time a plan needs: expected duration × factor + extra. */
export function planNeedMs(timeline: Pick<PlanTimeline, "totalMs">, margin: SafetyMargin = DEFAULT_MARGIN): number {
  return Math.ceil(timeline.totalMs * margin.factor + margin.extraMs)
}

/** The answer to "does battery.runtime still cover the plan?". */
export interface RuntimeCheck {
  readonly covers: boolean
  readonly needMs: number
  readonly runtimeMs: number
  /** runtime − need (negative: short by that much). */
  readonly slackMs: number
}

/**
 * Compare `battery.runtime` (seconds, as NUT reports it) with a need. A runtime that is not a
 * finite number (the UPS does not report it) counts as covering: `runtimeBelow: auto` cannot
 * decide without it and LB still works.
 */
export function runtimeCovers(runtimeSeconds: number, needMs: number): RuntimeCheck {
  if (!Number.isFinite(runtimeSeconds)) return { covers: true, needMs, runtimeMs: Number.NaN, slackMs: Number.NaN }
  const runtimeMs = runtimeSeconds * 1000
  return { covers: runtimeMs >= needMs, needMs, runtimeMs, slackMs: runtimeMs - needMs }
}

/** A plan's budget: its timeline, its need, and the check the monitor calls on every poll. */
export interface RuntimeBudget {
  readonly timeline: PlanTimeline
  readonly needMs: number
  /** `battery.runtime` in seconds (a NUT value string is accepted) → covers or not. */
  check(batteryRuntime: number | string): RuntimeCheck
  /** Shorthand for `check(x).covers`. */
  covers(batteryRuntime: number | string): boolean
}

export interface RuntimeBudgetOptions {
  /** Plan it with `dryRun: true`: only the steps' shape matters here. */
  readonly plan: Pick<HostPlan, "parts">
  /** Learned durations come from here; without it the steps' estimates are used. */
  readonly store?: NutctlStore
  /** Extra known durations by key (the primary's wait for secondaries, from their budgets). */
  readonly known?: ReadonlyMap<string, number>
  readonly margin?: SafetyMargin
}

/**
 * The budget of a plan for `shutdown.when.runtimeBelow: auto`.
 * @example
 * const budget = await createRuntimeBudget({ plan: await buildPlan({ ...opts, dryRun: true }), store })
 * if (!budget.covers(upsVars["battery.runtime"])) startShutdown("battery.runtime no longer covers the plan")
 */
export async function createRuntimeBudget(options: RuntimeBudgetOptions): Promise<RuntimeBudget> {
  const keys = planSteps(options.plan).map(durationKeyOf)
  const learned = options.store === undefined ? new Map<string, number>() : await loadDurations(options.store, keys)
  for (const [k, v] of options.known ?? []) learned.set(k, v)
  const timeline = planTimeline(options.plan, learned)
  const needMs = planNeedMs(timeline, options.margin)
  const check = (runtime: number | string): RuntimeCheck => runtimeCovers(typeof runtime === "string" ? Number.parseFloat(runtime) : runtime, needMs)
  return { timeline, needMs, check, covers: (runtime) => check(runtime).covers }
}

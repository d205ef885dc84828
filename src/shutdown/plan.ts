/**
 * A host's shutdown plan: the steps of its executors, in config order, asked once. Steps of one
 * executor that share a `group` form a phase that runs in parallel; everything else runs alone,
 * one phase after the other. Keys (`proxmox/guest-101`) name a step in the journal and progress.
 */
import type { NutctlStore } from "../store/index.ts"
import { planExecutor, planRestore } from "./define-executor.ts"
import type { Clock, Executor, ExecutorContext, ExecutorLog, ExecutorState, PowerControl, Step } from "./types.ts"

/** Where the runner and the plan log: one function, the level first (the monitor's logger maps onto it). */
export type ShutdownLog = (level: "debug" | "info" | "warn" | "error", message: string) => void

/** An executor with its validated config (what the monitor and the drill load from the config). */
export interface ConfiguredExecutor {
  readonly executor: Executor<unknown>
  readonly config: unknown
  /** Its key under `executors:` when that differs from the plugin name. @default executor.name */
  readonly name?: string
}

export interface BuildPlanOptions {
  readonly host: string
  /** In the order of the role's `shutdown:` list. */
  readonly executors: readonly ConfiguredExecutor[]
  readonly clock: Clock
  readonly log: ShutdownLog
  /** Steps only read and say what they would do. */
  readonly dryRun: boolean
  /** Gives executors their persistent state; without it they keep nothing across restarts. */
  readonly store?: NutctlStore
  readonly power?: PowerControl
  /** Aborted when the shutdown is called off while planning. */
  readonly signal?: AbortSignal
}

/** One executor's part of the plan. */
export interface PlanPart {
  /** The executor's name in this plan (its `executors:` key). */
  readonly executor: string
  readonly steps: readonly Step[]
  /** Ask the executor for its restore steps (none when it has no `restore`). */
  restore(): Promise<readonly Step[]>
}

/** What a host will do, in order. */
export interface HostPlan {
  readonly host: string
  readonly dryRun: boolean
  readonly parts: readonly PlanPart[]
  /** Executors that could not plan, and why; the others still run. */
  readonly problems: readonly { readonly executor: string; readonly message: string }[]
}

/** A step with its place in the plan. */
export interface PlannedStep {
  /** `executor/step-id`: unique in the plan; the journal's key. */
  readonly key: string
  readonly executor: string
  readonly step: Step
}

/** Steps that start together; a single step is a phase of one. */
export interface Phase {
  readonly steps: readonly PlannedStep[]
  /** At most this many at once. */
  readonly concurrency: number
}

/**
 * Ask every executor for its steps. A failing executor is recorded in `problems` (a shutdown on
 * battery still runs the others) — `nutctl drill` and `config check` show it.
 */
export async function buildPlan(options: BuildPlanOptions): Promise<HostPlan> {
  const parts: PlanPart[] = []
  const problems: { executor: string; message: string }[] = []
  const signal = options.signal ?? new AbortController().signal
  for (const configured of options.executors) {
    const name = configured.name ?? configured.executor.name
    const ctx: ExecutorContext<unknown> = {
      config: configured.config,
      host: options.host,
      clock: options.clock,
      log: executorLog(options.log, name),
      signal,
      dryRun: options.dryRun,
      ...(options.store === undefined ? {} : { state: executorState(options.store, name) }),
      ...(options.power === undefined ? {} : { power: options.power }),
    }
    try {
      const steps = await planExecutor(configured.executor, ctx)
      parts.push({ executor: name, steps, restore: () => planRestore(configured.executor, ctx) })
    } catch (e) {
      problems.push({ executor: name, message: `Cannot plan executor ${name}: ${(e as Error).message}` })
    }
  }
  return { host: options.host, dryRun: options.dryRun, parts, problems }
}

/** Every step of the plan, in order. */
export function planSteps(plan: Pick<HostPlan, "parts">): PlannedStep[] {
  return plan.parts.flatMap((part) => part.steps.map((step) => ({ key: `${part.executor}/${step.id}`, executor: part.executor, step })))
}

/** The plan as phases: consecutive steps of one executor with the same `group` start together. */
export function planPhases(plan: Pick<HostPlan, "parts">): Phase[] {
  const phases: Phase[] = []
  for (const part of plan.parts) {
    let current: PlannedStep[] = []
    let group: string | undefined
    const flush = (): void => {
      if (current.length === 0) return
      const first = current[0] as PlannedStep
      phases.push({ steps: current, concurrency: first.step.group === undefined ? 1 : (first.step.concurrency ?? current.length) })
      current = []
    }
    for (const step of part.steps) {
      if (step.group === undefined || step.group !== group) flush()
      group = step.group
      current.push({ key: `${part.executor}/${step.id}`, executor: part.executor, step })
    }
    flush()
  }
  return phases
}

/** The first step marked as the point of no return, if any. */
export function pointOfNoReturn(plan: Pick<HostPlan, "parts">): PlannedStep | undefined {
  return planSteps(plan).find((s) => s.step.pointOfNoReturn === true)
}

/** The learned-duration key of a step: `executor:durationKey` (the step id by default). */
export function durationKeyOf(planned: PlannedStep): string {
  return `${planned.executor}:${planned.step.durationKey ?? planned.step.id}`
}

/** An ExecutorLog that tags lines with the executor name. */
export function executorLog(log: ShutdownLog, name: string): ExecutorLog {
  return {
    debug: (m) => log("debug", `[${name}] ${m}`),
    info: (m) => log("info", `[${name}] ${m}`),
    warn: (m) => log("warn", `[${name}] ${m}`),
    error: (m, cause) => log("error", `[${name}] ${m}${cause instanceof Error ? `: ${cause.message}` : ""}`),
  }
}

/** An executor's persistent state in the store (`executors:<name>:<key>`). */
export function executorState(store: NutctlStore, name: string): ExecutorState {
  const key = (k: string): string => `${name}:${k}`
  return {
    get: async <T,>(k: string) => (await store.executors.get(key(k))) as T | undefined,
    set: (k, v) => store.executors.set(key(k), v),
    remove: (k) => store.executors.remove(key(k)),
  }
}

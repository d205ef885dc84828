/**
 * `runPlan`: a host's shutdown plan, phase by phase, under the injected clock. It journals every
 * step (a restarted daemon resumes without repeating finished steps), learns durations, reports
 * progress, and — when `signal` aborts (power returned) before the point of no return — stops
 * the running steps, records where it stood and runs the executors' restore steps. After the point
 * of no return an abort is logged and ignored. A dry run journals in memory only and learns only
 * what its steps estimate, when asked to.
 */
import type { NutctlStore } from "../store/index.ts"
import { loadDurations, recordDuration } from "./durations.ts"
import { PlanAbortedError } from "./errors.ts"
import { openJournal, readJournal, withStep, type JournalRecord } from "./journal.ts"
import { durationKeyOf, planPhases, planSteps, pointOfNoReturn, type HostPlan, type PlannedStep, type ShutdownLog } from "./plan.ts"
import { planTimeline } from "./budget.ts"
import type { ProgressSink } from "./progress.ts"
import { runRestoreSteps } from "./restore.ts"
import { executeStep } from "./step-exec.ts"
import type { Clock } from "./types.ts"

export interface RunPlanOptions {
  readonly clock: Clock
  /** Journal and learned durations; without it nothing persists. */
  readonly store?: NutctlStore
  /** Aborting calls the shutdown off (power returned) unless the point of no return was passed; the reason is logged. */
  readonly signal?: AbortSignal
  readonly log?: ShutdownLog
  readonly progress?: ProgressSink
  /** Why the shutdown runs, for the journal (`battery.runtime 240 s < need 300 s`). */
  readonly reason?: string
  /** Record durations: real ones in a run, the steps' estimates in a dry run. @default !plan.dryRun */
  readonly learn?: boolean
  /** Run the executors' restore steps after an abort. @default true */
  readonly restoreOnAbort?: boolean
  /** A `running` journal younger than this is resumed; an older one is a run that never ended. @default 1 h */
  readonly resumeWithinMs?: number
  /** Progress ticks (terminal line, ETA); 0 = none. @default 1000 */
  readonly tickMs?: number
  /** @default crypto.randomUUID */
  readonly newRunId?: () => string
}

/** One step's outcome in a run. */
export interface StepReport {
  readonly key: string
  /** `skipped`: done before a restart; `not-run`: the plan stopped first. */
  readonly state: "done" | "failed" | "aborted" | "skipped" | "not-run"
  readonly via?: "fallback"
  readonly startedAt?: number
  readonly endedAt?: number
  readonly error?: string
  readonly note?: string
  readonly estimateMs?: number
}

/** How a run ended. */
export interface PlanResult {
  readonly state: "done" | "failed" | "aborted"
  readonly runId: string
  readonly resumed: boolean
  readonly steps: readonly StepReport[]
  /** One line per failure (executors that could not plan included). */
  readonly failures: readonly string[]
  readonly pointOfNoReturn?: { readonly step: string; readonly at: number }
  readonly aborted?: JournalRecord["aborted"]
  readonly restored?: JournalRecord["restored"]
  readonly startedAt: number
  readonly endedAt: number
  /** The journal as it was left. */
  readonly journal: JournalRecord
}

const HOUR_MS = 3_600_000

/** Run a host's plan; never rejects for a step's failure (the result says), only for a bug. */
export async function runPlan(plan: HostPlan, options: RunPlanOptions): Promise<PlanResult> {
  const { clock } = options
  const log: ShutdownLog = options.log ?? (() => {})
  const progress: ProgressSink = options.progress ?? (() => {})
  const persist = plan.dryRun ? undefined : options.store
  const learn = options.learn ?? !plan.dryRun
  const startedAt = clock.now()
  const steps = planSteps(plan)
  const ponrStep = pointOfNoReturn(plan)

  // ----- journal: resume a run a restart interrupted, or start one -----
  const previous = persist === undefined ? undefined : await readJournal(persist, plan.host)
  const resume = previous !== undefined && previous.state === "running" && startedAt - previous.startedAt <= (options.resumeWithinMs ?? HOUR_MS)
  const record: JournalRecord = resume
    ? { ...previous, resumes: previous.resumes + 1, updatedAt: startedAt }
    : {
        version: 1,
        runId: (options.newRunId ?? (() => crypto.randomUUID()))(),
        host: plan.host,
        ...(options.reason === undefined ? {} : { reason: options.reason }),
        startedAt,
        updatedAt: startedAt,
        state: "running",
        resumes: 0,
        ...(ponrStep === undefined ? {} : { pointOfNoReturnStep: ponrStep.key }),
        steps: {},
      }
  if (previous !== undefined && previous.state === "running" && !resume) log("warn", `Shutdown journal of ${plan.host}: run ${previous.runId} from ${new Date(previous.startedAt).toISOString()} never ended; starting a new one`)
  const journal = openJournal(record, persist)
  const save = async (change: (r: JournalRecord) => JournalRecord): Promise<void> => {
    try {
      await journal.update(change)
    } catch (e) {
      // a full disk must not stop a shutdown on battery
      log("warn", (e as Error).message)
    }
  }
  await save((r) => r)

  // ----- estimates for progress -----
  const learned = options.store === undefined ? new Map<string, number>() : await loadDurations(options.store, steps.map(durationKeyOf))
  const timeline = planTimeline(plan, learned)
  const estimateOf = new Map(timeline.entries.map((e) => [e.key, e.endMs - e.startMs]))
  progress({
    kind: "start",
    at: startedAt,
    host: plan.host,
    runId: record.runId,
    dryRun: plan.dryRun,
    resumed: resume,
    steps: steps.map((s) => ({ key: s.key, description: s.step.description, estimateMs: estimateOf.get(s.key) ?? 0 })),
    estimateMs: timeline.totalMs,
    ...(ponrStep === undefined ? {} : { pointOfNoReturn: ponrStep.key }),
  })
  for (const p of plan.problems) log("error", p.message)

  // ----- abort on power return, unless past the point of no return -----
  let ponrPassed = record.pointOfNoReturn !== undefined
  const planAbort = new AbortController()
  const running = new Set<string>()
  let abortInfo: { at: number; reason: string; running: string[] } | undefined
  const onOuterAbort = (): void => {
    const reason = reasonText(options.signal?.reason)
    if (ponrPassed) {
      log("warn", `${reason}: past the point of no return, the shutdown goes on`)
      return
    }
    if (planAbort.signal.aborted) return
    abortInfo = { at: clock.now(), reason, running: [...running] }
    log("info", `${reason}: before the point of no return, calling the shutdown off`)
    planAbort.abort(new PlanAbortedError(reason))
  }
  if (options.signal?.aborted) onOuterAbort()
  else options.signal?.addEventListener("abort", onOuterAbort, { once: true })

  // ----- ticks -----
  const ticking = new AbortController()
  const reports = new Map<string, StepReport>()
  const tick = async (): Promise<void> => {
    const every = options.tickMs ?? 1000
    if (every <= 0) return
    for (;;) {
      try {
        await clock.sleep(every, ticking.signal)
      } catch {
        return
      }
      const now = clock.now()
      const remaining = steps.filter((s) => !reports.has(s.key)).reduce((sum, s) => sum + (estimateOf.get(s.key) ?? 0), 0)
      progress({ kind: "tick", at: now, elapsedMs: now - startedAt, done: reports.size, total: steps.length, running: [...running], remainingMs: remaining })
    }
  }
  const ticker = tick()

  // ----- the phases -----
  let stopped = false
  const runOne = async (planned: PlannedStep): Promise<void> => {
    const { key, step } = planned
    const prior = journal.record.steps[key]
    if (resume && prior?.state === "done") {
      reports.set(key, { key, state: "skipped", ...(prior.note === undefined ? {} : { note: prior.note }) })
      progress({ kind: "step-end", at: clock.now(), key, state: "skipped", elapsedMs: 0 })
      return
    }
    if (planAbort.signal.aborted || stopped) return
    if (step.pointOfNoReturn === true && !ponrPassed) {
      ponrPassed = true
      const at = clock.now()
      await save((r) => ({ ...r, updatedAt: at, pointOfNoReturn: { step: key, at } }))
      progress({ kind: "point-of-no-return", at, key })
      log("info", `Point of no return: ${key} (${step.description})`)
    }
    const at = clock.now()
    running.add(key)
    await save((r) => withStep(r, key, { state: "running", startedAt: at }, at))
    progress({ kind: "step-start", at, key, description: step.description })
    log("info", `${plan.dryRun ? "Dry run: " : ""}${key}: ${step.description}`)
    const x = await executeStep(planned, {
      clock,
      abort: planAbort.signal,
      onFallback: (reason) => {
        const fb = step.fallback
        if (typeof fb !== "object") return
        log("warn", `${key}: ${reason.message}; fallback: ${fb.description}`)
        progress({ kind: "fallback", at: clock.now(), key, description: fb.description, reason: reason.message })
      },
    })
    running.delete(key)
    // a failed fallback reports both failures: the first one is usually the one to fix
    const error = x.state === "done" ? undefined : x.fallbackError !== undefined ? `${x.error?.message ?? key}; the fallback failed too: ${causeText(x.fallbackError)}` : x.error?.message
    const note = x.result?.note
    await save((r) =>
      withStep(r, key, { state: x.state, startedAt: x.startedAt, endedAt: x.endedAt, ...(x.via === undefined ? {} : { via: x.via }), ...(error === undefined ? {} : { error }), ...(note === undefined ? {} : { note }) }, x.endedAt),
    )
    reports.set(key, {
      key,
      state: x.state,
      startedAt: x.startedAt,
      endedAt: x.endedAt,
      ...(x.via === undefined ? {} : { via: x.via }),
      ...(error === undefined ? {} : { error }),
      ...(note === undefined ? {} : { note }),
      ...(x.result?.estimateMs === undefined ? {} : { estimateMs: x.result.estimateMs }),
    })
    progress({ kind: "step-end", at: x.endedAt, key, state: x.state, elapsedMs: x.endedAt - x.startedAt, ...(x.via === undefined ? {} : { via: x.via }), ...(error === undefined ? {} : { error }), ...(note === undefined ? {} : { note }) })
    if (x.state === "failed") log("error", error ?? `${key} failed`)
    if (learn && options.store !== undefined && x.state !== "aborted") {
      const sample = plan.dryRun
        ? x.result?.estimateMs === undefined
          ? undefined
          : { ms: x.result.estimateMs, at: x.endedAt, source: "drill" as const }
        : { ms: x.endedAt - x.startedAt, at: x.endedAt, source: "run" as const }
      if (sample !== undefined) await recordDuration(options.store, durationKeyOf(planned), sample).catch((e: unknown) => log("warn", `Cannot record the duration of ${key}: ${(e as Error).message}`))
    }
    if (x.state === "failed" && step.onFailure === "stop") {
      stopped = true
      log("error", `${key} failed and stops the plan (onFailure: stop)`)
    }
  }
  try {
    for (const phase of planPhases(plan)) {
      if (planAbort.signal.aborted || stopped) break
      await runPool(phase.steps, phase.concurrency, runOne)
    }
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort)
    ticking.abort()
    await ticker
  }

  // ----- the end -----
  const failures = [...plan.problems.map((p) => p.message), ...[...reports.values()].filter((r) => r.state === "failed").map((r) => r.error ?? `${r.key} failed`)]
  const stepReports: StepReport[] = steps.map((s) => reports.get(s.key) ?? { key: s.key, state: "not-run" })
  let state: PlanResult["state"] = failures.length > 0 ? "failed" : "done"
  if (abortInfo !== undefined) {
    state = "aborted"
    const next = stepReports.find((r) => r.state === "not-run")?.key
    const aborted = { ...abortInfo, ...(next === undefined ? {} : { next }) }
    progress({ kind: "abort", ...aborted })
    await save((r) => ({ ...r, state: "aborted", updatedAt: clock.now(), aborted }))
    if (options.restoreOnAbort !== false) {
      const started = new Set(Object.keys(journal.record.steps).map((k) => k.slice(0, k.indexOf("/"))))
      const parts = plan.parts.filter((p) => started.has(p.executor))
      const restored = await runRestoreSteps(parts, { clock, log, dryRun: plan.dryRun })
      progress({ kind: "restore", at: clock.now(), ok: restored.ok, failures: restored.failures })
      await save((r) => ({ ...r, state: "restored", updatedAt: clock.now(), restored: { at: clock.now(), ok: restored.ok, failures: restored.failures } }))
    }
  }
  const endedAt = clock.now()
  const final = state === "aborted" ? journal.record.state : state
  await save((r) => ({ ...r, state: final, updatedAt: endedAt, endedAt }))
  await journal.flush()
  progress({ kind: "end", at: endedAt, state, failures, elapsedMs: endedAt - startedAt })
  const j = journal.record
  return {
    state,
    runId: j.runId,
    resumed: resume,
    steps: stepReports,
    failures,
    ...(j.pointOfNoReturn === undefined ? {} : { pointOfNoReturn: j.pointOfNoReturn }),
    ...(j.aborted === undefined ? {} : { aborted: j.aborted }),
    ...(j.restored === undefined ? {} : { restored: j.restored }),
    startedAt,
    endedAt,
    journal: j,
  }
}

/** Run `worker` over `items`, at most `limit` at once, starting them in order. */
async function runPool<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T
      await worker(item)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane))
}

function causeText(e: Error): string {
  return e.cause instanceof Error ? e.cause.message : e.message
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message
  if (typeof reason === "string" && reason !== "") return reason
  return "Power returned"
}

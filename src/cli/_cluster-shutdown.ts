/**
 * The cluster config's shutdown hand-off (issue 5 behind the monitor of issue 4): the plan runner
 * with its journal and learned durations in the store; what a primary's plan gets from the monitor
 * (`power`: the secondaries still logged in, the UPS kill); the runtime budget behind
 * `shutdown.when.runtimeBelow`; and the restore at start after a shutdown went through.
 */
import {
  killpowerChain,
  nutKillpowerRoute,
  runKillpower,
  type Clock,
  type HostState,
  type KillpowerRoute,
  type KillpowerTarget,
  type MonitorLogger,
  type RuntimeBudgetCheck,
  type ShutdownHandler,
} from "../monitor/index.ts"
import {
  buildPlan,
  createRuntimeBudget,
  formatDuration,
  planShutdownHandler,
  readJournal,
  restoreAfterPowerReturn,
  runtimeCovers,
  type ConfiguredExecutor,
  type PlanResult,
  type PowerControl,
  type ProgressSink,
  type RuntimeBudget,
  type ShutdownLog,
} from "../shutdown/index.ts"
import type { NutctlStore } from "../store/index.ts"
import type { UpsState } from "../ups/index.ts"
import type { AssembledLink } from "./_monitor.ts"

/** What the hand-off works with. */
export interface ClusterShutdownContext {
  readonly host: string
  readonly executors: readonly ConfiguredExecutor[]
  readonly store: NutctlStore
  readonly clock: Clock
  readonly log: MonitorLogger
  readonly dryRun: boolean
}

/** The runner's log levels on the monitor's (syslog) ones. */
export function shutdownLog(log: MonitorLogger): ShutdownLog {
  return (level, message) => log(level === "warn" ? "warning" : level, message)
}

/**
 * What the monitor offers a primary's plan: how many secondaries are still logged in to the UPSes
 * it is primary for (the most on any of them, this monitor's own login left out — it keeps it while
 * the plan runs), and the UPS kill (INSTCMD shutdown.return with killpower's fallback chain: in
 * process for a UPS this process serves, else through its server as the MONITOR line's user).
 * Undefined for a host that is primary for nothing.
 */
export function primaryPowerControl(links: readonly AssembledLink[], options: { readonly clock: Clock; readonly log: MonitorLogger; readonly upsParams: (ups: string) => Readonly<Record<string, string>> }): PowerControl | undefined {
  const primaries = links.filter((l) => l.supply.role === "primary")
  if (primaries.length === 0) return undefined
  let said = ""
  return {
    async secondaries() {
      let most = 0
      const where: string[] = []
      for (const p of primaries) {
        if (p.local !== undefined) {
          const others = p.local.others()
          most = Math.max(most, others.length)
          where.push(...others.map((c) => c.address))
        } else {
          // over NUT our own login is one of them (kept while the plan runs)
          most = Math.max(most, (await p.link.numLogins()) - 1)
        }
      }
      const line = `${most} secondar${most === 1 ? "y" : "ies"} logged in${where.length === 0 ? "" : ` (${where.join(", ")})`}`
      if (line !== said) options.log("debug", line)
      said = line
      return Math.max(0, most)
    },
    async killPower(signal) {
      if (signal.aborted) throw signal.reason
      const targets: KillpowerTarget[] = primaries.map((p) => ({
        ups: p.supply.system,
        chain: killpowerChain(options.upsParams(p.supply.ups)),
        routes: [
          p.local !== undefined
            ? inProcessRoute(p.local.served.state)
            : nutKillpowerRoute({ host: p.supply.host, port: p.supply.port, ups: p.supply.ups, ...(p.supply.user === undefined ? {} : { user: p.supply.user, password: p.supply.password ?? "" }) }),
        ],
      }))
      // the plan's kill step is the decision: POWERDOWNFLAG (for the late hook) does not apply here
      const outcome = await runKillpower({ flag: { configured: true, path: "(the shutdown plan)", status: "set" }, targets, clock: options.clock, log: options.log })
      if (outcome.kind !== "killed") throw new Error(`No UPS took the kill request (${targets.map((t) => t.ups).join(", ")})`)
    },
  }
}

/** A UPS this process serves: the driver behind its state takes the command (no user: this is the server). */
function inProcessRoute(state: UpsState): KillpowerRoute {
  return {
    description: "the UPS in this process",
    probeWhenDry: true,
    async open() {
      if (state.availability() === "not-connected") throw new Error("its driver is not connected")
      return {
        commands: async () => state.commands(),
        status: async () => state.value("ups.status"),
        instcmd: (cmd) => state.instcmd(cmd),
        close: async () => {},
      }
    },
  }
}

/** The plan runner as the monitor's hand-off, and what the primary's monitor tells it. */
export interface ClusterShutdownHandler extends ShutdownHandler {
  /** FSD was just set: remember how many secondaries were logged in then. */
  noteFsd(): void
}

/**
 * The plan runner (journal, learned durations, executor state in the store) as the monitor's
 * hand-off. It reports a plan called off before its point of no return as `aborted`. On a primary,
 * power returning calls the plan off only while every secondary logged in at FSD still is: one
 * that logged out is down already (its login lasts until its plan is done), and only the UPS's
 * power cycle at the end of our plan brings it back — calling off would leave it off.
 */
export function clusterShutdownHandler(ctx: ClusterShutdownContext & { readonly power?: PowerControl; readonly progress?: ProgressSink; readonly onResult?: (result: PlanResult) => void }): ClusterShutdownHandler {
  let last: PlanResult | undefined
  let atFsd: Promise<number | undefined> | undefined
  const secondaries = ctx.power?.secondaries?.bind(ctx.power)
  const inner = planShutdownHandler({
    host: ctx.host,
    executors: ctx.executors,
    clock: ctx.clock,
    log: shutdownLog(ctx.log),
    store: ctx.store,
    dryRun: ctx.dryRun,
    ...(ctx.power === undefined ? {} : { power: ctx.power }),
    ...(ctx.progress === undefined ? {} : { progress: ctx.progress }),
    onResult: (r) => {
      last = r
      ctx.onResult?.(r)
    },
  })
  const guard = (signal: AbortSignal): AbortSignal => {
    if (secondaries === undefined) return signal
    const planAbort = new AbortController()
    const before = atFsd ?? secondaries().catch(() => undefined)
    signal.addEventListener(
      "abort",
      () => {
        void Promise.all([before, secondaries().catch(() => undefined)]).then(([then, now]) => {
          if (then !== undefined && now !== undefined && now < then) {
            ctx.log("warning", `${then - now} of ${then} secondaries have finished their shutdown: the plan goes on, so that the UPS's power cycle brings them back`)
            return
          }
          planAbort.abort(signal.reason)
        })
      },
      { once: true },
    )
    return planAbort.signal
  }
  return {
    noteFsd() {
      if (secondaries !== undefined) atFsd = secondaries().catch(() => undefined)
    },
    async run(request, signal) {
      last = undefined
      const report = await inner.run(request, guard(signal))
      atFsd = undefined
      const result = last as PlanResult | undefined
      return { ...report, ...(result?.state === "aborted" ? { aborted: true } : {}) }
    },
  }
}

/** `shutdown.when.runtimeBelow` for the loop: covers everything until the need is known. */
export interface BudgetHolder extends RuntimeBudgetCheck {
  set(budget: Pick<RuntimeBudget, "covers" | "needMs">): void
}

/** A budget to be filled in (auto: once the plan was laid out; a fixed threshold: at once). */
export function budgetHolder(fixedSeconds?: number): BudgetHolder {
  let current: Pick<RuntimeBudget, "covers" | "needMs"> | undefined
  const holder: BudgetHolder = {
    covers: (runtime) => current?.covers(runtime) ?? true,
    get needMs() {
      return current?.needMs
    },
    set(budget) {
      current = budget
    },
  }
  if (fixedSeconds !== undefined) {
    const needMs = fixedSeconds * 1000
    holder.set({ needMs, covers: (runtime) => runtimeCovers(typeof runtime === "string" ? Number.parseFloat(runtime) : runtime, needMs).covers })
  }
  return holder
}

/** How often `runtimeBelow: auto` lays the plan out again (guests come and go, durations are learned). */
const BUDGET_REFRESH_MS = 3_600_000
/** After a failed attempt. */
const BUDGET_RETRY_MS = 300_000

/**
 * `runtimeBelow: auto`: lay this host's plan out (a dry plan: executors only read) with the learned
 * durations and keep the budget current until `signal` aborts. Steps nothing has been learned for
 * count at their timeout, so the budget errs on the early side; `nutctl drill` learns them.
 * `label` starts its log lines (another one when the budget is only shown, see _shutdown-view.ts).
 */
export async function keepBudget(holder: BudgetHolder, ctx: ClusterShutdownContext & { readonly power?: PowerControl }, signal: AbortSignal, label = "runtimeBelow: auto"): Promise<void> {
  const quiet: ShutdownLog = (level, m) => {
    if (level === "warn" || level === "error") ctx.log("warning", `${label}: ${m}`)
  }
  while (!signal.aborted) {
    let wait = BUDGET_REFRESH_MS
    try {
      const plan = await buildPlan({ host: ctx.host, executors: ctx.executors, clock: ctx.clock, log: quiet, dryRun: true, store: ctx.store, signal, ...(ctx.power === undefined ? {} : { power: ctx.power }) })
      const budget = await createRuntimeBudget({ plan, store: ctx.store })
      const changed = budget.needMs !== holder.needMs
      holder.set(budget)
      if (changed) {
        ctx.log("info", `${label}: the shutdown plan needs ${formatDuration(budget.needMs)} of battery.runtime (${formatDuration(budget.timeline.totalMs)} expected, with the safety margin)`)
        for (const p of plan.problems) ctx.log("warning", `${label}: ${p.message}`)
        for (const e of budget.timeline.entries.filter((x) => x.source === "timeout")) {
          ctx.log("notice", `${label}: nothing learned for ${e.key} yet: it counts at its timeout, ${formatDuration(e.endMs - e.startMs)} (nutctl drill learns it)`)
        }
      }
    } catch (e) {
      ctx.log("warning", `${label}: cannot lay the plan out: ${(e as Error).message}`)
      wait = BUDGET_RETRY_MS
    }
    await ctx.clock.sleep(wait, signal).catch(() => undefined)
  }
}

/**
 * At start: when the journal shows a shutdown that went through, wait until power is present (every
 * supply that powers this host on line, no FSD) and run the executors' restore steps (re-arm
 * Proxmox HA, put the recorded states back). Nothing to do after a dry run or a called-off plan
 * (the runner restored then).
 */
export async function restoreAtStart(state: () => HostState, ctx: ClusterShutdownContext & { readonly power?: PowerControl }, signal: AbortSignal): Promise<void> {
  if (ctx.dryRun) return
  const record = await readJournal(ctx.store, ctx.host)
  if (record === undefined || record.state === "restored" || record.state === "aborted") return
  while (!powerPresent(state())) {
    try {
      await ctx.clock.sleep(1000, signal)
    } catch {
      return
    }
  }
  // the run found at start only: one this process starts meanwhile is its runner's to abort and restore
  const outcome = await restoreAfterPowerReturn({ host: ctx.host, executors: ctx.executors, store: ctx.store, clock: ctx.clock, log: shutdownLog(ctx.log), runId: record.runId, ...(ctx.power === undefined ? {} : { power: ctx.power }) })
  if (outcome !== undefined) ctx.log(outcome.ok ? "info" : "error", `Restore after shutdown ${outcome.runId}: ${outcome.ok ? "done" : outcome.failures.join("; ")}`)
}

function powerPresent(state: HostState): boolean {
  const powering = state.supplies.filter((s) => s.supply.powerValue > 0)
  return state.phase.kind === "monitoring" && powering.length > 0 && powering.every((s) => s.comm === "ok" && s.flags.ol && !s.flags.ob && !s.flags.fsd)
}

/**
 * A host's shutdown plan as text, the way `config check` and `drill` show it: one line per step
 * with its expected duration and where that number comes from, parallel groups, fallbacks, and
 * the point of no return.
 */
import { formatDuration, planPhases, planTimeline, type HostPlan, type PlanTimeline } from "../shutdown/index.ts"

/** Lines describing `plan` (indented by `indent`). */
export function formatPlan(plan: Pick<HostPlan, "parts" | "problems">, options: { readonly learned?: ReadonlyMap<string, number>; readonly indent?: string } = {}): string[] {
  const indent = options.indent ?? "    "
  const timeline: PlanTimeline = planTimeline(plan, options.learned ?? new Map())
  const byKey = new Map(timeline.entries.map((e) => [e.key, e]))
  const lines: string[] = []
  const ponr = timeline.entries.find((e) => e.pointOfNoReturn)
  lines.push(`${indent}plan: ${timeline.entries.length} steps, about ${formatDuration(timeline.totalMs)} (at most ${formatDuration(timeline.worstMs)})${ponr ? `; point of no return: ${ponr.key}` : ""}`)
  const width = Math.max(0, ...timeline.entries.map((e) => e.key.length))
  let n = 0
  for (const phase of planPhases(plan)) {
    const parallel = phase.steps.length > 1
    if (parallel) lines.push(`${indent}  ┌ at once (${phase.concurrency < phase.steps.length ? `${phase.concurrency} at a time` : "all"}):`)
    for (const planned of phase.steps) {
      n++
      const e = byKey.get(planned.key)
      const fb = planned.step.fallback
      const fallback = fb === undefined ? "" : `; fallback: ${typeof fb === "string" ? fb : fb.description}`
      const est = e === undefined ? "" : `~${formatDuration(e.endMs - e.startMs)} (${e.source})`
      lines.push(`${indent}  ${parallel ? "│ " : ""}${String(n).padStart(2)}. ${planned.key.padEnd(width)} ${planned.step.pointOfNoReturn ? "⚑" : " "} ${est.padEnd(18)} ${planned.step.description}${fallback}`)
    }
  }
  for (const p of plan.problems) lines.push(`${indent}  ✖ ${p.message}`)
  return lines
}

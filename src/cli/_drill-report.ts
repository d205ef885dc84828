/**
 * The drill's timeline as text (the seed's "T+0 on battery … T+X+… NAS off"): T+0 is the
 * outage, T+X the moment the shutdown policy triggers, then every host's steps from the cluster
 * timeline; and the verdict — whether the battery covers the cluster's need at the trigger.
 */
import { formatDuration, type ClusterTimeline, type SafetyMargin } from "../shutdown/index.ts"

/** What the UPS said when the drill looked. */
export interface BatteryReading {
  /** `ups@host:port` */
  readonly ups: string
  /** battery.runtime, seconds */
  readonly runtimeS?: number
  /** battery.runtime.low, seconds (when LB comes on many UPSes) */
  readonly runtimeLowS?: number
  readonly chargePct?: number
  readonly status?: string
}

/** `shutdown.when` of the config (durations in ms); low battery always shuts down. */
export interface TriggerPolicy {
  readonly runtimeBelow: "auto" | number | null
  readonly onBatteryFor: number | null
}

export interface DrillVerdict {
  readonly lines: string[]
  /** undefined: cannot tell (no battery.runtime) */
  readonly fits: boolean | undefined
}

/** Format the timeline and decide whether it fits the battery. */
export function formatDrillTimeline(t: ClusterTimeline, options: { readonly battery?: BatteryReading; readonly trigger: TriggerPolicy; readonly margin: SafetyMargin }): DrillVerdict {
  const lines: string[] = []
  const b = options.battery
  const runtimeMs = b?.runtimeS === undefined ? undefined : b.runtimeS * 1000
  const { trigger } = options
  const need = t.needMs
  lines.push(`  ${"T+0".padEnd(13)} on battery${b ? ` (${b.ups}: battery.runtime ${runtimeMs === undefined ? "unknown" : formatDuration(runtimeMs)}${b.chargePct === undefined ? "" : `, charge ${b.chargePct} %`})` : ""}`)
  let x: number | undefined
  let why: string
  if (trigger.runtimeBelow === "auto") {
    why = `runtimeBelow: auto, when battery.runtime ≤ ${formatDuration(need)}`
    if (runtimeMs !== undefined) x = Math.max(0, runtimeMs - need)
  } else if (typeof trigger.runtimeBelow === "number") {
    why = `runtimeBelow: when battery.runtime ≤ ${formatDuration(trigger.runtimeBelow)}`
    if (runtimeMs !== undefined) x = Math.max(0, runtimeMs - trigger.runtimeBelow)
  } else if (trigger.onBatteryFor !== null) {
    why = `onBatteryFor: ${formatDuration(trigger.onBatteryFor)}`
    x = trigger.onBatteryFor
  } else {
    why = "low battery (LB)"
    if (runtimeMs !== undefined && b?.runtimeLowS !== undefined) x = Math.max(0, runtimeMs - b.runtimeLowS * 1000)
  }
  lines.push(`  ${"T+X".padEnd(13)} shutdown triggered${x === undefined ? "" : `, X ≈ ${formatDuration(x)} at the present load`} (${why})`)
  const width = Math.max(0, ...t.hosts.map((h) => h.host.length))
  for (const e of t.events) {
    const at = `T+X+${formatDuration(e.atMs)}`.padEnd(13)
    const step = e.entry ? `${e.entry.key}${e.entry.pointOfNoReturn ? " ⚑" : ""}  ${e.description}  (~${formatDuration(e.entry.endMs - e.entry.startMs)}, ${e.entry.source})` : e.description
    lines.push(`  ${at} ${e.host.padEnd(width)}  ${step}`)
  }
  const m = options.margin
  lines.push("")
  lines.push(`  the cluster needs ${formatDuration(t.totalMs)} × ${m.factor} + ${formatDuration(m.extraMs)} = ${formatDuration(need)} of battery when the shutdown starts`)
  // what is left in the battery at the trigger
  let left: number | undefined
  if (runtimeMs !== undefined && x !== undefined) left = runtimeMs - x
  let fits: boolean | undefined
  if (left === undefined) {
    lines.push(runtimeMs === undefined ? "  battery.runtime is unknown: cannot tell whether it fits" : "  LB's runtime is unknown (no battery.runtime.low): cannot tell whether it fits")
  } else {
    fits = left >= need
    const down = left - t.totalMs
    const tail = `${formatDuration(left)} left at the trigger; the cluster is down ${formatDuration(t.totalMs)} later, ${down >= 0 ? `${formatDuration(down)} before the battery is empty` : `${formatDuration(-down)} after it is empty`}${fits ? "" : ` (the margin asks for ${formatDuration(need)})`}`
    lines.push(`  ${fits ? "✔ fits the battery" : "✖ does NOT fit the battery"}: ${tail}${!fits && trigger.runtimeBelow !== "auto" ? " (runtimeBelow: auto would start it in time)" : ""}`)
  }
  return { lines, fits }
}

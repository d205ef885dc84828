/**
 * Run the host machine against a scripted world in virtual time: polls every poll interval, timers
 * when due, NUMLOGINS answered at once. No clock, no I/O: a discrete-event run that tests and
 * drills use to ask "with this config and this outage, when does this host shut down?".
 */
import { createHostState, nextHostState, type HostEvent, type HostState } from "./host-machine.ts"
import type { MonitorConfig, MonitorEffect, PollResult, TimerId } from "./types.ts"

/** The world a simulation runs in. */
export interface SimulateOptions {
  readonly config: MonitorConfig
  /** ms since the epoch of the first poll round. @default 0 */
  readonly start?: number
  /** Stop before anything later than this (ms since the epoch). */
  readonly until: number
  /** What polling `system` gives at `now`. */
  readonly poll: (system: string, now: number) => PollResult
  /** NUMLOGINS of `system` at `now` (undefined = the query failed). @default always 1 */
  readonly numLogins?: (system: string, now: number) => number | undefined
  /** Other events at given times (`forceShutdown`, …), fed before a poll due at the same time. */
  readonly events?: readonly { readonly at: number; readonly event: HostEvent }[]
}

/** An effect and when it happened. */
export interface TimedEffect {
  readonly at: number
  readonly effect: MonitorEffect
}

/** How a simulation ended. */
export interface SimulateResult {
  readonly state: HostState
  readonly timeline: readonly TimedEffect[]
  /** When `requestShutdown` came, if it did. */
  readonly shutdownAt?: number
}

/** Run the simulation. */
export function simulateHost(options: SimulateOptions): SimulateResult {
  const { config } = options
  const timeline: TimedEffect[] = []
  const timers = new Map<TimerId, number>()
  const scripted = [...(options.events ?? [])].sort((a, b) => a.at - b.at)
  let state = createHostState(config)
  let interval = state.pollIntervalMs
  let now = options.start ?? 0
  let nextPoll = now
  let shutdownAt: number | undefined

  // Answers are fed after all effects of a transition are carried out, as a real loop must do.
  const feed = (event: HostEvent): void => {
    const t = nextHostState(state, event, { now, config })
    state = t.state
    const answers: HostEvent[] = []
    for (const effect of t.effects) {
      timeline.push({ at: now, effect })
      if (effect.type === "startTimer") timers.set(effect.id, effect.at)
      else if (effect.type === "cancelTimer") timers.delete(effect.id)
      else if (effect.type === "pollInterval") interval = effect.ms
      else if (effect.type === "requestShutdown") shutdownAt = now
      else if (effect.type === "getNumLogins") {
        const counts: Record<string, number | undefined> = {}
        for (const s of effect.systems) counts[s] = options.numLogins ? options.numLogins(s, now) : 1
        answers.push({ kind: "numLogins", counts })
      }
    }
    for (const a of answers) feed(a)
  }

  while (shutdownAt === undefined) {
    const timer = earliestTimer(timers)
    const polling = state.phase.kind === "monitoring"
    const candidates = [timer?.at, scripted[0]?.at, polling ? nextPoll : undefined].filter((t): t is number => t !== undefined)
    if (candidates.length === 0) break
    const at = Math.min(...candidates)
    if (at > options.until) break
    now = at
    if (timer !== undefined && timer.at === at) {
      timers.delete(timer.id)
      feed({ kind: "timer", id: timer.id })
    } else if (scripted[0] !== undefined && scripted[0].at === at) {
      feed((scripted.shift() as { event: HostEvent }).event)
    } else {
      feed({ kind: "poll", results: config.supplies.map((s) => ({ system: s.system, result: options.poll(s.system, now) })) })
      nextPoll = now + interval
    }
  }
  return { state, timeline, ...(shutdownAt === undefined ? {} : { shutdownAt }) }
}

function earliestTimer(timers: ReadonlyMap<TimerId, number>): { id: TimerId; at: number } | undefined {
  let best: { id: TimerId; at: number } | undefined
  for (const [id, at] of timers) if (best === undefined || at < best.at) best = { id, at }
  return best
}

/**
 * One round of every load against every target, interleaved (upsd, nutctl, next load …) so both
 * servers see the same machine conditions; the report takes the median of several rounds, which
 * rides out a burst of unrelated work on the shared cores better than one long window.
 *
 * Which server goes first alternates from round to round (upsd first in odd rounds), and the load
 * generator collects its own garbage before every load when it can (`--expose-gc`): otherwise the
 * second server of each pair always runs right after the heavier half of the pair and meets the
 * garbage the first one left in the generator.
 */
import { NutConn } from "./nut-conn.ts"
import { churnLoad, GET_STATUS, idleLoad, LIST_VAR, requestLoad, type LoadResult, type Server, type Window } from "./loads.ts"
import type { RoundResults } from "./report.ts"
import type { Target } from "./targets.ts"

export const GET_CONNS = [1, 8, 64] as const
export const CHURN_WORKERS = [1, 8] as const
export const IDLE_CLIENTS = 1000

/** Bring both servers to steady state (nutctl's JIT) with a bit of every load; nothing is recorded. */
export async function warmUp(target: Target): Promise<void> {
  await requestLoad(target, { warmupMs: 0, durationMs: 1000, conns: 8, line: GET_STATUS, kind: "line", expect: "VAR " })
  await requestLoad(target, { warmupMs: 0, durationMs: 300, conns: 1, line: LIST_VAR, kind: "list", expect: "BEGIN LIST" })
  await churnLoad(target, { warmupMs: 0, durationMs: 300, workers: 2 })
}

/** The order the targets run in, round `round` (1-based): as given in odd rounds, reversed in even ones. */
export function roundOrder<T>(targets: readonly T[], round: number): T[] {
  return round % 2 === 1 ? [...targets] : [...targets].reverse()
}

/** Start a load with the generator's heap clean (a no-op without --expose-gc). */
function settle(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

/** Run every load once on every target; `round` (1-based) picks who goes first. */
export async function runRound(given: readonly Target[], window: Window, log: (m: string) => void, round = 1): Promise<Map<string, RoundResults>> {
  const targets = roundOrder(given, round)
  const get = perTarget(targets, (): Record<string, LoadResult> => ({}))
  for (const conns of GET_CONNS) {
    for (const t of targets) {
      log(`${t.name}: GET VAR on ${conns} connection(s)`)
      settle()
      get.get(t.name)![String(conns)] = await requestLoad(t, { ...window, conns, line: GET_STATUS, kind: "line", expect: "VAR " })
    }
  }
  const list = new Map<string, RoundResults["list"]>()
  for (const t of targets) {
    log(`${t.name}: LIST VAR on a kept-open connection`)
    const vars = await countVars(t)
    settle()
    list.set(t.name, { ...(await requestLoad(t, { ...window, conns: 1, line: LIST_VAR, kind: "list", expect: "BEGIN LIST VAR" })), vars })
  }
  const churn = perTarget(targets, (): Record<string, LoadResult> => ({}))
  for (const workers of CHURN_WORKERS) {
    for (const t of targets) {
      log(`${t.name}: connect + GET + LOGOUT + close with ${workers} worker(s)`)
      settle()
      churn.get(t.name)![String(workers)] = await churnLoad(t, { ...window, workers })
    }
  }
  const idle = new Map<string, RoundResults["idle"]>()
  for (const t of targets) {
    log(`${t.name}: ${IDLE_CLIENTS} idle clients`)
    settle()
    idle.set(t.name, await idleLoad(t, { ...window, clients: IDLE_CLIENTS }))
  }
  return new Map(given.map((t) => [t.name, { get: get.get(t.name)!, list: list.get(t.name)!, churn: churn.get(t.name)!, idle: idle.get(t.name)! }]))
}

function perTarget<T>(targets: readonly Target[], init: () => T): Map<string, T> {
  return new Map(targets.map((t) => [t.name, init()]))
}

/** Number of variables LIST VAR returns. */
async function countVars(server: Server): Promise<number> {
  const c = await NutConn.open(server.port)
  const reply = await c.request(LIST_VAR, "list")
  c.destroy()
  return reply.split("\n").filter((l) => l.startsWith("VAR ")).length
}

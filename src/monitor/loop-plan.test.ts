/**
 * `keepLoginDuringShutdown` (nutctl's cluster config) on a ManualClock: the plan runs beside the
 * loop, the connections stay (a secondary still counts in the primary's NUMLOGINS) and polling goes
 * on; power returning before the point of no return calls the plan off, clears the primary's FSD
 * latch and POWERDOWNFLAG, and the host monitors again. Without the flag the loop is upsmon's.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { parseUpsmonConf } from "../config/index.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { POWERDOWNFLAG_CONTENT, createMonitorLoop, monitorConfigFromUpsmonConf, type FlagFile, type MonitorConfig, type MonitorOutcome, type PollResult, type ShutdownReport, type ShutdownRequest, type SupplyLink } from "./index.ts"

const UPS = "rack@localhost"

function conf(role: "primary" | "secondary", keep = true): MonitorConfig {
  const c = monitorConfigFromUpsmonConf(parseUpsmonConf(`MONITOR ${UPS} 1 mon pass ${role}\nPOLLFREQ 5\nPOLLFREQALERT 1\nHOSTSYNC 15\nFINALDELAY 0\nPOWERDOWNFLAG /etc/killpower\n`))
  return keep ? { ...c, keepLoginDuringShutdown: true } : c
}

/** A supply whose status the test sets; it keeps an FSD latch like upsd (clearable when `canClear`). */
class Link implements SupplyLink {
  readonly system = UPS
  status = "OL"
  fsd = false
  readonly calls: string[] = []
  clearFsd?: () => Promise<void>
  constructor(canClear = true) {
    if (canClear) {
      this.clearFsd = async () => {
        this.calls.push("clearFsd")
        this.fsd = false
      }
    }
  }
  async poll(): Promise<PollResult> {
    this.calls.push("poll")
    return { kind: "status", status: this.fsd ? `FSD ${this.status}` : this.status }
  }
  async setFsd(): Promise<void> {
    this.calls.push("fsd")
    this.fsd = true
  }
  async numLogins(): Promise<number> {
    return 1
  }
  drop(): void {
    this.calls.push("drop")
  }
  close(): void {
    this.calls.push("close")
  }
}

/** A plan the test ends: `underway()` says its first step started, `finish()` completes it; an abort ends it as called off. */
function plan() {
  let finish: (report: ShutdownReport) => void = () => {}
  let underway: () => void = () => {}
  const seen: { signal?: AbortSignal; reason?: unknown } = {}
  return {
    seen,
    finish: (report: ShutdownReport = { ok: true, failures: [] }) => finish(report),
    underway: () => underway(),
    handler: {
      run(request: ShutdownRequest, signal: AbortSignal): Promise<ShutdownReport> {
        seen.signal = signal
        underway = () => request.onUnderway?.()
        return new Promise<ShutdownReport>((resolve) => {
          finish = resolve
          // what runPlan does before its point of no return: stop and report the abort
          signal.addEventListener("abort", () => {
            seen.reason = signal.reason
            resolve({ ok: true, failures: [], aborted: true })
          })
        })
      },
    },
  }
}

/** The loop's phase now (a function, so the checks in a row are not narrowed by each other). */
const phase = (s: { readonly loop: { readonly state: { readonly phase: { readonly kind: string } } } }): string => s.loop.state.phase.kind

function start(config: MonitorConfig, link: Link, p: ReturnType<typeof plan>) {
  const clock = new ManualClock(0)
  const files = new Map<string, string>()
  const flagFile: FlagFile = { read: async (f) => files.get(f), write: async (f, c) => void files.set(f, c), remove: async (f) => void files.delete(f) }
  const logs: string[] = []
  const loop = createMonitorLoop({ config, links: [link], clock, log: (_l, m) => logs.push(m), shutdown: p.handler, flagFile })
  const abort = new AbortController()
  let outcome: MonitorOutcome | undefined
  const done = loop.run(abort.signal).then((o) => (outcome = o))
  const advance = async (ms: number): Promise<void> => {
    await new Promise((r) => setImmediate(r))
    for (let t = 0; t < ms; t += 50) {
      await clock.advance(Math.min(50, ms - t))
      await new Promise((r) => setImmediate(r))
    }
  }
  return { loop, files, logs, abort, done, advance, outcome: () => outcome }
}

test("createMonitorLoop() keepLoginDuringShutdown: a secondary keeps its connection and polls while its plan runs, then drops it", async () => {
  const link = new Link()
  const p = plan()
  const s = start(conf("secondary"), link, p)
  await s.advance(100)
  link.status = "OB LB"
  link.fsd = true
  await s.advance(5000)
  assert.equal(phase(s), "shutdown")
  const polls = link.calls.filter((c) => c === "poll").length
  await s.advance(3000)
  assert.ok(link.calls.filter((c) => c === "poll").length > polls, "still polling (POLLFREQALERT) while the plan runs")
  assert.ok(!link.calls.includes("drop"), "the login stays: the primary's NUMLOGINS still counts this host")
  assert.equal(s.files.get("/etc/killpower"), POWERDOWNFLAG_CONTENT, "POWERDOWNFLAG before the plan, as upsmon")
  p.finish()
  await s.advance(50)
  await s.done
  assert.equal(s.outcome()?.kind, "shutdown")
  assert.equal(link.calls.at(-1), "drop", "dropped (no LOGOUT) once the plan is done")
  assert.ok(s.logs.includes("The shutdown plan has finished: logging out"))
})

test("createMonitorLoop() without keepLoginDuringShutdown drops the connection once the plan is under way, as upsmon's exit", async () => {
  const link = new Link()
  const p = plan()
  const s = start(conf("secondary", false), link, p)
  await s.advance(100)
  link.fsd = true
  await s.advance(5000)
  assert.equal(phase(s), "shutdown")
  // the primary waits for this login to go: it must not go before SHUTDOWNCMD has started here
  assert.ok(!link.calls.includes("drop"), "still logged in while the plan has not started a step")
  p.underway()
  assert.equal(link.calls.at(-1), "drop")
  const polls = link.calls.filter((c) => c === "poll").length
  await s.advance(3000)
  assert.equal(link.calls.filter((c) => c === "poll").length, polls, "no polling once the shutdown runs")
  p.finish()
  await s.done
})

test("createMonitorLoop() a primary whose power returns mid-plan calls it off, clears its FSD and POWERDOWNFLAG, and monitors again", async () => {
  const link = new Link()
  const p = plan()
  const s = start(conf("primary"), link, p)
  await s.advance(100)
  link.status = "OB LB"
  await s.advance(5000)
  assert.equal(phase(s), "shutdown")
  assert.ok(link.fsd)
  assert.equal(p.seen.signal?.aborted, false)
  link.status = "OL CHRG"
  await s.advance(1000)
  assert.equal(p.seen.signal?.aborted, true, "the plan's signal: power returned")
  assert.match(String((p.seen.reason as Error).message), /^Power returned \(rack@localhost: FSD OL CHRG\)/)
  assert.equal(phase(s), "monitoring")
  assert.ok(link.calls.includes("clearFsd"), "the secondaries must see the power back too")
  assert.equal(s.files.get("/etc/killpower"), undefined, "a flag left behind would cut the power at the next reboot")
  assert.ok(s.logs.includes("The shutdown was called off before its point of no return: monitoring again"))
  await s.advance(10_000)
  assert.equal(phase(s), "monitoring", "FSD cleared: no new shutdown")
  s.abort.abort()
  await s.done
  assert.deepEqual(s.outcome(), { kind: "stopped" })
})

test("createMonitorLoop() a secondary calls off when its FSD is gone and power is back, never while FSD stands", async () => {
  const link = new Link()
  const p = plan()
  const s = start(conf("secondary"), link, p)
  await s.advance(100)
  link.status = "OB"
  link.fsd = true
  await s.advance(5000)
  link.status = "OL CHRG"
  await s.advance(3000)
  assert.equal(p.seen.signal?.aborted, false, "FSD OL: the primary has not called it off")
  link.fsd = false // the primary cleared it
  await s.advance(1000)
  assert.equal(p.seen.signal?.aborted, true)
  assert.ok(!link.calls.includes("clearFsd"), "a secondary never touches the latch")
  assert.equal(phase(s), "monitoring")
  s.abort.abort()
  await s.done
})

test("createMonitorLoop() a plan past its point of no return goes on when power returns", async () => {
  const link = new Link()
  let signal: AbortSignal | undefined
  let finish: () => void = () => {}
  // a plan that ignores the abort, as runPlan does after its point of no return
  const handler = { run: (_r: unknown, sig: AbortSignal) => ((signal = sig), new Promise<ShutdownReport>((r) => (finish = () => r({ ok: true, failures: [] })))) }
  const s = start(conf("primary"), link, { ...plan(), handler })
  await s.advance(100)
  link.status = "OB LB"
  await s.advance(5000)
  link.status = "OL"
  await s.advance(2000)
  assert.equal(signal?.aborted, true)
  finish()
  await s.done
  assert.equal(s.outcome()?.kind, "shutdown")
  assert.ok(!link.calls.includes("clearFsd"))
})

test("createMonitorLoop() does not call off what it cannot undo: an FSD over NUT, or a shutdown the user asked for", async () => {
  const remote = new Link(false)
  const p = plan()
  const s = start(conf("primary"), remote, p)
  await s.advance(100)
  remote.status = "OB LB"
  await s.advance(5000)
  remote.status = "OL"
  await s.advance(2000)
  assert.equal(p.seen.signal?.aborted, false)
  assert.ok(s.logs.some((m) => m.includes("cannot be cleared over NUT: the shutdown goes on")))
  p.finish()
  await s.done

  const link = new Link()
  const q = plan()
  const u = start(conf("primary"), link, q)
  await u.advance(100)
  u.loop.forceShutdown("maintenance")
  await u.advance(3000)
  assert.equal(phase(u), "shutdown")
  assert.equal(q.seen.signal?.aborted, false, "power never left: nothing to call off")
  q.finish()
  await u.done
})

test("createMonitorLoop() stopped while the plan runs waits for the plan", async () => {
  const link = new Link()
  const p = plan()
  const s = start(conf("secondary"), link, p)
  await s.advance(100)
  link.fsd = true
  await s.advance(5000)
  s.abort.abort() // SIGTERM: the host's own shutdown stops its services
  await s.advance(1000)
  assert.equal(s.outcome(), undefined, "still waiting for the plan")
  p.finish()
  await s.done
  assert.equal(s.outcome()?.kind, "shutdown")
  assert.equal(link.calls.at(-1), "drop")
})

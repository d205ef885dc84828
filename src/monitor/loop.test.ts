/**
 * The loop on a ManualClock with fake links: it polls at POLLFREQ / POLLFREQALERT, carries out the
 * effects in order (FSD, NUMLOGINS every 250 ms, FINALDELAY, close, POWERDOWNFLAG, shutdown),
 * delivers notifications (syslog, NOTIFYCMD env, built-in upssched) and changes nothing in a dry run.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { parseUpsmonConf } from "../config/index.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import {
  POWERDOWNFLAG_CONTENT,
  createMonitorLoop,
  monitorConfigFromUpsmonConf,
  parseUpsschedConf,
  type FlagFile,
  type LogLevel,
  type MonitorConfig,
  type MonitorLoopOptions,
  type MonitorOutcome,
  type PollResult,
  type ShutdownRequest,
  type SupplyLink,
} from "./index.ts"

const UPS = "rack@127.0.0.1:3493"

function conf(role: "primary" | "secondary", extra = ""): MonitorConfig {
  return monitorConfigFromUpsmonConf(
    parseUpsmonConf(
      `MONITOR ${UPS} 1 mon pass ${role}
SHUTDOWNCMD "/sbin/shutdown -h +0"
POWERDOWNFLAG /etc/killpower
NOTIFYCMD /usr/local/bin/notify
POLLFREQ 5
POLLFREQALERT 1
HOSTSYNC 15
FINALDELAY 5
NOTIFYFLAG ONBATT SYSLOG+EXEC
${extra}`,
    ),
  )
}

/** A supply whose status the test sets; records what the loop asked of it. */
class FakeLink implements SupplyLink {
  readonly system: string
  status: string | PollResult = "OL"
  logins: number | "hang" = 1
  readonly calls: string[] = []
  #fsd = false
  #push: ((r: PollResult) => void) | undefined

  constructor(system = UPS) {
    this.system = system
  }
  async poll(): Promise<PollResult> {
    this.calls.push("poll")
    if (typeof this.status !== "string") return this.status
    return { kind: "status", status: this.#fsd ? `FSD ${this.status}` : this.status }
  }
  async setFsd(): Promise<void> {
    this.calls.push("fsd")
    this.#fsd = true
  }
  numLogins(): Promise<number> {
    this.calls.push("numlogins")
    const n = this.logins
    return n === "hang" ? new Promise(() => {}) : Promise.resolve(n)
  }
  drop(): void {
    this.calls.push("drop")
  }
  close(): void {
    this.calls.push("close")
  }
  watch(deliver: (r: PollResult) => void): () => void {
    this.#push = deliver
    return () => (this.#push = undefined)
  }
  push(status: string): void {
    this.#push?.({ kind: "status", status })
  }
}

/** Everything the loop did to the outside world, in order. */
interface World {
  readonly events: string[]
  readonly logs: { level: LogLevel; message: string }[]
  readonly shell: { command: string; env: Readonly<Record<string, string>> }[]
  readonly files: Map<string, string>
  readonly flagFile: FlagFile
}

function world(): World {
  const events: string[] = []
  const files = new Map<string, string>()
  return {
    events,
    logs: [],
    shell: [],
    files,
    flagFile: {
      read: async (p) => files.get(p),
      write: async (p, c) => {
        events.push(`write ${p}`)
        files.set(p, c)
      },
      remove: async (p) => {
        events.push(`remove ${p}`)
        files.delete(p)
      },
    },
  }
}

function start(config: MonitorConfig, links: readonly FakeLink[], extra: Partial<MonitorLoopOptions> = {}, files: Record<string, string> = {}) {
  const clock = new ManualClock(1_000_000)
  const w = world()
  for (const [p, c] of Object.entries(files)) w.files.set(p, c)
  const requests: ShutdownRequest[] = []
  const loop = createMonitorLoop({
    config,
    links,
    clock,
    log: (level, message) => w.logs.push({ level, message }),
    shutdown: {
      async run(request) {
        w.events.push("shutdown")
        requests.push(request)
        return { ok: true, failures: [] }
      },
    },
    runShell: async (command, env) => {
      w.shell.push({ command, env })
      return { exitCode: 0 }
    },
    flagFile: w.flagFile,
    ...extra,
  })
  const abort = new AbortController()
  let outcome: MonitorOutcome | undefined
  const done = loop.run(abort.signal).then((o) => (outcome = o))
  /** Advance virtual time in 50 ms steps, letting the loop's promise chains run after each. */
  const advance = async (ms: number): Promise<void> => {
    await new Promise((r) => setImmediate(r))
    for (let t = 0; t < ms; t += 50) {
      await clock.advance(Math.min(50, ms - t))
      await new Promise((r) => setImmediate(r))
    }
  }
  return { loop, clock, w, requests, abort, done, advance, outcome: () => outcome }
}

const at = (s: ReturnType<typeof start>) => (s.clock.now() - 1_000_000) / 1000

test("createMonitorLoop() polls every POLLFREQ on line power and every POLLFREQALERT on battery", async () => {
  const link = new FakeLink()
  const s = start(conf("secondary"), [link])
  await s.advance(10_000) // polls at 0, 5, 10 s
  assert.equal(link.calls.filter((c) => c === "poll").length, 3)
  link.status = "OB"
  await s.advance(5000) // the poll at 15 s sees OB; then every second
  await s.advance(3000)
  assert.equal(link.calls.filter((c) => c === "poll").length, 3 + 1 + 3)
  s.abort.abort()
  assert.deepEqual(await s.done, { kind: "stopped" })
  assert.equal(link.calls.at(-1), "close", "a stopped monitor logs out like upscli_disconnect")
})

test("createMonitorLoop() primary: FSD, NUMLOGINS every 250 ms until the secondaries leave, FINALDELAY, then flag and shutdown", async () => {
  const link = new FakeLink()
  link.logins = 3
  const s = start(conf("primary"), [link])
  await s.advance(50)
  link.status = "OB LB"
  await s.advance(5000) // poll at 5 s: critical
  assert.equal(at(s), 5.05)
  assert.deepEqual(link.calls.slice(-3), ["poll", "fsd", "numlogins"])
  await s.advance(1000)
  assert.equal(link.calls.filter((c) => c === "numlogins").length, 5, "every 250 ms: 5.0, 5.25, 5.5, 5.75, 6.0")
  link.logins = 1
  await s.advance(250)
  assert.equal(s.loop.state.phase.kind, "finalDelay")
  assert.ok(s.w.logs.some((l) => l.message === "All secondaries have logged out"))
  await s.advance(4900)
  assert.equal(s.outcome(), undefined, "FINALDELAY 5 s is not over")
  await s.advance(200)
  await s.done
  assert.deepEqual(s.w.events, ["write /etc/killpower", "shutdown"])
  assert.equal(s.w.files.get("/etc/killpower"), POWERDOWNFLAG_CONTENT)
  assert.equal(link.calls.at(-1), "drop", "closed without LOGOUT")
  assert.ok(!link.calls.includes("close"))
  assert.deepEqual(s.requests.map((r) => r.shutdownCmd), ["/sbin/shutdown -h +0"])
  assert.equal(s.outcome()?.kind, "shutdown")
})

test("createMonitorLoop() primary stops waiting at HOSTSYNC even when NUMLOGINS never answers", async () => {
  const link = new FakeLink()
  link.logins = "hang"
  link.status = "OB LB"
  const s = start(conf("primary", "FINALDELAY 0"), [link])
  await s.advance(14_900)
  assert.equal(s.outcome(), undefined)
  await s.advance(200)
  await s.done
  assert.ok(s.w.logs.some((l) => l.message === "Host sync timer expired, forcing shutdown"))
  assert.deepEqual(s.w.events, ["write /etc/killpower", "shutdown"])
})

test("createMonitorLoop() secondary shuts down on FSD without setting it, and drops the connection", async () => {
  const link = new FakeLink()
  const s = start(conf("secondary", "FINALDELAY 2"), [link])
  await s.advance(100)
  link.status = { kind: "status", status: "FSD OB LB" }
  await s.advance(5000)
  assert.equal(s.loop.state.phase.kind, "finalDelay")
  await s.advance(2000)
  await s.done
  assert.ok(!link.calls.includes("fsd"))
  assert.ok(!link.calls.includes("numlogins"))
  assert.equal(link.calls.at(-1), "drop")
  // upsmon writes POWERDOWNFLAG whatever its role (research/nut-reference.md §3.1)
  assert.deepEqual(s.w.events, ["write /etc/killpower", "shutdown"])
})

test("createMonitorLoop() runs NOTIFYCMD for EXEC types with NOTIFYTYPE and UPSNAME, and logs SYSLOG ones at notice", async () => {
  const link = new FakeLink()
  const s = start(conf("secondary", "NOTIFYFLAG ONLINE IGNORE"), [link])
  await s.advance(100)
  link.status = "OB"
  await s.advance(5000)
  link.status = "OL"
  await s.advance(1000)
  await s.loop.settle()
  assert.deepEqual(s.w.shell, [{ command: `/usr/local/bin/notify "UPS ${UPS} on battery"`, env: { NOTIFYTYPE: "ONBATT", UPSNAME: UPS } }])
  assert.ok(s.w.logs.some((l) => l.level === "notice" && l.message === `UPS ${UPS} on battery`))
  assert.ok(!s.w.logs.some((l) => l.message.includes("on line power")), "IGNORE: not even logged")
  s.abort.abort()
  await s.done
})

test("createMonitorLoop() runs upssched.conf itself when NOTIFYCMD is upssched: timer fires, or is cancelled", async () => {
  const upssched = parseUpsschedConf(`CMDSCRIPT /usr/local/bin/upssched-cmd
AT ONBATT * START-TIMER onbatt 30
AT ONLINE * CANCEL-TIMER onbatt
`)
  const link = new FakeLink()
  const config = conf("secondary", "NOTIFYCMD /usr/sbin/upssched\nNOTIFYFLAG ONLINE SYSLOG+EXEC")
  const s = start(config, [link], { upssched })
  await s.advance(100)
  link.status = "OB"
  await s.advance(5000) // ONBATT at 5 s
  link.status = "OL"
  await s.advance(10_000) // ONLINE at 6 s cancels it
  link.status = "OB"
  await s.advance(5000) // ONBATT again at 16 s: the timer is due at 46 s
  await s.advance(25_800)
  assert.equal(at(s), 45.9)
  assert.deepEqual(s.w.shell, [])
  await s.advance(100)
  await s.loop.settle()
  assert.deepEqual(s.w.shell, [{ command: "/usr/local/bin/upssched-cmd onbatt", env: { UPSNAME: UPS, NOTIFYTYPE: "ONBATT" } }])
  s.abort.abort()
  await s.done
})

test("createMonitorLoop() dry run: decides and logs, but sets no FSD, runs no NOTIFYCMD and writes no flag", async () => {
  const link = new FakeLink()
  link.status = "OB LB"
  // left by a real shutdown: a dry run leaves it alone too
  const s = start(conf("primary", "FINALDELAY 0"), [link], { dryRun: true }, { "/etc/killpower": POWERDOWNFLAG_CONTENT })
  await s.advance(200)
  await s.advance(15_000)
  await s.done
  assert.ok(!link.calls.includes("fsd"))
  assert.deepEqual(s.w.shell, [])
  assert.deepEqual(s.w.events, ["shutdown"], "the handler runs (its executors are dry too)")
  assert.equal(s.w.files.get("/etc/killpower"), POWERDOWNFLAG_CONTENT)
  assert.ok(s.w.logs.some((l) => l.message === `Dry run: would set FSD on UPS ${UPS}`))
  assert.ok(s.w.logs.some((l) => l.message === "Dry run: would create POWERDOWNFLAG /etc/killpower"))
})

test("createMonitorLoop() removes its own POWERDOWNFLAG at start, and never touches a foreign one", async () => {
  const mine = start(conf("secondary"), [new FakeLink()], {}, { "/etc/killpower": POWERDOWNFLAG_CONTENT })
  await mine.advance(50)
  assert.deepEqual(mine.w.events, ["remove /etc/killpower"])
  mine.abort.abort()
  await mine.done

  const link = new FakeLink()
  link.status = { kind: "status", status: "FSD OL" }
  const s = start(conf("secondary", "FINALDELAY 0"), [link], {}, { "/etc/killpower": "my precious data" })
  await s.advance(100)
  await s.done
  assert.deepEqual(s.w.events, ["shutdown"])
  assert.equal(s.w.files.get("/etc/killpower"), "my precious data")
  assert.ok(s.w.logs.some((l) => l.level === "error" && l.message.includes("does not contain the upsmon magic string - disabling!")))
})

test("createMonitorLoop() forceShutdown() (upsmon -c fsd) wakes the loop between polls", async () => {
  const link = new FakeLink()
  const s = start(conf("primary", "FINALDELAY 0"), [link])
  await s.advance(1000)
  s.loop.forceShutdown("drill")
  await s.advance(50)
  assert.ok(link.calls.includes("fsd"))
  assert.ok(s.w.logs.some((l) => l.message === "User requested FSD: drill"))
  await s.done
  assert.deepEqual(s.w.events, ["write /etc/killpower", "shutdown"])
})

test("createMonitorLoop() feeds pushed updates between polls (the hook for issue 4 item 8)", async () => {
  const link = new FakeLink()
  const s = start(conf("secondary", "FINALDELAY 0"), [link])
  await s.advance(1000)
  link.push("FSD OB LB")
  await s.advance(50)
  await s.done
  assert.equal(at(s), 1.05, "shut down at the push, not at the next poll (5 s)")
  assert.equal(link.calls.filter((c) => c === "poll").length, 1)
})

test("createMonitorLoop() MINSUPPLIES 2 with one of two supplies critical does not shut down", async () => {
  const a = new FakeLink("a@host1")
  const b = new FakeLink("b@host2")
  const config = monitorConfigFromUpsmonConf(
    parseUpsmonConf(`MONITOR a@host1 2 mon pass secondary\nMONITOR b@host2 2 mon pass secondary\nMINSUPPLIES 2\nHOSTSYNC 5\nPOLLFREQALERT 1\n`),
  )
  const s = start(config, [a, b])
  await s.advance(100)
  a.status = "OB LB"
  await s.advance(30_000)
  assert.equal(s.loop.state.phase.kind, "monitoring")
  assert.equal(s.loop.state.power?.mustShutDown, false)
  s.abort.abort()
  await s.done
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { fixture } from "../../test/support/fixture.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import {
  MonitorConfigError,
  createUpsschedState,
  isUpsschedCommand,
  nextUpsschedDue,
  nextUpsschedState,
  parseUpsschedConf,
  type UpsschedConf,
  type UpsschedEffect,
  type UpsschedEvent,
  type UpsschedState,
} from "./index.ts"

// ----- upssched.conf -----

test("parseUpsschedConf() reads TrueNAS's generated upssched.conf", () => {
  const conf = parseUpsschedConf(fixture("truenas/nut-etc-example/upssched.conf"))
  assert.equal(conf.cmdScript, "/usr/bin/sudo /usr/local/bin/custom-upssched-cmd")
  assert.equal(conf.pipeFn, "/var/run/nut/private/upssched.pipe")
  assert.equal(conf.rules.length, 11)
  assert.deepEqual(conf.rules[1], {
    line: 6,
    notifyType: "COMMBAD",
    upsName: "*",
    cmdScript: "/usr/bin/sudo /usr/local/bin/custom-upssched-cmd",
    action: { kind: "start-timer", name: "NOTIFY-COMMBAD", seconds: 10 },
  })
  assert.deepEqual(conf.rules[2]?.action, { kind: "cancel-timer", name: "NOTIFY-COMMBAD", command: "COMMOK" })
  assert.deepEqual(conf.rules[10]?.action, { kind: "cancel-timer", name: "SHUTDOWN" })
  assert.deepEqual(conf.warnings, [])
})

const REFUSED = [
  { name: "an AT line before CMDSCRIPT", text: "AT ONBATT * EXECUTE x\nCMDSCRIPT /bin/true\n", code: "UPSSCHED_INVALID", line: 1 },
  { name: "START-TIMER without seconds", text: "CMDSCRIPT /bin/true\nAT ONBATT * START-TIMER t\n", code: "UPSSCHED_INVALID", line: 2 },
  { name: "an unterminated quote", text: 'CMDSCRIPT "/bin/true\n', code: "UPSSCHED_SYNTAX", line: 1 },
] as const

for (const row of REFUSED) {
  test(`parseUpsschedConf() refuses ${row.name}`, () => {
    assert.throws(
      () => parseUpsschedConf(row.text, "/etc/nut/upssched.conf"),
      (e: unknown) => e instanceof MonitorConfigError && e.code === row.code && e.line === row.line && e.message.startsWith("Cannot read /etc/nut/upssched.conf: /etc/nut/upssched.conf:"),
    )
  })
}

const WARNED = [
  { name: "an unknown directive", text: "CMDSCRIPT /bin/true\nFOO bar\n", warning: "invalid directive FOO bar" },
  { name: "an AT line with too few words", text: "CMDSCRIPT /bin/true\nAT ONBATT * EXECUTE\n", warning: "invalid directive AT ONBATT * EXECUTE" },
  { name: "an unknown command", text: "CMDSCRIPT /bin/true\nAT ONBATT * RUN x\n", warning: "invalid command RUN" },
  { name: "a lower-case command (upssched compares exactly)", text: "CMDSCRIPT /bin/true\nAT ONBATT * execute x\n", warning: "invalid command execute" },
  { name: "a negative timer", text: "CMDSCRIPT /bin/true\nAT ONBATT * START-TIMER t -5\n", warning: "bogus offset -5" },
  { name: "a notify type nutctl never raises", text: "CMDSCRIPT /bin/true\nAT SUSPEND_STARTING * EXECUTE x\n", warning: "never matches" },
] as const

for (const row of WARNED) {
  test(`parseUpsschedConf() warns about ${row.name}`, () => {
    const conf = parseUpsschedConf(row.text)
    assert.equal(conf.warnings.length, 1)
    assert.match(conf.warnings[0]?.message ?? "", new RegExp(row.warning.replace(/[*+]/g, "\\$&")))
  })
}

test("parseUpsschedConf() reads a timer like strtol: 30s is 30 seconds (with a warning)", () => {
  const conf = parseUpsschedConf("CMDSCRIPT /bin/true\nAT ONBATT * START-TIMER t 30s\n")
  assert.deepEqual(conf.rules[0]?.action, { kind: "start-timer", name: "t", seconds: 30 })
  assert.equal(conf.warnings.length, 1)
})

// ----- the timer table -----

const CONF = parseUpsschedConf(`
CMDSCRIPT /usr/local/bin/upssched-cmd
AT ONBATT * START-TIMER onbatt 300
AT ONLINE * CANCEL-TIMER onbatt
AT ONLINE rack@nas EXECUTE back-on-line
AT COMMBAD * START-TIMER commbad 10
AT COMMOK * CANCEL-TIMER commbad commok-quick
AT lowbatt * EXECUTE lowbatt
AT LOWBATT * EXECUTE lowbatt-again
`)

class Sched {
  state: UpsschedState = createUpsschedState()
  readonly clock = new ManualClock(1_000_000)
  readonly config: UpsschedConf
  constructor(config: UpsschedConf = CONF) {
    this.config = config
  }
  feed(event: UpsschedEvent): UpsschedEffect[] {
    const t = nextUpsschedState(this.state, event, { now: this.clock.now(), config: this.config })
    this.state = t.state
    return [...t.effects]
  }
  notify(type: string, system = "rack@nas"): UpsschedEffect[] {
    return this.feed({ kind: "notify", type, system })
  }
  async after(ms: number): Promise<UpsschedEffect[]> {
    await this.clock.advance(ms)
    return this.feed({ kind: "tick" })
  }
}

const runs = (effects: readonly UpsschedEffect[]): string[] => effects.flatMap((e) => (e.type === "execute" ? [`${e.shell} [${e.reason}]`] : []))

test("nextUpsschedState() shuts down after 5 minutes on battery: the timer fires at 300 s", async () => {
  const s = new Sched()
  assert.deepEqual(s.notify("ONBATT"), [{ type: "timerStarted", name: "onbatt", dueAt: 1_300_000 }])
  assert.equal(nextUpsschedDue(s.state), 1_300_000)
  assert.deepEqual(runs(await s.after(299_999)), [])
  const fired = await s.after(1)
  assert.deepEqual(runs(fired), ["/usr/local/bin/upssched-cmd onbatt [timer]"])
  assert.deepEqual(fired[0]?.type === "execute" ? fired[0].env : undefined, { UPSNAME: "rack@nas", NOTIFYTYPE: "ONBATT" })
  assert.equal(nextUpsschedDue(s.state), undefined)
})

test("nextUpsschedState() cancels the timer when power returns", async () => {
  const s = new Sched()
  s.notify("ONBATT")
  await s.after(60_000)
  const back = s.notify("ONLINE")
  assert.deepEqual(back[0], { type: "timerCancelled", name: "onbatt" })
  assert.deepEqual(runs(back), ["/usr/local/bin/upssched-cmd back-on-line [EXECUTE]"])
  assert.deepEqual(runs(await s.after(600_000)), [])
})

test("nextUpsschedState() matches the UPS exactly (or *) and the notify type in any case", () => {
  const s = new Sched()
  assert.deepEqual(runs(s.notify("ONLINE", "rack@NAS")), [], "UPS names compare case-sensitively")
  assert.deepEqual(runs(s.notify("online", "rack@nas")), ["/usr/local/bin/upssched-cmd back-on-line [EXECUTE]"])
  // Every matching line applies, in file order.
  assert.deepEqual(runs(s.notify("LowBatt")), ["/usr/local/bin/upssched-cmd lowbatt [EXECUTE]", "/usr/local/bin/upssched-cmd lowbatt-again [EXECUTE]"])
})

test("nextUpsschedState() CANCEL-TIMER runs its command when no such timer runs", async () => {
  const s = new Sched()
  assert.deepEqual(runs(s.notify("COMMOK")), ["/usr/local/bin/upssched-cmd commok-quick [CANCEL-TIMER]"])
  s.notify("COMMBAD")
  await s.after(5_000)
  assert.deepEqual(s.notify("COMMOK"), [{ type: "timerCancelled", name: "commbad" }])
})

test("nextUpsschedState() START-TIMER does not merge timers of the same name; CANCEL removes the first", async () => {
  const s = new Sched()
  s.notify("ONBATT")
  await s.after(100_000)
  s.notify("ONBATT")
  assert.equal(s.state.timers.length, 2)
  s.notify("ONLINE")
  assert.deepEqual(s.state.timers.map((t) => t.dueAt), [1_400_000])
  assert.deepEqual(runs(await s.after(299_999)), [])
  assert.deepEqual(runs(await s.after(1)), ["/usr/local/bin/upssched-cmd onbatt [timer]"])
})

test("nextUpsschedState() fires a 0 s timer at once", () => {
  const s = new Sched(parseUpsschedConf("CMDSCRIPT /bin/h\nAT FSD * START-TIMER now 0\n"))
  assert.deepEqual(runs(s.notify("FSD")), ["/bin/h now [timer]"])
})

test("isUpsschedCommand() recognises NOTIFYCMD upssched by its program name", () => {
  assert.equal(isUpsschedCommand("/usr/sbin/upssched"), true)
  assert.equal(isUpsschedCommand("upssched"), true)
  assert.equal(isUpsschedCommand("/usr/local/bin/my-upssched-wrapper"), false)
  assert.equal(isUpsschedCommand(undefined), false)
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { parseUpsmonConf } from "../config/index.ts"
import { formatNotifyMessage, monitorConfigFromUpsmonConf, notifyCommand, notifyRecord } from "./index.ts"

const FORMATS = [
  { name: "fills the first %s with the UPS", format: "UPS %s on battery", args: ["rack@h"], out: "UPS rack@h on battery" },
  { name: "fills a second %s with the detail", format: "UPS %s: one or more active alarms: [%s]", args: ["rack@h", "Replace battery"], out: "UPS rack@h: one or more active alarms: [Replace battery]" },
  { name: "leaves a missing argument empty", format: "%s and %s", args: ["a"], out: "a and " },
  { name: "keeps a message without %s as written", format: "Auto logout and shutdown proceeding", args: [""], out: "Auto logout and shutdown proceeding" },
  { name: "turns %% into %", format: "100%% sure: %s", args: ["x"], out: "100% sure: x" },
  { name: "leaves other % sequences alone", format: "%d %s", args: ["x"], out: "%d x" },
  { name: "cuts at 511 characters (upsmon's SMALLBUF)", format: "%s", args: ["y".repeat(600)], out: "y".repeat(511) },
] as const

for (const row of FORMATS) {
  test(`formatNotifyMessage() ${row.name}`, () => {
    assert.equal(formatNotifyMessage(row.format, row.args), row.out)
  })
}

const CONFIG = monitorConfigFromUpsmonConf(
  parseUpsmonConf('MONITOR rack@h 1 u p primary\nNOTIFYCMD "/usr/bin/notify --to ops"\nNOTIFYFLAG ONBATT SYSLOG+EXEC\nNOTIFYFLAG ONLINE EXEC+IGNORE\n'),
)

test("notifyCommand() runs NOTIFYCMD with the message in double quotes and only NOTIFYTYPE and UPSNAME set", () => {
  const record = notifyRecord({ type: "ONBATT", system: "rack@h" }, { now: 5, config: CONFIG })
  assert.deepEqual(notifyCommand(record, CONFIG.notifyCmd), { shell: '/usr/bin/notify --to ops "UPS rack@h on battery"', env: { NOTIFYTYPE: "ONBATT", UPSNAME: "rack@h" } })
})

test("notifyCommand() gives SHUTDOWN an empty UPSNAME", () => {
  const config = { ...CONFIG, notifyFlags: { ...CONFIG.notifyFlags, SHUTDOWN: { syslog: false, wall: false, exec: true, ignore: false } } }
  const record = notifyRecord({ type: "SHUTDOWN" }, { now: 5, config })
  assert.deepEqual(notifyCommand(record, config.notifyCmd)?.env, { NOTIFYTYPE: "SHUTDOWN", UPSNAME: "" })
})

test("notifyCommand() is undefined without EXEC, with IGNORE, or without NOTIFYCMD", () => {
  const lowbatt = notifyRecord({ type: "LOWBATT", system: "rack@h" }, { now: 5, config: CONFIG })
  const online = notifyRecord({ type: "ONLINE", system: "rack@h" }, { now: 5, config: CONFIG })
  const onbatt = notifyRecord({ type: "ONBATT", system: "rack@h" }, { now: 5, config: CONFIG })
  assert.equal(notifyCommand(lowbatt, CONFIG.notifyCmd), undefined)
  assert.equal(notifyCommand(online, CONFIG.notifyCmd), undefined)
  assert.equal(notifyCommand(onbatt, undefined), undefined)
})

/**
 * The client commands (status, list, get, set, cmd, fsd) end to end against an in-memory NUT
 * server: output, exit codes, usage errors and password handling. Real-upsd comparisons are in
 * test/interop/client-vs-real-upsd.test.ts.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { runCommand, type CommandDef } from "citty"
import { createScriptedServer, type ClientClock, type ScriptedAnswer } from "../client/index.ts"
import cmd from "./cmd.ts"
import fsd from "./fsd.ts"
import get from "./get.ts"
import list from "./list.ts"
import set from "./set.ts"
import status from "./status.ts"

interface Run {
  code: unknown
  out: string
  err: string
  requests: string[]
}

const fastClock: ClientClock = { now: (() => { let t = 0; return () => (t += 1000) })(), sleep: async () => {} }

async function run(command: CommandDef<any>, rawArgs: string[], answer: ScriptedAnswer, extra: { env?: Record<string, string>; files?: Record<string, string>; refuse?: boolean } = {}): Promise<Run> {
  const server = createScriptedServer(answer, { refuse: extra.refuse ?? false })
  let out = ""
  let err = ""
  const { result } = await runCommand(command, {
    rawArgs,
    data: {
      io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) },
      env: extra.env ?? {},
      readFile: async (path: string) => {
        const text = extra.files?.[path]
        if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`)
        return text
      },
      dialer: server.dialer,
      clock: fastClock,
    },
  })
  process.exitCode = undefined // the command sets it for main.ts; the test runner must not see it
  return { code: result, out, err, requests: server.requests }
}

const VARS: Record<string, string> = {
  "battery.charge": "100",
  "battery.runtime": "823",
  "device.model": "Back-UPS BVK750M2",
  "ups.status": "OL CHRG",
}

/** A small upsd: UPS bvk (driver up) and nodrv (driver down), user admin/pw. */
const upsd: ScriptedAnswer = (line) => {
  const w = line.split(" ")
  if (line === "STARTTLS") return "ERR FEATURE-NOT-CONFIGURED"
  if (line === "LIST UPS") return ["BEGIN LIST UPS", 'UPS bvk "Rack UPS"', 'UPS nodrv "Description unavailable"', "END LIST UPS"]
  if (w[0] === "LIST" && w[2] === "nodrv") return "ERR DRIVER-NOT-CONNECTED"
  if (w[0] === "LIST" && w[2] !== "bvk") return "ERR UNKNOWN-UPS"
  if (line === "LIST VAR bvk") return ["BEGIN LIST VAR bvk", ...Object.entries(VARS).map(([k, v]) => `VAR bvk ${k} "${v}"`), "END LIST VAR bvk"]
  if (line === "LIST CLIENT bvk") return ["BEGIN LIST CLIENT bvk", "CLIENT bvk 10.0.0.5", "CLIENT bvk ::1", "END LIST CLIENT bvk"]
  if (line === "LIST CMD bvk") return ["BEGIN LIST CMD bvk", "CMD bvk beeper.disable", "CMD bvk load.off", "END LIST CMD bvk"]
  if (line === "LIST RW bvk") return ["BEGIN LIST RW bvk", 'RW bvk input.sensitivity "medium"', "END LIST RW bvk"]
  if (line === "LIST ENUM bvk input.sensitivity") return ["BEGIN LIST ENUM bvk input.sensitivity", 'ENUM bvk input.sensitivity "low"', 'ENUM bvk input.sensitivity "medium"', "END LIST ENUM bvk input.sensitivity"]
  if (w[0] === "GET" && w[1] === "UPSDESC") return w[2] === "bvk" ? 'UPSDESC bvk "Rack UPS"' : "ERR UNKNOWN-UPS"
  if (line === "GET VAR bvk input.sensitivity") return 'VAR bvk input.sensitivity "medium"'
  if (w[0] === "GET" && w[1] === "VAR" && w[2] === "bvk") return w[3] !== undefined && VARS[w[3]] !== undefined ? `VAR bvk ${w[3]} "${VARS[w[3]]}"` : "ERR VAR-NOT-SUPPORTED"
  if (line === "GET TYPE bvk input.sensitivity") return "TYPE bvk input.sensitivity RW ENUM STRING:10"
  if (line === "GET DESC bvk input.sensitivity") return 'DESC bvk input.sensitivity "Input power sensitivity"'
  if (w[0] === "GET" && w[1] === "CMDDESC") return w[3] === "load.off" ? `CMDDESC bvk load.off "Turn off the load immediately"` : "ERR UNKNOWN-COMMAND"
  if (w[0] === "USERNAME" || w[0] === "PASSWORD" || line === "SET TRACKING ON") return "OK"
  if (w[0] === "SET" || w[0] === "INSTCMD" || w[0] === "FSD") return "OK TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263"
  if (w[0] === "GET" && w[1] === "TRACKING") return "SUCCESS"
  if (line === "LOGOUT") return "OK Goodbye"
  return "ERR UNKNOWN-COMMAND"
}

test("nutctl get prints var: value lines like upsc, and one value", async () => {
  const all = await run(get, ["bvk@nas"], upsd)
  assert.equal(all.code, 0)
  assert.equal(all.out, "battery.charge: 100\nbattery.runtime: 823\ndevice.model: Back-UPS BVK750M2\nups.status: OL CHRG\n")
  assert.deepEqual(all.requests, ["STARTTLS", "LIST VAR bvk", "LOGOUT"]) // upsc's wire sequence
  const one = await run(get, ["bvk@nas", "ups.status"], upsd)
  assert.equal(one.out, "OL CHRG\n")
})

test("nutctl get exits 1 on NUT errors and 2 on usage errors", async () => {
  const bad = await run(get, ["bvk@nas", "ups.bogus"], upsd)
  assert.equal(bad.code, 1)
  assert.match(bad.err, /Variable not supported by UPS \(VAR-NOT-SUPPORTED\)/)
  assert.equal((await run(get, ["nodrv@nas"], upsd)).code, 1)
  const old = await run(get, ["bvk@nas", "STATUS"], upsd)
  assert.equal(old.code, 2)
  assert.match(old.err, /Old-style variable names/)
  assert.equal((await run(get, [], upsd)).code, 2)
  assert.equal((await run(get, ["bvk@nas:99999"], upsd)).code, 2)
})

test("nutctl get exits 3 when it cannot connect", async () => {
  const r = await run(get, ["bvk@nas:3493"], upsd, { refuse: true })
  assert.equal(r.code, 3)
  assert.match(r.err, /Cannot connect to nas:3493/)
})

test("nutctl list prints UPS names, -L descriptions, --clients and --vars", async () => {
  assert.equal((await run(list, ["nas"], upsd)).out, "bvk\nnodrv\n")
  assert.equal((await run(list, ["-L", "nas"], upsd)).out, "bvk: Rack UPS\nnodrv: Description unavailable\n")
  assert.equal((await run(list, ["--clients", "bvk@nas"], upsd)).out, "10.0.0.5\n::1\n")
  assert.equal((await run(list, ["-c", "bvk"], upsd)).out, "10.0.0.5\n::1\n")
  assert.match((await run(list, ["bvk@nas"], upsd)).out, /^battery.charge: 100\n/)
  assert.equal((await run(list, ["--vars", "--clients", "bvk@nas"], upsd)).code, 2)
  assert.equal((await run(list, ["-L", "bvk@nas"], upsd)).code, 2)
})

test("nutctl status summarises every UPS and words driver errors", async () => {
  const r = await run(status, ["@nas"], upsd)
  assert.equal(r.code, 1) // nodrv has no driver
  assert.match(r.out, /^bvk@nas:3493 \(Rack UPS\)\n {2}Status: +On line, charging \[OL CHRG\]\n {2}Battery charge: +100 %\n {2}Runtime: +13.7 min \(823 s\)\n/)
  assert.match(r.out, /\nnodrv@nas:3493\n {2}Error: +Driver not connected: no driver is serving this UPS on the server\n/)
})

test("nutctl status --json prints the documented object", async () => {
  const r = await run(status, ["bvk@nas", "--json"], upsd)
  assert.equal(r.code, 0)
  const json = JSON.parse(r.out) as { server: unknown; ups: Array<Record<string, unknown>> }
  assert.deepEqual(json.server, { host: "nas", port: 3493 })
  assert.equal(json.ups.length, 1)
  const ups = json.ups[0]
  assert.equal(ups?.["name"], "bvk")
  assert.equal(ups?.["target"], "bvk@nas:3493")
  assert.equal(ups?.["description"], "Rack UPS")
  assert.deepEqual((ups?.["battery"] as Record<string, unknown>)["charge"], 100)
  assert.deepEqual((ups?.["status"] as Record<string, unknown>)["flags"], ["OL", "CHRG"])
})

test("nutctl set lists writable variables like upsrw without VAR=VALUE", async () => {
  const r = await run(set, ["bvk@nas"], upsd)
  assert.equal(r.code, 0)
  assert.equal(r.out, '[input.sensitivity]\nInput power sensitivity\nType: ENUM STRING\nMaximum length: 10\nOption: "low"\nOption: "medium" SELECTED\n\n')
})

test("nutctl set sends upsrw's sequence and prints the tracked result", async () => {
  const r = await run(set, ["bvk@nas", "ups.delay.shutdown=30", "-u", "admin", "-p", "pw", "--tls", "off"], upsd)
  assert.equal(r.code, 0)
  assert.equal(r.out, "SUCCESS\n")
  assert.deepEqual(r.requests.slice(0, 4), ["USERNAME admin", "PASSWORD pw", "SET TRACKING ON", 'SET VAR bvk ups.delay.shutdown "30"'])
  assert.equal(r.requests.at(-2), "GET TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263")
})

test("nutctl set --no-wait only sends, and VAR VALUE works too", async () => {
  const r = await run(set, ["bvk@nas", "ups.id", "my ups", "-u", "admin", "-p", "pw", "--no-wait", "--tls", "off"], upsd)
  assert.equal(r.out, "OK\n")
  assert.ok(!r.requests.includes("SET TRACKING ON"))
  assert.ok(r.requests.includes('SET VAR bvk ups.id "my ups"'))
})

test("nutctl set takes the password from --password-file or NUTCTL_PASSWORD and never prints it", async () => {
  const fromFile = await run(set, ["bvk@nas", "ups.id=x", "-u", "admin", "--password-file", "/etc/pw", "--tls", "off"], upsd, { files: { "/etc/pw": "filepw\n" } })
  assert.ok(fromFile.requests.includes("PASSWORD filepw"))
  const fromEnv = await run(set, ["bvk@nas", "ups.id=x", "-u", "admin", "--tls", "off"], upsd, { env: { NUTCTL_PASSWORD: "envpw" } })
  assert.ok(fromEnv.requests.includes("PASSWORD envpw"))
  const denied = await run(set, ["bvk@nas", "ups.id=x", "-u", "admin", "-p", "s3cret"], (line) => (line.startsWith("SET VAR") ? "ERR ACCESS-DENIED" : upsd(line, { tls: false, connection: 1 })))
  assert.equal(denied.code, 1)
  assert.match(denied.err, /Access denied \(ACCESS-DENIED\)/)
  assert.ok(!(denied.out + denied.err).includes("s3cret"))
})

test("nutctl set refuses a missing user, password or value with exit 2", async () => {
  assert.equal((await run(set, ["bvk@nas", "ups.id=x", "-p", "pw"], upsd)).code, 2)
  assert.equal((await run(set, ["bvk@nas", "ups.id=x", "-u", "admin"], upsd)).code, 2)
  assert.equal((await run(set, ["bvk@nas", "ups.id", "-u", "admin", "-p", "pw"], upsd)).code, 2)
  assert.equal((await run(set, ["bvk@nas", "ups.id=x", "-u", "admin", "--password-file", "/nope"], upsd)).code, 2)
})

test("nutctl cmd runs a command with its parameter and reports driver failures", async () => {
  const ok = await run(cmd, ["bvk@nas", "load.off.delay", "30", "-u", "admin", "-p", "pw", "--tls", "off"], upsd)
  assert.equal(ok.code, 0)
  assert.equal(ok.out, "SUCCESS\n")
  assert.ok(ok.requests.includes("INSTCMD bvk load.off.delay 30"))
  const failed = await run(cmd, ["bvk@nas", "load.off", "-u", "admin", "-p", "pw"], (line, s) => (line.startsWith("GET TRACKING") ? "ERR FAILED" : upsd(line, s)))
  assert.equal(failed.code, 1)
  assert.equal(failed.out, "FAILED\n")
  const pending = await run(cmd, ["bvk@nas", "load.off", "-u", "admin", "-p", "pw", "--wait-timeout", "2"], (line, s) => (line.startsWith("GET TRACKING") ? "PENDING" : upsd(line, s)))
  assert.equal(pending.code, 3)
  assert.equal(pending.out, "PENDING\n")
})

test("nutctl cmd -l lists commands like upscmd -l", async () => {
  const r = await run(cmd, ["-l", "bvk@nas"], upsd)
  assert.equal(r.out, "Instant commands supported on UPS [bvk]:\n\nbeeper.disable\nload.off - Turn off the load immediately\n")
})

test("nutctl fsd refuses without --yes and explains, sets FSD with it", async () => {
  const refused = await run(fsd, ["bvk@nas", "-u", "admin", "-p", "pw"], upsd)
  assert.equal(refused.code, 2)
  assert.match(refused.err, /every monitor/i)
  assert.deepEqual(refused.requests, [])
  const done = await run(fsd, ["bvk@nas", "-u", "admin", "-p", "pw", "--yes", "--tls", "off"], (line, s) => (line === "FSD bvk" ? "OK FSD-SET" : upsd(line, s)))
  assert.equal(done.code, 0)
  assert.deepEqual(done.requests.slice(0, 3), ["USERNAME admin", "PASSWORD pw", "FSD bvk"])
})

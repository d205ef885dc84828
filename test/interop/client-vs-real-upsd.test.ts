/**
 * nutctl's NUT client and client commands against Debian's real upsd 2.8.0 + dummy-ups: every
 * client method, `nutctl get/list/set/cmd` output byte-equal to upsc/upsrw/upscmd, `status --json`
 * values equal to upsc's, tracked SET/INSTCMD results as real upsd reports them, NutError codes.
 */
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { after, before, test } from "node:test"
import { runCommand, type CommandDef } from "citty"
import { NutClient, NutClientError } from "../../src/client/index.ts"
import { NutError } from "../../src/protocol/index.ts"
import cmdCommand from "../../src/cli/cmd.ts"
import fsdCommand from "../../src/cli/fsd.ts"
import getCommand from "../../src/cli/get.ts"
import listCommand from "../../src/cli/list.ts"
import setCommand from "../../src/cli/set.ts"
import statusCommand from "../../src/cli/status.ts"
import { fixturePath } from "../support/fixture.ts"
import { hasRealNut, startRealNut, type RealNut } from "../support/real-nut.ts"

const skip = hasRealNut() ? false : "Debian's nut-server/nut-client are not installed (.ci/run installs them)"

const USERS = `[admin]
\tpassword = adminpass
\tactions = SET FSD
\tinstcmds = ALL
\tupsmon primary
[monsec]
\tpassword = secpass
\tupsmon secondary
`

let nut: RealNut
let where: string

before(async () => {
  if (skip) return
  nut = await startRealNut({
    ups: [
      { name: "bvk", file: fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev"), desc: 'APC Back-UPS "BVK" #1' },
      { name: "spare", file: fixturePath("nut-ddl/APC__Back-UPS_BK650M2-CH__usbhid-ups__2.8.0__01.dev") },
      { name: "nodrv", desc: "never started" },
    ],
    users: USERS,
  })
  where = `127.0.0.1:${nut.port}`
  await waitForDriverData(["bvk", "spare"])
})

/** upsd answers `ups.status "WAIT"` until the driver's first dump arrived (an external process: poll). */
async function waitForDriverData(upses: readonly string[]): Promise<void> {
  const c = await connect()
  try {
    const until = Date.now() + 10_000
    for (const ups of upses) {
      while ((await c.getVar(ups, "ups.status")) === "WAIT") {
        if (Date.now() > until) throw new Error(`dummy-ups for ${ups} sent no data within 10 s`)
        await new Promise((r) => setTimeout(r, 50))
      }
    }
  } finally {
    c.close()
  }
}

after(async () => {
  if (!skip) await nut.stop()
})

function connect(options: { tls?: "off" | "try" | "require" } = {}): Promise<NutClient> {
  return NutClient.connect({ host: "127.0.0.1", port: nut.port, ...options })
}

async function nutctl(command: CommandDef<any>, rawArgs: string[]): Promise<{ code: unknown; out: string; err: string }> {
  let out = ""
  let err = ""
  const { result } = await runCommand(command, { rawArgs, data: { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) }, env: {} } })
  process.exitCode = undefined // set for main.ts; must not leak into the test runner
  return { code: result, out, err }
}

/**
 * Run upsc/upsrw/upscmd. stdin is closed from the start: support/run.ts writes to stdin, which
 * races with upsc exiting at once (EPIPE).
 */
function nutTool(tool: "upsc" | "upsrw" | "upscmd", args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(`/usr/bin/${tool}`, args, { env: nut.env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000)
    child.on("error", reject)
    child.on("close", (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

const isNutError = (code: string) => (e: unknown) => e instanceof NutError && e.code === code

test("NutClient informational and LIST methods against real upsd", { skip }, async () => {
  const c = await connect()
  assert.equal(await c.ver(), "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/")
  assert.equal(await c.netver(), "1.3")
  assert.deepEqual(await c.listUps(), [
    { name: "bvk", desc: 'APC Back-UPS "BVK" #1' },
    { name: "spare", desc: "Description unavailable" },
    { name: "nodrv", desc: "never started" },
  ])
  const vars = await c.listVar("bvk")
  assert.deepEqual(vars.find((v) => v.name === "device.model"), { name: "device.model", value: "Back-UPS BVK750M2" })
  assert.ok((await c.listRw("bvk")).length > 0)
  assert.deepEqual(await c.listCmd("bvk"), ["load.off"])
  assert.deepEqual(await c.listEnum("bvk", "ups.status"), [])
  assert.deepEqual(await c.listRange("bvk", "ups.status"), [])
  assert.deepEqual(await c.listClient("bvk"), [])
  c.close()
})

test("NutClient GET methods against real upsd", { skip }, async () => {
  const c = await connect()
  assert.equal(await c.getVar("bvk", "ups.status"), "OL")
  assert.equal(await c.getVar("BVK", "UPS.STATUS"), "OL")
  assert.equal(await c.getVar("nosuch", "server.version"), "2.8.0")
  const type = await c.getType("bvk", "ups.status")
  assert.equal(type.rw, true)
  assert.equal(type.kind, "STRING")
  assert.equal(await c.getDesc("bvk", "ups.status"), "UPS status")
  assert.equal(await c.getCmdDesc("bvk", "load.off"), "Turn off the load immediately")
  assert.equal(await c.getUpsDesc("bvk"), 'APC Back-UPS "BVK" #1')
  assert.equal(await c.getUpsDesc("spare"), "Unavailable")
  assert.equal(await c.getNumLogins("bvk"), 0)
  assert.equal(await c.getTrackingMode(), false)
  c.close()
})

test("NutClient gets upsd's ERR codes as NutError", { skip }, async () => {
  const c = await connect()
  await assert.rejects(c.getVar("nosuch", "ups.status"), isNutError("UNKNOWN-UPS"))
  await assert.rejects(c.getVar("bvk", "ups.bogus"), isNutError("VAR-NOT-SUPPORTED"))
  await assert.rejects(c.listVar("nodrv"), isNutError("DRIVER-NOT-CONNECTED"))
  await assert.rejects(c.getTracking("00000000-0000-0000-0000-000000000000"), isNutError("FEATURE-NOT-CONFIGURED"))
  await assert.rejects(c.login("bvk"), isNutError("USERNAME-REQUIRED"))
  await c.authenticate("monsec", "secpass")
  await assert.rejects(c.setVar("bvk", "ups.delay.shutdown", "30"), isNutError("ACCESS-DENIED"))
  await assert.rejects(c.instcmd("bvk", "bogus.cmd"), isNutError("CMD-NOT-SUPPORTED"))
  await assert.rejects(c.primary("bvk"), isNutError("ACCESS-DENIED"))
  // the session is still usable after every refusal
  assert.equal(await c.getVar("bvk", "ups.status"), "OL")
  c.close()
})

test("NutClient logs in like upsmon; LIST CLIENT and NUMLOGINS see it", { skip }, async () => {
  const primary = await connect()
  await primary.authenticate("admin", "adminpass")
  await primary.login("bvk")
  assert.equal(await primary.primary("bvk"), "PRIMARY")
  const secondary = await connect()
  await secondary.authenticate("monsec", "secpass")
  await secondary.login("bvk")
  const observer = await connect()
  assert.equal(await observer.getNumLogins("bvk"), 2)
  assert.deepEqual(await observer.listClient("bvk"), ["127.0.0.1", "127.0.0.1"])
  // nutctl list --clients prints what upsc -c prints
  const upsc = await nutTool("upsc", ["-c", `bvk@${where}`])
  const ours = await nutctl(listCommand, ["--clients", `bvk@${where}`])
  assert.equal(ours.out, upsc.stdout)
  await secondary.logout()
  await primary.logout()
  observer.close()
})

test("NutClient STARTTLS: try goes on in clear text with Debian's upsd, require fails", { skip }, async () => {
  const c = await connect({ tls: "try" })
  assert.equal(c.secure, false)
  assert.equal(await c.netver(), "1.3")
  c.close()
  await assert.rejects(connect({ tls: "require" }), (e: unknown) => e instanceof NutClientError && e.code === "tls-failed")
})

test("NutClient.setVar() and instcmd() with tracking return what real upsd reports", { skip }, async () => {
  const c = await connect()
  await c.authenticate("admin", "adminpass")
  const set = await c.setVar("bvk", "ups.delay.shutdown", "35", { track: true })
  assert.equal(set.result, "SUCCESS")
  assert.match(set.trackingId ?? "", /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/)
  assert.equal(await c.getVar("bvk", "ups.delay.shutdown"), "35")
  // dummy-ups 2.8.0 has no instant command handler: the driver answers TRACKING … 1 (ERR UNKNOWN)
  assert.equal((await c.instcmd("bvk", "load.off", undefined, { track: true })).result, "UNKNOWN")
  assert.deepEqual(await c.instcmd("bvk", "load.off", "5"), { result: "OK" })
  await c.logout()
})

test("nutctl get and list print exactly what upsc prints", { skip }, async () => {
  const cases: Array<[CommandDef<any>, string[], string[]]> = [
    [getCommand, [`bvk@${where}`], [`bvk@${where}`]],
    [getCommand, [`bvk@${where}`, "ups.status"], [`bvk@${where}`, "ups.status"]],
    [getCommand, [`bvk@${where}`, "driver.parameter.port"], [`bvk@${where}`, "driver.parameter.port"]],
    [listCommand, [`spare@${where}`], [`spare@${where}`]],
    [listCommand, [where], ["-l", where]],
    [listCommand, ["-L", where], ["-L", where]],
  ]
  for (const [command, ours, theirs] of cases) {
    const upsc = await nutTool("upsc", theirs)
    assert.equal(upsc.status, 0, upsc.stderr)
    const r = await nutctl(command, ours)
    assert.equal(r.code, 0, r.err)
    assert.equal(r.out, upsc.stdout, `nutctl ${ours.join(" ")} vs upsc ${theirs.join(" ")}`)
  }
})

test("nutctl get fails where upsc fails", { skip }, async () => {
  for (const target of [[`nosuch@${where}`], [`nodrv@${where}`], [`bvk@${where}`, "ups.bogus"]]) {
    const upsc = await nutTool("upsc", target)
    const r = await nutctl(getCommand, target)
    assert.equal(upsc.status, 1)
    assert.equal(r.code, 1)
    assert.equal(r.out, "")
  }
})

test("nutctl set and cmd -l list exactly what upsrw and upscmd -l print", { skip }, async () => {
  const upsrw = await nutTool("upsrw", [`bvk@${where}`])
  assert.equal((await nutctl(setCommand, [`bvk@${where}`])).out, upsrw.stdout)
  const upscmd = await nutTool("upscmd", ["-l", `bvk@${where}`])
  assert.equal((await nutctl(cmdCommand, ["-l", `bvk@${where}`])).out, upscmd.stdout)
})

test("nutctl set and cmd wait for the same results upsrw -w and upscmd -w report", { skip }, async () => {
  const upsrw = await nutTool("upsrw", ["-w", "-s", "ups.delay.shutdown=45", "-u", "admin", "-p", "adminpass", `bvk@${where}`])
  assert.equal(upsrw.stderr.trim().split("\n").at(-1), "SUCCESS")
  const set = await nutctl(setCommand, [`bvk@${where}`, "ups.delay.shutdown=50", "-u", "admin", "-p", "adminpass"])
  assert.equal(set.code, 0)
  assert.equal(set.out, "SUCCESS\n")
  assert.equal((await nutctl(getCommand, [`bvk@${where}`, "ups.delay.shutdown"])).out, "50\n")
  const upscmd = await nutTool("upscmd", ["-w", "-u", "admin", "-p", "adminpass", `bvk@${where}`, "load.off"])
  assert.equal(upscmd.stderr.trim().split("\n").at(-1), "ERR UNKNOWN")
  const cmd = await nutctl(cmdCommand, [`bvk@${where}`, "load.off", "-u", "admin", "-p", "adminpass"])
  assert.equal(cmd.out, "UNKNOWN\n")
  assert.equal(cmd.code, 1)
  const denied = await nutctl(setCommand, [`bvk@${where}`, "ups.delay.shutdown=50", "-u", "admin", "-p", "wrong"])
  assert.equal(denied.code, 1)
  assert.match(denied.err, /ACCESS-DENIED/)
})

test("nutctl status --json has upsc's values", { skip }, async () => {
  const upsc = await nutTool("upsc", [`bvk@${where}`])
  const vars = Object.fromEntries(upsc.stdout.trimEnd().split("\n").map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]))
  const r = await nutctl(statusCommand, [`bvk@${where}`, "--json"])
  assert.equal(r.code, 0, r.err)
  const ups = (JSON.parse(r.out) as { ups: Array<Record<string, any>> }).ups[0]
  assert.ok(ups)
  assert.deepEqual(ups["vars"], vars)
  assert.equal(ups["description"], 'APC Back-UPS "BVK" #1')
  assert.equal(ups["status"].raw, vars["ups.status"])
  assert.equal(ups["battery"].charge, Number(vars["battery.charge"]))
  assert.equal(ups["battery"].runtime, Number(vars["battery.runtime"]))
  assert.equal(ups["battery"].voltage, Number(vars["battery.voltage"]))
  assert.equal(ups["battery"].mfrDate, vars["battery.mfr.date"])
  assert.equal(ups["load"], Number(vars["ups.load"]))
  assert.equal(ups["input"].voltage, Number(vars["input.voltage"]))
  assert.equal(ups["selfTest"], vars["ups.test.result"])
  assert.deepEqual(ups["device"], { mfr: vars["device.mfr"], model: vars["device.model"], serial: vars["device.serial"] })
})

test("nutctl status without a UPS reports every UPS and words the missing driver", { skip }, async () => {
  const r = await nutctl(statusCommand, [`@${where}`])
  assert.equal(r.code, 1)
  assert.match(r.out, /^bvk@127\.0\.0\.1:\d+ \(APC Back-UPS "BVK" #1\)\n {2}Status: +On line \[OL\]\n/)
  assert.match(r.out, /\nnodrv@127\.0\.0\.1:\d+ \(never started\)\n {2}Error: +Driver not connected/)
})

test("nutctl fsd sets the FSD latch real upsd shows in ups.status", { skip }, async () => {
  assert.equal((await nutctl(fsdCommand, [`spare@${where}`, "-u", "admin", "-p", "adminpass"])).code, 2)
  const r = await nutctl(fsdCommand, [`spare@${where}`, "-u", "admin", "-p", "adminpass", "--yes"])
  assert.equal(r.code, 0, r.err)
  const upsc = await nutTool("upsc", [`spare@${where}`, "ups.status"])
  assert.match(upsc.stdout, /^FSD /)
  const status = await nutctl(statusCommand, [`spare@${where}`, "--json"])
  const ups = (JSON.parse(status.out) as { ups: Array<{ status: { fsd: boolean; text: string } }> }).ups[0]
  assert.equal(ups?.status.fsd, true)
  assert.match(ups?.status.text ?? "", /^FORCED SHUTDOWN/)
})

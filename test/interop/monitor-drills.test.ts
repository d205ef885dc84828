/**
 * Mixed-cluster power-failure drills (issue 4 acceptance), everything on 127.0.0.1:
 * (a) nutctl primary (`serve` with a dummy UPS and upsmon.conf: the local shortcut) + two real
 *     upsmon 2.8.0 secondaries;
 * (b) real upsd + dummy-ups + real upsmon primary + two `nutctl monitor` secondaries;
 * (c) all nutctl: `serve` primary + two `nutctl monitor` secondaries.
 * The UPS goes OL → OB → OB LB. Every secondary must run its SHUTDOWNCMD before the primary, the
 * primary must have waited for them through NUMLOGINS (not run into HOSTSYNC), and every
 * POWERDOWNFLAG must hold exactly what upsmon writes.
 *
 * Safety: every SHUTDOWNCMD only appends to a marker file in its sandbox; nutctl runs with
 * --no-wall; every process runs in its own process group and is stopped in `finally` (and by the
 * process-group exit hook if a test times out).
 */
import assert from "node:assert/strict"
import { existsSync, readFileSync, statSync } from "node:fs"
import { basename, join } from "node:path"
import { after, test } from "node:test"
import { eventually } from "../support/eventually.ts"
import { fixturePath } from "../support/fixture.ts"
import { connectNutLines, type NutLineClient } from "../support/nut-line-client.ts"
import { monitorSandbox, startNutctl, type MonitorSandbox } from "../support/nutctl-monitor.ts"
import type { ProcessGroup } from "../support/process-group.ts"
import { freePort, hasRealNut, startRealNut, waitForPort } from "../support/real-nut.ts"
import { setDevStatus, waitForDrivers } from "../support/upsd-pair.ts"
import { REAL_UPSMON, startUpsmon } from "../support/upsmon-sandbox.ts"

const BVK = fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev")
const USERS = `[monpri]
\tpassword = pripass
\tupsmon primary
[monsec]
\tpassword = secpass
\tupsmon secondary
`
const SKIP = !hasRealNut() ? "real NUT 2.8.0 (/lib/nut/upsd, /lib/nut/dummy-ups, upsc) is not installed" : !existsSync(REAL_UPSMON) ? `${REAL_UPSMON} is not installed` : false
/** upsmon's own magic (SDMAGIC), as the real upsmons of these drills write it. */
const MAGIC = "upsmon-shutdown-file"

/** One monitoring host of a drill. */
interface Member {
  readonly label: string
  shutdownAt(): bigint | undefined
  readonly powerdownFlag: string
  log(): string
}

/** Everything started, stopped even when a test times out before its `finally`. */
const running = new Set<{ stop(): Promise<void> }>()
after(async () => {
  await Promise.all([...running].map((r) => r.stop()))
})
async function stopAll(): Promise<void> {
  const all = [...running]
  running.clear()
  await Promise.all(all.map((r) => r.stop()))
}
function keep<T extends { stop(): Promise<void> }>(thing: T): T {
  running.add(thing)
  return thing
}

/** A nutctl process on a sandbox: a drill member, stopped (and its sandbox removed) with the rest. */
function nutctlMember(label: string, command: "monitor" | "serve", box: MonitorSandbox, args: readonly string[] = []): Member & { process: ProcessGroup } {
  const process = startNutctl(command, box.dir, args)
  keep({
    async stop() {
      await process.stop()
      box.remove()
    },
  })
  return { label, process, shutdownAt: box.shutdownAt, powerdownFlag: box.powerdownFlag, log: process.output }
}

/** A real upsmon (test/support/upsmon-sandbox.ts) as a drill member. */
function upsmonMember(label: string, system: string, role: "primary" | "secondary"): Member {
  const mon = keep(startUpsmon(role === "primary" ? { system, user: "monpri", password: "pripass", role, hostsync: 10 } : { system, user: "monsec", password: "secpass", role }))
  return { label, shutdownAt: () => markerTime(mon.shutdownMarker), powerdownFlag: mon.powerdownFlag, log: mon.log }
}

/** When SHUTDOWNCMD ran: its marker file's mtime (ns). */
function markerTime(path: string): bigint | undefined {
  return existsSync(path) ? statSync(path, { bigint: true }).mtimeNs : undefined
}

/** A nutctl `serve` primary on a dummy UPS (.dev), with upsmon.conf beside: the local shortcut. */
async function nutctlPrimary(): Promise<{ member: Member; port: number; dev: string }> {
  const port = await freePort()
  const system = `ups@127.0.0.1:${port}`
  const box = monitorSandbox({
    system,
    user: "monpri",
    password: "pripass",
    role: "primary",
    files: {
      "ups.conf": "[ups]\n\tdriver = dummy-ups\n\tport = ups.dev\n",
      "upsd.conf": `LISTEN 127.0.0.1 ${port}\n`,
      "upsd.users": USERS,
      "ups.dev": readFileSync(BVK, "utf8"),
    },
  })
  const member = nutctlMember("nutctl primary", "serve", box)
  const died = member.process.exited().then(() => {
    throw new Error(`nutctl serve exited early:\n${member.process.output()}`)
  })
  died.catch(() => {})
  await Promise.race([waitForPort(port, 20_000).then(() => waitForDrivers(port, ["ups"])), died])
  return { member, port, dev: join(box.dir, "ups.dev") }
}

function nutctlSecondary(label: string, system: string): Member {
  return nutctlMember(label, "monitor", monitorSandbox({ system, user: "monsec", password: "secpass", role: "secondary" }))
}

/**
 * The drill: wait until primary and secondaries are logged in, fail the power (OB, then OB LB),
 * wait for every SHUTDOWNCMD, and check the order, the wait and POWERDOWNFLAG.
 */
async function drill(port: number, dev: string, primary: Member, secondaries: readonly Member[]): Promise<void> {
  const members = [primary, ...secondaries]
  const seen = (): string => members.map((m) => `--- ${m.label}:\n${m.log()}`).join("\n")
  const observer: NutLineClient = await connectNutLines(port)
  try {
    const status = async (): Promise<string> => observer.request("GET VAR ups ups.status")
    // upsmon counts the primary itself: 1 + the secondaries
    await eventually(async () => (await observer.request("GET NUMLOGINS ups")) === `NUMLOGINS ups ${members.length}`, `NUMLOGINS ups ${members.length}`, { seen })
    setDevStatus(dev, "OB")
    await eventually(async () => (await status()) === 'VAR ups ups.status "OB"', "ups.status OB", { seen })
    setDevStatus(dev, "OB LB")
    await eventually(() => members.every((m) => m.shutdownAt() !== undefined), "every SHUTDOWNCMD", { timeoutMs: 20_000, seen })
    assert.equal(await status(), 'VAR ups ups.status "FSD OB LB"', "the primary set FSD")
    assert.equal(await observer.request("GET NUMLOGINS ups"), "NUMLOGINS ups 0", "everyone left without staying logged in")
  } finally {
    observer.close()
  }
  if (process.env.DRILL_VERBOSE) console.log(seen(), members.map((m) => `${m.label} ${m.shutdownAt()}`))
  const primaryAt = primary.shutdownAt() as bigint
  for (const s of secondaries) {
    const at = s.shutdownAt() as bigint
    assert.ok(at < primaryAt, `${s.label} shut down ${Number(at - primaryAt) / 1e6} ms after ${primary.label}\n${seen()}`)
  }
  assert.doesNotMatch(primary.log(), /Host sync timer expired/, `${primary.label} ran into HOSTSYNC instead of seeing the secondaries leave`)
  for (const m of members) assert.equal(readFileSync(m.powerdownFlag, "latin1"), MAGIC, `${m.label}: POWERDOWNFLAG`)
}

test("drill (a): nutctl primary (local shortcut) + two real upsmon secondaries: secondaries first, then the primary", { skip: SKIP, timeout: 30_000 }, async () => {
  try {
    const { member: primary, port, dev } = await nutctlPrimary()
    const system = `ups@127.0.0.1:${port}`
    const secondaries = [upsmonMember("upsmon secondary 1", system, "secondary"), upsmonMember("upsmon secondary 2", system, "secondary")]
    await drill(port, dev, primary, secondaries)
    assert.match(primary.log(), /All secondaries have logged out/)
  } finally {
    await stopAll()
  }
})

test("drill (b): real upsd + upsmon primary + two nutctl monitor secondaries: secondaries first, then the primary", { skip: SKIP, timeout: 30_000 }, async () => {
  try {
    const nut = keep(await startRealNut({ ups: [{ name: "ups", file: BVK }], users: USERS }))
    await waitForDrivers(nut.port, ["ups"])
    const system = `ups@127.0.0.1:${nut.port}`
    const primary = upsmonMember("upsmon primary", system, "primary")
    const boxes = [1, 2].map(() => monitorSandbox({ system, user: "monsec", password: "secpass", role: "secondary" }))
    const secondaries = boxes.map((box, i) => nutctlMember(`nutctl secondary ${i + 1}`, "monitor", box))
    await drill(nut.port, join(nut.etc, basename(BVK)), primary, secondaries)
    for (const box of boxes) {
      const notified = box.notified()
      // NOTIFYCMD as upsmon runs it: the MONITOR system as UPSNAME, empty for SHUTDOWN
      assert.deepEqual(notified.find((n) => n.type === "FSD"), { type: "FSD", ups: system }, JSON.stringify(notified))
      assert.deepEqual(notified.find((n) => n.type === "SHUTDOWN"), { type: "SHUTDOWN", ups: "" }, JSON.stringify(notified))
      assert.ok(notified.some((n) => n.type === "ONBATT"), JSON.stringify(notified))
    }
  } finally {
    await stopAll()
  }
})

test("drill (c): all nutctl, serve primary + two monitor secondaries: secondaries first, then the primary", { skip: SKIP, timeout: 30_000 }, async () => {
  try {
    const { member: primary, port, dev } = await nutctlPrimary()
    const system = `ups@127.0.0.1:${port}`
    const secondaries = [nutctlSecondary("nutctl secondary 1", system), nutctlSecondary("nutctl secondary 2", system)]
    await drill(port, dev, primary, secondaries)
    assert.match(primary.log(), /All secondaries have logged out/)
  } finally {
    await stopAll()
  }
})

test("nutctl monitor --dry-run under a nutctl primary: follows the FSD, logs what it would do, runs and writes nothing", { skip: SKIP, timeout: 30_000 }, async () => {
  try {
    const { member: primary, port, dev } = await nutctlPrimary()
    const box = monitorSandbox({ system: `ups@127.0.0.1:${port}`, user: "monsec", password: "secpass", role: "secondary" })
    const dry = nutctlMember("nutctl dry-run secondary", "monitor", box, ["--dry-run"])
    const observer = await connectNutLines(port)
    try {
      await eventually(async () => (await observer.request("GET NUMLOGINS ups")) === "NUMLOGINS ups 2", "NUMLOGINS ups 2", { seen: dry.log })
    } finally {
      observer.close()
    }
    setDevStatus(dev, "OB LB")
    // the dry run still ends like a shutdown: it leaves, so the primary's wait ends too
    await eventually(() => primary.shutdownAt() !== undefined, "the primary's SHUTDOWNCMD", { timeoutMs: 20_000, seen: () => `${primary.log()}\n${dry.log()}` })
    await dry.process.exited()
    assert.match(dry.log(), /Dry run: would create POWERDOWNFLAG /)
    assert.match(dry.log(), /Dry run: would run \/bin\/sh -c /)
    assert.equal(box.shutdownAt(), undefined, "no SHUTDOWNCMD")
    assert.equal(existsSync(box.powerdownFlag), false, "no POWERDOWNFLAG")
    assert.deepEqual(box.notified(), [], "no NOTIFYCMD")
    assert.doesNotMatch(primary.log(), /Host sync timer expired/)
  } finally {
    await stopAll()
  }
})

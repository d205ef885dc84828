/**
 * The NUT driver ↔ upsd socket against Debian's NUT 2.8.0, both directions:
 * (a) real dummy-ups → nutctl SocketDriver → nutctl NutServer, next to real upsd on the same driver
 *     socket: same LIST VAR / GET TYPE / LIST CMD, same TRACKING results, DRIVER-NOT-CONNECTED when
 *     dummy-ups dies and recovery when it comes back;
 * (b) nutctl DummyDriver → nutctl DriverSocketServer → real upsd: upsc prints what it prints for
 *     real dummy-ups + upsd on the same file, and upsrw's SET VAR reaches nutctl's state.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFile, spawn, type ChildProcess } from "node:child_process"
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { promisify } from "node:util"
import { DriverSocketServer, DummyDriver, SocketDriver, connectUnixSocket, listenUnixSocket } from "../../src/drivers/index.ts"
import { DEFAULT_SERVER_SETTINGS, NutServer, type UserRecord } from "../../src/server/index.ts"
import { UpsState } from "../../src/ups/index.ts"
import { fixturePath } from "../support/fixture.ts"
import { connectNutLines, type NutLineClient } from "../support/nut-line-client.ts"
import { REAL_DUMMY_UPS, REAL_UPSD, freePort, hasRealNut, startRealNut, waitForPort, type RealNut } from "../support/real-nut.ts"

const SKIP = hasRealNut() ? false : "real NUT 2.8.0 (/lib/nut/upsd, /lib/nut/dummy-ups, upsc) is not installed"
const FIXTURE = fixturePath("nut-ddl/APC__Back-UPS_BK650M2-CH__usbhid-ups__2.8.0__01.dev")
const UPS = "rack"
const ADMIN: UserRecord = { name: "admin", password: "pw", actions: new Set(["set"]), instcmds: new Set(["all"]) }
const QUIET = { debug() {}, info() {}, warn() {}, error() {} }
const run = promisify(execFile)

/** A NUT config dir + state dir, like /etc/nut and /run/nut, for one dummy-ups UPS. */
interface Sandbox {
  readonly dir: string
  readonly run: string
  readonly port: number
  readonly env: NodeJS.ProcessEnv
  /** The socket dummy-ups serves [rack] on, where upsd connects. */
  readonly socket: string
}

async function makeSandbox(): Promise<Sandbox> {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-drvsock-"))
  const etc = join(dir, "etc")
  const runDir = join(dir, "run")
  mkdirSync(etc)
  mkdirSync(runDir)
  chmodSync(runDir, 0o770)
  const port = await freePort()
  copyFileSync(FIXTURE, join(etc, basename(FIXTURE)))
  writeFileSync(join(etc, "ups.conf"), `[${UPS}]\n\tdriver = dummy-ups\n\tport = ${basename(FIXTURE)}\n`)
  writeFileSync(join(etc, "upsd.conf"), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${runDir}\n`)
  writeFileSync(join(etc, "upsd.users"), "[admin]\n\tpassword = pw\n\tactions = SET\n\tinstcmds = ALL\n", { mode: 0o600 })
  const env = { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: runDir, NUT_ALTPIDPATH: runDir }
  return { dir, run: runDir, port, env, socket: join(runDir, `dummy-ups-${UPS}`) }
}

function startDummyUps(sb: Sandbox): ChildProcess {
  return spawn(REAL_DUMMY_UPS, ["-a", UPS, "-u", "root", "-F"], { env: sb.env, stdio: "ignore" })
}

async function startUpsd(sb: Sandbox): Promise<ChildProcess> {
  const upsd = spawn(REAL_UPSD, ["-u", "root", "-F"], { env: sb.env, stdio: "ignore" })
  await waitForPort(sb.port)
  return upsd
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once("exit", resolve))
  child.kill("SIGTERM")
  await exited
}

/** Poll until `check` holds (real processes: there is no clock to inject). */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** LIST VAR with GET TYPE of each variable, and LIST CMD, as a client sees them. */
async function published(client: NutLineClient): Promise<string[]> {
  const vars = await client.list(`LIST VAR ${UPS}`).catch((e: Error) => [e.message])
  const out: string[] = []
  for (const line of vars) {
    out.push(line)
    const name = line.split(" ")[2]
    if (line.startsWith("VAR ") && name !== undefined) out.push(await client.request(`GET TYPE ${UPS} ${name}`))
  }
  const cmds = await client.list(`LIST CMD ${UPS}`).catch((e: Error) => [e.message])
  return [...out, ...cmds]
}

/** Wait until both servers publish the same (complete) data; then compare for the record. */
async function assertSamePublished(ours: NutLineClient, real: NutLineClient): Promise<void> {
  let a: string[] = []
  let b: string[] = []
  const complete = (p: string[]): boolean => p.some((l) => l.includes("driver.parameter.pollinterval"))
  await waitFor("the same data on both servers", async () => {
    a = await published(ours)
    b = await published(real)
    return complete(b) && JSON.stringify(a) === JSON.stringify(b)
  }).catch(() => undefined)
  assert.deepEqual(a, b)
}

/** Send a write with TRACKING on and poll GET TRACKING until the driver answered. */
async function tracked(client: NutLineClient, request: string): Promise<string> {
  const reply = await client.request(request)
  const m = /^OK TRACKING (\S+)$/.exec(reply)
  if (!m) return reply
  let answer = "PENDING"
  await waitFor(`TRACKING ${m[1]}`, async () => (answer = await client.request(`GET TRACKING ${m[1]}`)) !== "PENDING")
  return answer
}

async function login(client: NutLineClient): Promise<void> {
  assert.equal(await client.request("USERNAME admin"), "OK")
  assert.equal(await client.request("PASSWORD pw"), "OK")
  assert.equal(await client.request("SET TRACKING ON"), "OK")
}

test("SocketDriver serves real dummy-ups through NutServer as real upsd does, and survives a driver restart", {
  skip: SKIP,
  timeout: 120_000,
}, async () => {
  const sb = await makeSandbox()
  const abort = new AbortController()
  const logs: string[] = []
  let driverProcess: ChildProcess | undefined
  let upsd: ChildProcess | undefined
  let server: NutServer | undefined
  let running: Promise<void> | undefined
  const clients: NutLineClient[] = []
  try {
    driverProcess = startDummyUps(sb)
    await waitFor("the dummy-ups socket", () => existsSync(sb.socket))
    upsd = await startUpsd(sb)
    const state = new UpsState()
    const driver = new SocketDriver({
      driver: "dummy-ups",
      upsName: UPS,
      path: sb.socket,
      connect: connectUnixSocket,
      log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    })
    running = driver.start(state, abort.signal)
    const port = await freePort()
    server = new NutServer({
      settings: { ...DEFAULT_SERVER_SETTINGS, listen: [{ host: "127.0.0.1", port }] },
      ups: [{ name: UPS, desc: undefined, state }],
      users: [ADMIN],
      log: QUIET,
    })
    await server.listen()
    const ours = await connectNutLines(port)
    const real = await connectNutLines(sb.port)
    clients.push(ours, real)
    await assertSamePublished(ours, real)

    // writes go to the driver with TRACKING and come back with its answer
    await login(ours)
    await login(real)
    assert.equal(await tracked(ours, `SET VAR ${UPS} battery.charge.low 15`), "SUCCESS")
    assert.equal(await tracked(real, `SET VAR ${UPS} battery.charge.low 15`), "SUCCESS")
    // dummy-ups 2.8.0 advertises load.off but handles no command
    assert.equal(await tracked(ours, `INSTCMD ${UPS} load.off`), "ERR UNKNOWN")
    assert.equal(await tracked(real, `INSTCMD ${UPS} load.off`), "ERR UNKNOWN")
    await waitFor("the new value", async () => (await ours.request(`GET VAR ${UPS} battery.charge.low`)) === `VAR ${UPS} battery.charge.low "15"`)
    await assertSamePublished(ours, real)

    // the driver dies: data is gone at once, as in upsd
    await stop(driverProcess)
    await waitFor("DRIVER-NOT-CONNECTED", async () => (await ours.request(`GET VAR ${UPS} ups.status`)) === "ERR DRIVER-NOT-CONNECTED")
    // real upsd notices the dead socket on its next loop pass (it may answer WAIT until then)
    await waitFor("real upsd: DRIVER-NOT-CONNECTED", async () => (await real.request(`GET VAR ${UPS} ups.status`)) === "ERR DRIVER-NOT-CONNECTED")
    assert.ok(logs.some((l) => l.startsWith(`Lost the driver of UPS [${UPS}]`)), logs.join("\n"))

    // and comes back: both reconnect by themselves
    driverProcess = startDummyUps(sb)
    await waitFor("data after the restart", async () => (await ours.request(`GET VAR ${UPS} ups.status`)).startsWith(`VAR ${UPS} ups.status "OL`))
    await assertSamePublished(ours, real)
  } finally {
    for (const c of clients) c.close()
    abort.abort()
    await running
    await server?.close()
    await stop(upsd)
    await stop(driverProcess)
    rmSync(sb.dir, { recursive: true, force: true })
  }
})

test("DriverSocketServer lets real upsd serve nutctl's DummyDriver exactly like real dummy-ups", {
  skip: SKIP,
  timeout: 120_000,
}, async () => {
  const sb = await makeSandbox()
  const abort = new AbortController()
  let reference: RealNut | undefined
  let upsd: ChildProcess | undefined
  let socketServer: DriverSocketServer | undefined
  let running: Promise<void> | undefined
  try {
    reference = await startRealNut({ ups: [{ name: UPS, file: FIXTURE }] })
    const log = { info() {}, warn() {} }
    const state = new UpsState()
    // as real dummy-ups: the socket exists before the first data, upsd gets a stale empty dump
    socketServer = new DriverSocketServer({ state, path: sb.socket, listen: listenUnixSocket, log })
    await socketServer.listen()
    const driver = new DummyDriver({ file: join(sb.dir, "etc", basename(FIXTURE)), port: basename(FIXTURE), log })
    running = driver.start(state, abort.signal)
    upsd = await startUpsd(sb)

    const upsc = async (port: number): Promise<string> =>
      (await run("/usr/bin/upsc", [`${UPS}@127.0.0.1:${port}`], { env: sb.env }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }))).stdout
    let ours = ""
    let real = ""
    await waitFor("the same upsc output", async () => {
      ours = await upsc(sb.port)
      real = await upsc(reference!.port)
      return real.includes("driver.parameter.pollinterval") && ours === real
    }).catch(() => undefined)
    assert.equal(ours, real)
    assert.match(ours, /^ups\.status: OL DISCHRG$/m)

    // SET VAR through real upsd and the socket, into nutctl's state, and back out
    const set = await run("/usr/bin/upsrw", ["-s", "battery.charge.low=15", "-u", "admin", "-p", "pw", "-w", `${UPS}@127.0.0.1:${sb.port}`], { env: sb.env })
    assert.match(`${set.stdout}${set.stderr}`, /^SUCCESS$/m) // upsrw -w prints the TRACKING result
    assert.equal(state.value("battery.charge.low"), "15")
    await waitFor("upsc to show the new value", async () => /^battery\.charge\.low: 15$/m.test(await upsc(sb.port)))
    assert.equal(socketServer.connectionCount, 1)
  } finally {
    abort.abort()
    await running
    await stop(upsd)
    await socketServer?.close()
    await reference?.stop()
    rmSync(sb.dir, { recursive: true, force: true })
  }
})

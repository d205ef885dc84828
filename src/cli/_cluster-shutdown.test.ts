/**
 * The cluster config's monitors with issue 5's plan runner, in process on 127.0.0.1 with sped-up
 * time: the primary serves the simulated APC BX1600MI (usbhid-ups on `sim:bx1600mi` playing a
 * scenario file) and shuts the TrueNAS simulator down; one secondary reaches it over NUT and takes
 * the Proxmox VE simulator down. Nothing real is touched: the command executors append to marker
 * files, qm/pct/shutdown go to a recording fake, midclt is refused, the UPS is the simulator.
 */
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { createConsola } from "consola"
import commandExecutor from "../../plugins/command/index.ts"
import { createProxmoxExecutor } from "../../plugins/proxmox/index.ts"
import { SIM_API_KEY, createTrueNasExecutor, startTrueNasSimulator, type TrueNasSim } from "../../plugins/truenas/index.ts"
import { FakeRunner } from "../../test/sim/proxmox/harness.ts"
import { ProxmoxSim, SIM_TOKEN, SIM_TOKEN_ID, SIM_TOKEN_SECRET, type ClusterSpec } from "../../test/sim/proxmox/index.ts"
import { createUserRecord, memoryConfigFs, parseNutctlConfig, type LoadedConfig } from "../config/index.ts"
import { scaledClock, systemClock as hidSystemClock } from "../hid/index.ts"
import type { Clock, MonitorOutcome, MonitorRecord } from "../monitor/index.ts"
import { DEFAULT_SERVER_SETTINGS } from "../server/index.ts"
import { readJournal, recordDuration, type Executor, type ExecutorCatalog, type JournalRecord } from "../shutdown/index.ts"
import { createStore } from "../store/index.ts"
import { clusterRole, createClusterMonitor } from "./_cluster-monitor.ts"
import { runMonitor } from "./_monitor.ts"
import { startUpsd, type RunningUpsd } from "./_upsd.ts"

const SPEED = 20
const log = createConsola({ level: -999 })
const env = (): undefined => undefined

/** One node, three guests under HA (one takes long enough for power to come back meanwhile). */
function pveCluster(guestSeconds: number): ClusterSpec {
  return {
    version: "9.1",
    nodes: ["pve1"],
    tokens: { [SIM_TOKEN_ID]: { secret: SIM_TOKEN_SECRET } },
    guests: [
      { vmid: 101, type: "qemu", node: "pve1", name: "db", startup: "order=1", shutdownSeconds: 20, ha: { state: "started" } },
      { vmid: 102, type: "qemu", node: "pve1", name: "app", startup: "order=2", shutdownSeconds: guestSeconds, ha: { state: "started" } },
      { vmid: 103, type: "lxc", node: "pve1", name: "proxy", shutdownSeconds: 10 },
    ],
  }
}

interface World {
  readonly dir: string
  readonly clock: Clock
  readonly upsd: RunningUpsd
  readonly pve: ProxmoxSim
  readonly nas: TrueNasSim
  readonly runner: FakeRunner
  readonly loaded: LoadedConfig
  readonly catalog: ExecutorCatalog
  stop(): Promise<void>
}

/** The simulated UPS (playing `scenario`), its server, both simulators and the cluster config. */
async function world(options: { scenario?: string; guestSeconds?: number; when?: string; pve?: ProxmoxSim; dir?: string; clock?: Clock }): Promise<World> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "nutctl-cluster-plan-"))
  const clock = options.clock ?? scaledClock(hidSystemClock, SPEED)
  let port = "sim:bx1600mi"
  if (options.scenario !== undefined) {
    writeFileSync(join(dir, "scenario.txt"), options.scenario)
    port = `sim:bx1600mi?scenario=${encodeURIComponent(join(dir, "scenario.txt"))}&speed=${SPEED}`
  }
  const upsd = await startUpsd(
    {
      ups: [{ name: "rack", driver: "usbhid-ups", port, desc: "APC Back-UPS BX1600MI (simulated)", params: { pollinterval: "1" }, baseDir: dir }],
      server: { ...DEFAULT_SERVER_SETTINGS, listen: [{ host: "127.0.0.1", port: 0 }] },
      users: [createUserRecord({ name: "nas", password: "nas-pw", upsmon: "primary" }), createUserRecord({ name: "pve", password: "pve-pw", upsmon: "secondary" })],
      allowNoDevice: false,
      warnings: [],
    },
    log,
  )
  const pve = options.pve ?? (await ProxmoxSim.start(pveCluster(options.guestSeconds ?? 30), { clock: stoppable(clock) }))
  const nas = await startTrueNasSimulator({ version: "25.04", offAfterMs: 45_000 / SPEED })
  const runner = new FakeRunner()
  const catalog: ExecutorCatalog = {
    command: commandExecutor as Executor<never>,
    // qm/pct/shutdown never run for real: the fake only records
    proxmox: createProxmoxExecutor({ runner }) as unknown as Executor<never>,
    truenas: createTrueNasExecutor({ runCommand: async () => Promise.reject(new Error("midclt is not run in tests")) }) as unknown as Executor<never>,
  }
  const at = upsd.addresses[0]?.port ?? 0
  const yaml = `
ups:
  rack: { driver: usbhid, port: "sim:bx1600mi" }
users:
  nas: { password: nas-pw, upsmon: primary }
  pve: { password: pve-pw, upsmon: secondary }
roles:
  - { hosts: nas, role: primary, monitor: ["rack@localhost:${at}"], shutdown: [truenas, nas-marker] }
  - { hosts: pve1, role: secondary, monitor: ["rack@127.0.0.1:${at}"], shutdown: [proxmox, pve-marker] }
shutdown:
  hostsync: 5s
  finaldelay: 0
  pollfreq: 1
  pollfreqalert: 1
${options.when === undefined ? "" : `  when: ${options.when}\n`}executors:
  truenas: { url: "${nas.url}", apiKey: "${SIM_API_KEY}", onNas: false, confirmOff: true, offEstimate: 45s, secondariesTimeout: 10m }
  nas-marker: { type: command, command: "echo nas >> ${join(dir, "nas.marker")}" }
  proxmox: { url: "${pve.url("pve1")}", token: "${SIM_TOKEN}", node: pve1, localFallback: false, pollInterval: 2s }
  pve-marker: { type: command, command: "echo pve >> ${join(dir, "pve.marker")}" }
`
  const loaded = parseNutctlConfig(yaml, { file: join(dir, "nutctl.yaml") })
  return {
    dir,
    clock,
    upsd,
    pve,
    nas,
    runner,
    loaded,
    catalog,
    async stop() {
      await nas.close()
      await upsd.stop()
    },
  }
}

/** Sleeps of the Proxmox simulator's pending events (a 10-minute guest shutdown) end with the test. */
const simTeardown = new AbortController()
after(() => simTeardown.abort())

function stoppable(clock: Clock): Clock {
  return { now: () => clock.now(), sleep: (ms, signal) => clock.sleep(ms, signal === undefined ? simTeardown.signal : AbortSignal.any([signal, simTeardown.signal])) }
}

/** Start the monitor of `host` (its state under dir/host) and run it until `abort`. */
async function monitorOf(w: World, host: "nas" | "pve1", abort: AbortSignal, onRecord?: (r: MonitorRecord) => void) {
  const monitor = await createClusterMonitor({
    cluster: clusterRole(w.loaded, host),
    log,
    dryRun: false,
    wall: false,
    env,
    fs: memoryConfigFs({}),
    dataDir: join(w.dir, host),
    catalog: w.catalog,
    clock: w.clock,
    ...(host === "nas" ? { local: w.upsd } : {}),
    ...(onRecord === undefined ? {} : { onRecord }),
  })
  assert.ok(monitor)
  let outcome: MonitorOutcome | undefined
  const done = runMonitor(monitor, abort).then((o) => (outcome = o))
  return { monitor, done, outcome: () => outcome }
}

/** Wait (in simulated time) until `cond` holds. */
async function until(clock: Clock, what: string, cond: () => boolean | Promise<boolean>, limitMs = 30 * 60_000): Promise<void> {
  const end = clock.now() + limitMs
  while (!(await cond())) {
    if (clock.now() > end) throw new Error(`still waiting for ${what} after ${limitMs / 1000} simulated seconds`)
    await clock.sleep(500)
  }
}

async function journal(w: World, host: string): Promise<JournalRecord | undefined> {
  const store = createStore({ dir: join(w.dir, host) })
  try {
    return await readJournal(store, host)
  } finally {
    await store.dispose()
  }
}

test("cluster monitors: the secondary's plan is done (guests down) before the primary's plan passes its wait; at the next start the secondary re-arms HA", async () => {
  const w = await world({ scenario: "1s mains-lost\n+3s low-battery\n" })
  const stop = new AbortController()
  try {
    const secondary = await monitorOf(w, "pve1", stop.signal)
    const primary = await monitorOf(w, "nas", stop.signal)
    await primary.done
    await secondary.done
    assert.equal(primary.outcome()?.kind, "shutdown")
    assert.equal(secondary.outcome()?.kind, "shutdown")

    const pve = await journal(w, "pve1")
    const nas = await journal(w, "nas")
    assert.equal(pve?.state, "done")
    assert.equal(nas?.state, "done")
    const wait = nas?.steps["truenas/wait-secondaries"]
    assert.ok(wait?.endedAt !== undefined && pve?.endedAt !== undefined)
    assert.ok(wait.startedAt < pve.endedAt, "the primary was waiting while the secondary's plan ran")
    assert.ok(pve.endedAt <= wait.endedAt, `the secondary's plan ended (${pve.endedAt}) before the primary's wait did (${wait.endedAt})`)
    assert.equal(nas?.steps["truenas/kill-power"]?.state, "done", "shutdown.return went to the simulated UPS")

    const sim = w.pve.cluster
    assert.deepEqual([...sim.guests.values()].map((g) => `${g.vmid} ${g.status}`), ["101 stopped", "102 stopped", "103 stopped"])
    assert.equal(sim.node("pve1")?.online, false, "the node powered off")
    assert.equal(sim.disarm.state, "disarmed", "HA was out of the way, and stays so until power returns")
    assert.ok(sim.eventsOf("ha-disarmed")[0]!.t < sim.eventsOf("guest-shutdown-requested")[0]!.t, "HA disarmed before any guest stop")
    assert.deepEqual(w.pve.invalidRequests, [], "every Proxmox API request passed schema validation")
    assert.equal(readFileSync(join(w.dir, "pve.marker"), "utf8"), "pve\n")
    assert.equal(readFileSync(join(w.dir, "nas.marker"), "utf8"), "nas\n")
    assert.deepEqual(w.runner.calls, [], "no local command")
  } finally {
    stop.abort()
    await w.stop()
  }

  // the next boot: mains present, the node back, the same state directory
  w.pve.cluster.powerOn("pve1")
  const after = await world({ pve: w.pve, dir: w.dir, clock: w.clock })
  const stop2 = new AbortController()
  try {
    const secondary = await monitorOf(after, "pve1", stop2.signal)
    await until(after.clock, "HA re-armed", async () => after.pve.cluster.disarm.state === "armed" && (await journal(after, "pve1"))?.state === "restored")
    assert.equal(after.pve.cluster.eventsOf("ha-armed").length, 1)
    stop2.abort()
    assert.deepEqual(await secondary.done, { kind: "stopped" })
  } finally {
    stop2.abort()
    await after.stop()
    await after.pve.stop()
    rmSync(w.dir, { recursive: true, force: true })
  }
})

test("cluster monitors: power returning mid-plan calls both plans off before their point of no return and restores HA", async () => {
  // app (102) takes 10 min to shut down: mains is back long before
  const w = await world({ scenario: "1s mains-lost\n+3s low-battery\n+60s mains-back\n", guestSeconds: 600 })
  const stop = new AbortController()
  try {
    const secondary = await monitorOf(w, "pve1", stop.signal)
    const primary = await monitorOf(w, "nas", stop.signal)
    await until(w.clock, "both plans called off", async () => (await journal(w, "pve1"))?.state === "restored" && (await journal(w, "nas"))?.state === "restored")
    const pve = await journal(w, "pve1")
    assert.ok(pve?.aborted !== undefined && pve.pointOfNoReturn === undefined, "stopped before the point of no return")
    assert.deepEqual(pve.restored, { at: pve.restored?.at, ok: true, failures: [] })
    const sim = w.pve.cluster
    assert.equal(sim.eventsOf("ha-armed").length, 1, "HA re-armed")
    assert.equal(sim.disarm.state, "armed")
    assert.equal(sim.node("pve1")?.online, true, "the node stays up")
    assert.equal(w.upsd.ups[0]?.state.fsd, false, "the primary took its FSD back")
    assert.equal(existsSync(join(w.dir, "pve.marker")), false)
    assert.equal(existsSync(join(w.dir, "nas.marker")), false)
    await until(w.clock, "both monitoring again", () => primary.monitor.loop.state.phase.kind === "monitoring" && secondary.monitor.loop.state.phase.kind === "monitoring")
    stop.abort()
    assert.deepEqual(await primary.done, { kind: "stopped" })
    assert.deepEqual(await secondary.done, { kind: "stopped" })
  } finally {
    stop.abort()
    await w.stop()
    await w.pve.stop()
    rmSync(w.dir, { recursive: true, force: true })
  }
})

test("cluster monitors: runtimeBelow auto triggers the primary's shutdown before the UPS says LB", async () => {
  const w = await world({ scenario: "1s mains-lost\n+3s low-battery\n", when: "{ runtimeBelow: auto }" })
  // an earlier drill learned that the secondaries take two hours: the BX's 38 min cannot cover that
  const store = createStore({ dir: join(w.dir, "nas") })
  await recordDuration(store, "truenas:wait-secondaries", { ms: 7_200_000, at: w.clock.now(), source: "drill" })
  await store.dispose()
  const ups = w.upsd.ups[0]
  assert.ok(ups)
  let statusAtFsd: string | undefined
  const unsubscribe = ups.state.subscribe((c) => {
    if (c.kind === "fsd" && c.fsd) statusAtFsd = ups.state.rawStatus
  })
  const records: MonitorRecord[] = []
  const stop = new AbortController()
  try {
    const primary = await monitorOf(w, "nas", stop.signal, (r) => records.push(r))
    await primary.done
    assert.equal(primary.outcome()?.kind, "shutdown")
    assert.ok(statusAtFsd !== undefined && /\bOB\b/.test(statusAtFsd) && !/\bLB\b/.test(statusAtFsd), `FSD set on battery before LB (ups.status ${statusAtFsd})`)
    const critical = records.find((r) => r.kind === "decision" && r.code === "CRITICAL")
    assert.match(critical?.message ?? "", /\(RUNTIME: battery\.runtime \d+ s no longer covers the shutdown plan's \d+ s\)/)
    assert.equal((await journal(w, "nas"))?.state, "done")
  } finally {
    unsubscribe()
    stop.abort()
    await w.stop()
    await w.pve.stop()
    rmSync(w.dir, { recursive: true, force: true })
  }
})

/**
 * The monitor from the cluster config, in process on 127.0.0.1: the primary watches the UPS it
 * serves through the local shortcut, a secondary reaches it over NUT with the cluster's users and
 * push. Shutdown is the `command` executor writing a marker file: nothing here shuts anything down.
 */
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "node:test"
import { createConsola } from "consola"
import { ConfigError, createUserRecord, memoryConfigFs, parseNutctlConfig } from "../config/index.ts"
import { NutServer, type ServedUps } from "../server/index.ts"
import { readStoredBudget } from "../shutdown/index.ts"
import { createStore } from "../store/index.ts"
import { UpsState } from "../ups/index.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { eventually } from "../../test/support/eventually.ts"
import { clusterRole, createClusterMonitor } from "./_cluster-monitor.ts"
import type { LocalServer } from "./_monitor.ts"

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const log = createConsola({ level: -999 })

async function primaryServer(): Promise<{ local: LocalServer; ups: ServedUps; port: number; stop(): Promise<void> }> {
  const state = new UpsState()
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  state.setInfo("ups.status", "OL")
  const ups: ServedUps = { name: "rack", desc: undefined, state }
  const users = [createUserRecord({ name: "monpri", password: "pripass", upsmon: "primary" }), createUserRecord({ name: "monsec", password: "secpass", upsmon: "secondary" })]
  const server = new NutServer({ settings: { listen: [{ host: "127.0.0.1", port: 0 }], maxAge: 15, maxConn: 16, trackingDelay: 3600 }, ups: [ups], users, log: quiet })
  const addresses = await server.listen()
  return { local: { server, ups: [ups], addresses }, ups, port: addresses[0]?.port ?? 0, stop: () => server.close() }
}

function clusterYaml(port: number, dir: string): string {
  return `
ups:
  rack: { driver: dummy, port: rack.dev }
users:
  monpri: { password: pripass, upsmon: primary }
  monsec: { password: { env: MONSEC_PW }, upsmon: secondary }
roles:
  - { hosts: "nas", role: primary, monitor: ["rack@localhost:${port}"], shutdown: [command] }
  - { hosts: "pve-*", role: secondary, monitor: ["rack@127.0.0.1:${port}"], shutdown: [marker] }
  - { hosts: "watcher", role: secondary, monitor: [], shutdown: [] }
shutdown:
  hostsync: 5s
  finaldelay: 0
  pollfreq: 1
  pollfreqalert: 1
  powerdownflag: ${join(dir, "killpower")}
executors:
  command: { command: "echo primary >> ${join(dir, "primary.marker")}" }
  marker: { type: command, command: "echo secondary >> ${join(dir, "secondary.marker")}" }
`
}

const env = (n: string): string | undefined => (n === "MONSEC_PW" ? "secpass" : undefined)

test("createClusterMonitor(): a secondary logs in with the cluster's user, follows the pushed FSD and runs its executor", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-cluster-"))
  const { ups, port, stop } = await primaryServer()
  try {
    const loaded = parseNutctlConfig(clusterYaml(port, dir), { file: join(dir, "nutctl.yaml") })
    const monitor = await createClusterMonitor({ cluster: clusterRole(loaded, "pve-compute-01"), log, dryRun: false, wall: false, env, fs: memoryConfigFs({}) })
    assert.ok(monitor)
    assert.deepEqual(monitor.local, [], "a secondary goes over the network")
    const supply = monitor.loop.state.supplies[0]?.supply
    assert.deepEqual([supply?.user, supply?.password, supply?.role], ["monsec", "secpass", "secondary"])
    const abort = new AbortController()
    const run = monitor.loop.run(abort.signal)
    try {
      // the secondary's LOGIN shows in NUMLOGINS once it polled
      for (let i = 0; i < 200 && ups.state.fsd === false; i++) {
        if (monitor.loop.state.supplies[0]?.flags.ol === true) ups.state.setFsd()
        await new Promise((r) => setTimeout(r, 10))
      }
      const outcome = await run
      assert.equal(outcome.kind, "shutdown")
      assert.equal(readFileSync(join(dir, "secondary.marker"), "utf8"), "secondary\n")
      assert.equal(readFileSync(join(dir, "killpower"), "latin1"), "upsmon-shutdown-file")
    } finally {
      abort.abort()
      await run
    }
  } finally {
    await stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test("createClusterMonitor(): the primary watches its own UPS in process, sets FSD on OB LB and runs its executor", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-cluster-"))
  const { local, ups, port, stop } = await primaryServer()
  try {
    const loaded = parseNutctlConfig(clusterYaml(port, dir), { file: join(dir, "nutctl.yaml") })
    const monitor = await createClusterMonitor({ cluster: clusterRole(loaded, "nas"), log, dryRun: false, wall: false, env, local, fs: memoryConfigFs({}) })
    assert.ok(monitor)
    assert.deepEqual(monitor.local, [`rack@localhost:${port}`], "the local shortcut")
    const abort = new AbortController()
    const run = monitor.loop.run(abort.signal)
    try {
      ups.state.setInfo("ups.status", "OB LB")
      const outcome = await run
      assert.equal(outcome.kind, "shutdown")
      assert.equal(ups.state.fsd, true, "the primary set FSD")
      assert.equal(readFileSync(join(dir, "primary.marker"), "utf8"), "primary\n")
    } finally {
      abort.abort()
      await run
    }
  } finally {
    await stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test("createClusterMonitor() --dry-run: decides the same, writes and runs nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-cluster-"))
  const { local, ups, port, stop } = await primaryServer()
  try {
    const loaded = parseNutctlConfig(clusterYaml(port, dir), { file: join(dir, "nutctl.yaml") })
    const monitor = await createClusterMonitor({ cluster: clusterRole(loaded, "nas"), log, dryRun: true, wall: false, env, local, fs: memoryConfigFs({}) })
    assert.ok(monitor)
    const run = monitor.loop.run()
    ups.state.setInfo("ups.status", "OB LB")
    assert.equal((await run).kind, "shutdown")
    assert.equal(ups.state.fsd, false, "no FSD in a dry run")
    assert.equal(existsSync(join(dir, "primary.marker")), false)
    assert.equal(existsSync(join(dir, "killpower")), false)
  } finally {
    await stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test("createClusterMonitor() returns nothing for a role without supplies, and names unknown executors", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-cluster-"))
  try {
    const loaded = parseNutctlConfig(clusterYaml(3493, dir), { file: "nutctl.yaml" })
    assert.equal(await createClusterMonitor({ cluster: clusterRole(loaded, "watcher"), log, dryRun: true, wall: false, env }), undefined)
    assert.equal(await createClusterMonitor({ cluster: clusterRole(loaded, "elsewhere"), log, dryRun: true, wall: false, env }), undefined)
    const bad = parseNutctlConfig(clusterYaml(3493, dir).replace("shutdown: [marker]", "shutdown: [ups-off]").replace("executors:\n", "executors:\n  ups-off: { type: nosuch }\n"), { file: "nutctl.yaml" })
    await assert.rejects(createClusterMonitor({ cluster: clusterRole(bad, "pve-1"), log, dryRun: true, wall: false, env }), (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      assert.match(e.message, /executors\.ups-off: Cannot load executor ups-off: this nutctl has no executor plugin nosuch \(built in: command, proxmox, truenas; /)
      return true
    })
    // the built-in plugins are all there now: proxmox refuses its settings, it is not missing
    const proxmox = parseNutctlConfig(clusterYaml(3493, dir).replace("shutdown: [marker]", "shutdown: [proxmox]").replace("executors:\n", "executors:\n  proxmox: { url: x }\n"), { file: "nutctl.yaml" })
    await assert.rejects(createClusterMonitor({ cluster: clusterRole(proxmox, "pve-1"), log, dryRun: true, wall: false, env }), /Cannot configure executor proxmox from nutctl\.yaml executors\.proxmox: url: /)
    const missing = parseNutctlConfig(clusterYaml(3493, dir).replace("shutdown: [marker]", "shutdown: [nothere]"), { file: "nutctl.yaml" })
    await assert.rejects(createClusterMonitor({ cluster: clusterRole(missing, "pve-1"), log, dryRun: true, wall: false, env }), /roles\[1\]\.shutdown\[0\] names executor nothere/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("createClusterMonitor() with runtimeBelow: auto saves each budget it lays out in the data directory (for nutctl check)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-cluster-"))
  const { local, port, stop } = await primaryServer()
  const halt = new AbortController()
  try {
    const yaml = clusterYaml(port, dir).replace("  pollfreqalert: 1\n", "  pollfreqalert: 1\n  when: { runtimeBelow: auto }\n")
    const loaded = parseNutctlConfig(yaml, { file: join(dir, "nutctl.yaml") })
    const clock = new ManualClock(1_000_000)
    const data = join(dir, "data")
    const monitor = await createClusterMonitor({ cluster: clusterRole(loaded, "nas"), log, dryRun: false, wall: false, env, local, fs: memoryConfigFs({}), dataDir: data, clock })
    assert.ok(monitor?.beside)
    const beside = monitor.beside(halt.signal)
    const read = async () => {
      const store = createStore({ dir: data })
      try {
        return await readStoredBudget(store, "nas")
      } finally {
        await store.dispose()
      }
    }
    const first = await eventually(read, "the budget in the data directory")
    // the command step has no estimate and nothing learned: it counts at its 120 s timeout
    assert.deepEqual(first, { version: 1, host: "nas", needMs: 120_000 * 1.25 + 30_000, expectedMs: 120_000, worstMs: 120_000, unlearned: 1, computedAt: 1_000_000 })
    // an hour later the plan is laid out again and saved again, unchanged but newer
    await clock.advance(3_600_000)
    const again = await eventually(async () => ((await read())?.computedAt === 4_600_000 ? true : undefined), "the hourly budget")
    assert.equal(again, true)
    halt.abort()
    await beside
    await monitor.dispose?.()
  } finally {
    halt.abort()
    await stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

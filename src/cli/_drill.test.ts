/** `nutctl drill` (dry run) against the TrueNAS simulator; the UPS reading is a fake. */
import assert from "node:assert/strict"
import { after, test } from "node:test"
import { SIM_API_KEY, startTrueNasSimulator, type TrueNasSim } from "../../test/sim/truenas/index.ts"
import { memoryConfigFs } from "../config/index.ts"
import { systemClock } from "../monitor/index.ts"
import { listDurations, readDrillRecord } from "../shutdown/index.ts"
import { createStore } from "../store/index.ts"
import { runDrill } from "./_drill.ts"

const sims: TrueNasSim[] = []
after(async () => {
  for (const s of sims) await s.close()
})

function config(nasUrl: string, runtimeBelow = "auto"): string {
  return [
    "users:",
    "  nas: { password: a, upsmon: primary }",
    "  pve: { password: b, upsmon: secondary }",
    "roles:",
    "  - { hosts: truenas, role: primary, monitor: [rack@localhost], shutdown: [truenas] }",
    "  - { hosts: [pve1, pve2], role: secondary, monitor: ['rack@10.0.0.2'], shutdown: [guests] }",
    "shutdown:",
    `  when: { runtimeBelow: ${runtimeBelow} }`,
    "executors:",
    // midclt is never reached: the URL is loopback, but the API answers
    `  truenas: { url: '${nasUrl}', apiKey: { file: /etc/nutctl/truenas.key }, onNas: false, confirmOff: false }`,
    "  guests: { type: command, command: 'true', timeout: 90s }",
  ].join("\n")
}

async function drill(nas: TrueNasSim, runtimeS: number, runtimeBelow?: string) {
  const out: string[] = []
  const store = createStore()
  const fs = memoryConfigFs({ "/etc/nutctl/nutctl.yaml": { text: config(nas.url, runtimeBelow), mode: 0o600 }, "/etc/nutctl/truenas.key": { text: `${SIM_API_KEY}\n`, mode: 0o600 } })
  const code = await runDrill(
    { config: "/etc/nutctl/nutctl.yaml" },
    { fs, env: () => undefined, localHostname: "truenas", clock: systemClock, store, out: (l) => out.push(l), err: (l) => out.push(`ERR ${l}`), readUps: async (t) => ({ ups: t.system, runtimeS, chargePct: 100, numLogins: 3 }) },
  )
  return { code, text: out.join("\n"), store }
}

test("runDrill() rehearses every host's plan read-only and prints the cluster timeline and the verdict", async () => {
  const nas = await startTrueNasSimulator({ version: "25.04" })
  sims.push(nas)
  const { code, text, store } = await drill(nas, 1800)
  assert.equal(code, 0, text)
  assert.match(text, /pve1 \(secondary: guests\)\n  ✔ guests\/shutdowncmd/)
  assert.match(text, /truenas \(primary: truenas\)\n  ✔ truenas\/wait-secondaries  2 secondaries logged in now; would wait for them\n  ✔ truenas\/poweroff  TrueNAS TrueNAS-25\.04\.2\.6 via \/api\/current: API key accepted, state READY/)
  assert.match(text, /T\+0 +on battery \(rack@localhost: battery\.runtime 30m00s, charge 100 %\)/)
  assert.match(text, /T\+X +shutdown triggered, X ≈ .* \(runtimeBelow: auto, when battery\.runtime ≤ /)
  assert.match(text, /T\+X\+0ms +truenas +sets FSD/)
  assert.match(text, /T\+X\+10s +pve1 +guests\/shutdowncmd ⚑ +Run true/)
  assert.match(text, /truenas +truenas\/poweroff ⚑ +Power off TrueNAS/)
  assert.match(text, /✔ fits the battery: .* left at the trigger; the cluster is down .* later, .* before the battery is empty/)
  assert.match(text, /truenas\/wait-secondaries  Wait until the secondaries logged out .*\(~.*, secondaries\)/)
  // nothing was changed: only reads reached the NAS
  assert.deepEqual([...new Set(nas.calls.map((c) => c.method))].sort(), ["auth.login_with_api_key", "system.state", "system.version"])
  assert.equal(nas.state, "READY")
  // the primary's wait learned how long the secondaries take
  const learned = await listDurations(store)
  assert.equal(learned.get("truenas:wait-secondaries")?.samples[0]?.source, "drill")
  assert.deepEqual(await store.journal.keys(), [], "a drill keeps no journal")
  // each rehearsed host's result, for nutctl serve's /api/v1/shutdown and nutctl_drill_last_*
  const record = await readDrillRecord(store, "truenas")
  assert.equal(record?.ok, true)
  assert.ok(record !== undefined && record.at > 0 && record.elapsedMs >= 0)
  assert.equal((await readDrillRecord(store, "pve1"))?.ok, true)
})

test("runDrill() fails when the battery does not cover the cluster with a fixed runtimeBelow", async () => {
  const nas = await startTrueNasSimulator({ version: "24.10" })
  sims.push(nas)
  const { code, text, store } = await drill(nas, 1800, "60s")
  assert.equal(code, 1)
  // every step passed, but the cluster does not fit: the drill failed for each host
  assert.equal((await readDrillRecord(store, "truenas"))?.ok, false)
  assert.match(text, /✖ does NOT fit the battery: 1m00s left at the trigger; the cluster is down .* later, .* after it is empty \(the margin asks for .*\) \(runtimeBelow: auto would start it in time\)/)
  assert.match(text, /via \/websocket/)
})

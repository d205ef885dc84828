/**
 * `nutctl check` with `runtimeBelow: auto`: battery.runtime against the budget the monitor saved
 * under --data-dir (fresh, stale, missing, unreadable), and --need above it.
 */
import assert from "node:assert/strict"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { runCommand } from "citty"
import { saveBudget } from "../shutdown/index.ts"
import { createStore } from "../store/index.ts"
import { ON_LINE, startFakeUpsServer, type FakeUpsServer } from "../../test/support/fake-ups-server.ts"
import { BUDGET_MAX_AGE_MS } from "./_check-need.ts"
import check from "./check.ts"

const root = mkdtempSync(join(tmpdir(), "nutctl-check-need-"))
const servers: FakeUpsServer[] = []
after(async () => {
  for (const s of servers) await s.close()
  rmSync(root, { recursive: true, force: true })
})

const NOW = 1_800_000_000_000
const MIN = 60_000

async function ups(): Promise<FakeUpsServer> {
  const s = await startFakeUpsServer({ vars: { ...ON_LINE, "battery.runtime": "1500" } })
  servers.push(s)
  return s
}

/** A data directory with pve1's budget in it, as the monitor saves it. */
async function dataDir(budget?: { needMs: number; ageMs: number; unlearned?: number }): Promise<string> {
  const dir = mkdtempSync(join(root, "data-"))
  if (budget !== undefined) {
    const store = createStore({ dir })
    await saveBudget(store, { version: 1, host: "pve1", needMs: budget.needMs, expectedMs: (budget.needMs - 30_000) / 1.25, worstMs: budget.needMs, unlearned: budget.unlearned ?? 0, computedAt: NOW - budget.ageMs })
    await store.dispose()
  }
  return dir
}

async function runCheck(port: number, args: string[]): Promise<{ code: unknown; out: string }> {
  let out = ""
  const config = `roles:\n  - { hosts: pve1, role: secondary, monitor: ["rack@127.0.0.1:${port}"] }\nshutdown:\n  when: { runtimeBelow: auto }\n`
  const { result } = await runCommand(check, {
    rawArgs: ["--config", "/etc/nutctl/nutctl.yaml", "--expect-logins", "0", ...args],
    data: {
      io: { out: (t: string) => void (out += t), err: (t: string) => void (out += t) },
      env: {},
      readFile: async () => config,
      hostname: "pve1",
      now: () => NOW,
    },
  })
  process.exitCode = undefined
  return { code: result, out }
}

test("nutctl check with runtimeBelow: auto compares battery.runtime with the monitor's budget", async () => {
  const s = await ups()
  const tight = await runCheck(s.port, ["--data-dir", await dataDir({ needMs: 20 * MIN, ageMs: 10 * MIN })])
  assert.equal(tight.code, 1, tight.out)
  assert.match(tight.out, /^UPS WARNING - rack@127\.0\.0\.1:\d+: runtime 25 min leaves little room over the shutdown plan's 20 min \(runtimeBelow: auto, the plan's budget of 10 min ago\) \|/)
  assert.match(tight.out, / need=1200s;;;0 /)
  const short = await runCheck(s.port, ["--data-dir", await dataDir({ needMs: 30 * MIN, ageMs: 0 })])
  assert.equal(short.code, 2, short.out)
  assert.match(short.out, /runtime 25 min does not cover the shutdown plan's 30 min \(runtimeBelow: auto, the plan's budget of 0 s ago\)/)
  // steps with nothing learned yet count at their timeout: the message says the figure errs early
  const untimed = await runCheck(s.port, ["--data-dir", await dataDir({ needMs: 30 * MIN, ageMs: 0, unlearned: 2 })])
  assert.match(untimed.out, /\(runtimeBelow: auto, the plan's budget of 0 s ago; 2 steps not yet timed, counted at their timeout until nutctl drill runs\)/)
  const ample = await runCheck(s.port, ["--data-dir", await dataDir({ needMs: 10 * MIN, ageMs: 59 * MIN }), "--json"])
  assert.equal(ample.code, 0, ample.out)
  assert.deepEqual((JSON.parse(ample.out) as { extra: unknown[] }).extra, [])
})

test("nutctl check with runtimeBelow: auto: an old budget still counts and adds a WARNING; none at all is a WARNING", async () => {
  const s = await ups()
  const old = await runCheck(s.port, ["--data-dir", await dataDir({ needMs: 10 * MIN, ageMs: BUDGET_MAX_AGE_MS + 60 * MIN }), "--json"])
  assert.equal(old.code, 1, old.out)
  const doc = JSON.parse(old.out) as { extra: Array<{ check: string; state: string; text: string }>; ups: Array<{ perfdata: Array<{ label: string; value: number }> }> }
  assert.deepEqual(doc.extra, [{ check: "need", state: "WARNING", text: "runtimeBelow: auto: the shutdown plan's budget is 3 h old (the monitor renews it hourly): is nutctl serve still running?" }])
  assert.equal(doc.ups[0]?.perfdata.find((p) => p.label === "need")?.value, 600)
  const empty = await dataDir()
  const none = await runCheck(s.port, ["--data-dir", empty])
  assert.equal(none.code, 1, none.out)
  assert.match(none.out, new RegExp(`^UPS WARNING - rack@127\\.0\\.0\\.1:\\d+: online, charge 100 %, runtime 25 min, runtimeBelow: auto: no shutdown plan budget for pve1 in ${empty.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: is nutctl serve running here`))
  assert.doesNotMatch(none.out, / need=/)
})

test("nutctl check: --need wins over runtimeBelow: auto (nothing is read); an unreadable budget is UNKNOWN", async () => {
  const s = await ups()
  const given = await runCheck(s.port, ["--data-dir", join(root, "nowhere"), "--need", "600"])
  assert.equal(given.code, 0, given.out)
  assert.match(given.out, / need=600s;;;0 /)
  // a file where the budgets directory should be: the store cannot read below it
  const broken = mkdtempSync(join(root, "broken-"))
  writeFileSync(join(broken, "budgets"), "not a directory")
  mkdirSync(join(broken, "events"))
  const unreadable = await runCheck(s.port, ["--data-dir", broken])
  assert.equal(unreadable.code, 3, unreadable.out)
  assert.match(unreadable.out, /runtimeBelow: auto: cannot read the shutdown plan's budget in .*broken-\w+: .*\(run check as the user nutctl serve runs as, or give --need\)/)
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCommand } from "citty"
import { createEventHub, createHttpApp, createLocalDirectory, openEventHistory } from "../http/index.ts"
import { createStore } from "../store/index.ts"
import events from "./events.ts"

const T0 = Date.now() - 3_600_000

async function run(rawArgs: string[], extra: { fetch?: typeof fetch; env?: Record<string, string> } = {}) {
  let out = ""
  let err = ""
  const { result } = await runCommand(events, { rawArgs, data: { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) }, env: extra.env ?? {}, ...(extra.fetch ? { fetch: extra.fetch } : {}) } })
  process.exitCode = undefined
  return { code: result, out, err }
}

async function seed(dir: string) {
  const store = createStore({ dir })
  const hub = createEventHub()
  const history = await openEventHistory({ log: store.events, hub })
  hub.publish({ kind: "status", at: T0, ups: "rack", status: "OB DISCHRG", previous: "OL" })
  hub.monitorRecord({ kind: "notify", at: T0 + 1000, type: "ONBATT", system: "rack@localhost", message: "UPS rack@localhost on battery" })
  hub.publish({ kind: "status", at: T0 + 2000, ups: "other", status: "OL", previous: "" })
  history.note({ type: "drill", message: "Drill passed in 12.0s", at: T0 + 3_000_000 })
  await history.flush()
  await store.dispose()
  return hub
}

test("nutctl events prints the history of a data directory, filtered by --ups and --since", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-events-"))
  try {
    await seed(dir)
    const all = await run(["--data-dir", dir])
    assert.equal(all.code, 0)
    const lines = all.out.trimEnd().split("\n")
    assert.equal(lines.length, 4)
    assert.match(lines[0] ?? "", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  status  rack   rack: on battery, discharging \(was online\)$/)
    assert.match(lines[1] ?? "", /  ONBATT  rack   UPS rack@localhost on battery$/)
    assert.match(lines[3] ?? "", /  drill   -      Drill passed in 12.0s$/)

    const rack = await run(["--data-dir", dir, "--ups", "rack", "--since", "50m", "--json"])
    assert.deepEqual((JSON.parse(rack.out) as { kind: string }[]).map((e) => e.kind), [])
    const json = await run(["--data-dir", dir, "--ups", "RACK", "--json"])
    assert.deepEqual((JSON.parse(json.out) as { kind: string }[]).map((e) => e.kind), ["status", "notify"])

    const bad = await run(["--data-dir", dir, "--since", "whenever"])
    assert.equal(bad.code, 2)
    const missing = await run(["--data-dir", join(dir, "nope")])
    assert.equal(missing.code, 1)
    assert.match(missing.err, /does not exist/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("nutctl events --url reads a running nutctl's API, with Basic credentials from the URL", async () => {
  const hub = createEventHub()
  hub.publish({ kind: "fsd", at: T0, ups: "rack", fsd: true })
  const users = [{ name: "admin", password: "pw", actions: new Set<string>(), instcmds: new Set<string>() }]
  const app = createHttpApp({ version: "test", directory: createLocalDirectory({ ups: [] }), events: hub, users, readsPublic: false })
  const viaApp = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => app.request(String(input), init)) as typeof fetch
  const ok = await run(["--url", "http://admin:pw@127.0.0.1:9199"], { fetch: viaApp })
  assert.equal(ok.code, 0, ok.err)
  assert.match(ok.out, /  fsd  rack  rack: forced shutdown set\n$/)
  const refused = await run(["--url", "http://127.0.0.1:9199/"], { fetch: viaApp })
  assert.equal(refused.code, 1)
  assert.match(refused.err, /HTTP 401/)
})

/**
 * Every write endpoint without credentials, with wrong ones, with a user lacking the right, and
 * with a user (Basic) and a token holding it. Writes go through a real NutServer session, so the
 * server's own answers (READONLY, INVALID-VALUE, …) come back as HTTP statuses.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { createUserRecord } from "../config/index.ts"
import { DEFAULT_SERVER_SETTINGS, NutServer } from "../server/index.ts"
import { UpsState, type WriteResult } from "../ups/index.ts"
import { createHttpApp } from "./app.ts"
import { createSessionControl } from "./control.ts"
import { createLocalDirectory } from "./local-directory.ts"

const USERS = [
  createUserRecord({ name: "admin", password: "s3cret", actions: ["set", "fsd"], instcmds: ["all"] }),
  createUserRecord({ name: "tester", password: "t", instcmds: ["test.battery.start.quick"] }),
  createUserRecord({ name: "viewer", password: "v" }),
]
const TOKEN = "tok-0123456789"

function setup() {
  const calls: string[] = []
  const state = new UpsState()
  state.setInfo("ups.status", "OL")
  state.setInfo("ups.delay.shutdown", "20")
  state.setFlags("ups.delay.shutdown", ["RW"])
  state.setInfo("input.sensitivity", "low")
  state.setFlags("input.sensitivity", ["RW", "STRING"])
  state.setAux("input.sensitivity", 8)
  state.addEnum("input.sensitivity", "low")
  state.addEnum("input.sensitivity", "high")
  state.setInfo("battery.charge", "100")
  state.addCmd("test.battery.start.quick")
  state.addCmd("beeper.disable")
  state.markConnected({
    setvar: async (name, value): Promise<WriteResult> => {
      calls.push(`SET ${name}=${value}`)
      return "SUCCESS"
    },
    instcmd: async (name, param): Promise<WriteResult> => {
      calls.push(`CMD ${name}${param === undefined ? "" : ` ${param}`}`)
      return "SUCCESS"
    },
  })
  const ups = [{ name: "rack", desc: "Rack UPS", state }]
  const server = new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups, users: USERS, log: { debug() {}, info() {}, warn() {}, error() {} } })
  const app = createHttpApp({
    version: "test",
    directory: createLocalDirectory({ ups }),
    control: createSessionControl({ session: () => server.createSession() }),
    users: USERS,
    tokens: [{ token: TOKEN, user: "admin" }],
  })
  return { app, state, calls }
}

const basic = (user: string, pw: string) => ({ authorization: `Basic ${btoa(`${user}:${pw}`)}` })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const json = { "content-type": "application/json" }

const WRITES = [
  { what: "SET VAR", method: "PUT", path: "/api/v1/ups/rack/variables/ups.delay.shutdown", body: { value: "30" }, done: "SET ups.delay.shutdown=30" },
  { what: "INSTCMD", method: "POST", path: "/api/v1/ups/rack/commands/beeper.disable", body: {}, done: "CMD beeper.disable" },
  { what: "FSD", method: "POST", path: "/api/v1/ups/rack/fsd", body: undefined, done: undefined },
] as const

for (const w of WRITES) {
  test(`${w.what}: refused without credentials, with wrong ones and without the right; done with Basic and token`, async () => {
    const { app, state, calls } = setup()
    const send = (headers: Record<string, string>) => app.request(w.path, { method: w.method, headers: { ...json, ...headers }, ...(w.body === undefined ? {} : { body: JSON.stringify(w.body) }) })

    const anonymous = await send({})
    assert.equal(anonymous.status, 401)
    assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Basic realm="nutctl"/)
    assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, "UNAUTHORIZED")
    assert.equal((await send(basic("admin", "wrong"))).status, 401)
    assert.equal((await send(basic("nobody", "s3cret"))).status, 401)
    assert.equal((await send(bearer("not-the-token"))).status, 401)
    const viewer = await send(basic("viewer", "v"))
    assert.equal(viewer.status, 403)
    assert.equal(((await viewer.json()) as { error: { code: string } }).error.code, "ACCESS-DENIED")
    assert.deepEqual(calls, [])
    assert.equal(state.fsd, false)

    const ok = await send(basic("admin", "s3cret"))
    assert.equal(ok.status, 200)
    const body = (await ok.json()) as { ok: boolean; result: string; trackingId?: string }
    assert.equal(body.ok, true)
    assert.equal(body.result, "SUCCESS")
    // SET VAR and INSTCMD are tracked (the driver's answer is awaited); FSD has nothing to track
    assert.equal(typeof body.trackingId, w.done ? "string" : "undefined")
    if (w.done) assert.deepEqual(calls, [w.done])
    else assert.equal(state.fsd, true)
    const token = await send(bearer(TOKEN))
    assert.equal(token.status, 200)
    if (w.done) assert.deepEqual(calls, [w.done, w.done])
  })
}

test("INSTCMD follows the user's instcmds list, as upsd does", async () => {
  const { app, calls } = setup()
  const run = (cmd: string) => app.request(`/api/v1/ups/rack/commands/${cmd}`, { method: "POST", headers: basic("tester", "t") })
  assert.equal((await run("test.battery.start.quick")).status, 200)
  assert.equal((await run("beeper.disable")).status, 403)
  assert.deepEqual(calls, ["CMD test.battery.start.quick"])
})

test("writes answer with the NUT server's own checks", async () => {
  const { app, calls } = setup()
  const set = (name: string, value: string) => app.request(`/api/v1/ups/rack/variables/${name}`, { method: "PUT", headers: { ...json, ...basic("admin", "s3cret") }, body: JSON.stringify({ value }) })
  const code = async (r: Response) => [r.status, ((await r.json()) as { error?: { code: string } }).error?.code]
  assert.deepEqual(await code(await set("battery.charge", "50")), [409, "READONLY"])
  assert.deepEqual(await code(await set("no.such.var", "1")), [404, "VAR-NOT-SUPPORTED"])
  assert.deepEqual(await code(await set("input.sensitivity", "medium")), [400, "INVALID-VALUE"])
  assert.deepEqual(await code(await set("input.sensitivity", "high")), [200, undefined])
  const unknownUps = await app.request("/api/v1/ups/nope/fsd", { method: "POST", headers: basic("admin", "s3cret") })
  assert.deepEqual(await code(unknownUps), [404, "UNKNOWN-UPS"])
  const noCmd = await app.request("/api/v1/ups/rack/commands/load.off", { method: "POST", headers: basic("admin", "s3cret") })
  assert.deepEqual(await code(noCmd), [404, "CMD-NOT-SUPPORTED"])
  const badBody = await app.request("/api/v1/ups/rack/variables/ups.delay.shutdown", { method: "PUT", headers: { ...json, ...basic("admin", "s3cret") }, body: JSON.stringify({ value: 30 }) })
  assert.deepEqual(await code(badBody), [400, "BAD_REQUEST"])
  assert.deepEqual(calls, ["SET input.sensitivity=high"])
})

test("reads (API and metrics) are public by default and need credentials when private", async () => {
  const { app } = setup()
  assert.equal((await app.request("/api/v1/ups")).status, 200)
  const ups = [{ name: "rack", desc: undefined, state: new UpsState() }]
  const priv = createHttpApp({ version: "test", directory: createLocalDirectory({ ups }), users: USERS, readsPublic: false })
  assert.equal((await priv.request("/api/v1/ups")).status, 401)
  assert.equal((await priv.request("/api/v1/ups", { headers: basic("viewer", "v") })).status, 200)
  assert.equal((await priv.request("/api/v1/events/stream")).status, 404, "no event source: no stream route")
  assert.equal((await priv.request("/metrics")).status, 401)
  assert.equal((await priv.request("/ups_metrics", { headers: bearer("wrong") })).status, 401)
  assert.equal((await priv.request("/metrics", { headers: basic("viewer", "v") })).status, 200)
})

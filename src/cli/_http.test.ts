import { test } from "node:test"
import assert from "node:assert/strict"
import { createConsola } from "consola"
import { createUserRecord } from "../config/index.ts"
import { createHostState, type MonitorConfig } from "../monitor/index.ts"
import { NutServer, type ServedUps } from "../server/index.ts"
import { UpsState } from "../ups/index.ts"
import { DEFAULT_HTTP_LISTEN, httpListen, monitorViewOf, parseHttpConfig, startHttp } from "./_http.ts"

const quiet = createConsola({ level: -999 })

test("httpListen() takes --http, then http.listen, else 127.0.0.1:9199; --no-http or false turn it off", () => {
  assert.deepEqual(httpListen(undefined, undefined), DEFAULT_HTTP_LISTEN)
  assert.deepEqual(httpListen("0.0.0.0", undefined), { host: "0.0.0.0", port: 9199 })
  assert.deepEqual(httpListen("[::1]:9300", "0.0.0.0:9199"), { host: "::1", port: 9300 })
  assert.deepEqual(httpListen(undefined, "10.0.30.10:9199"), { host: "10.0.30.10", port: 9199 })
  assert.equal(httpListen(false, "0.0.0.0:9199"), undefined)
  assert.equal(httpListen(undefined, false), undefined)
  assert.throws(() => httpListen("not an address:x", undefined), /Cannot read HTTP address/)
})

test("parseHttpConfig() fills defaults and names the key of a mistake", () => {
  const c = parseHttpConfig(undefined)
  assert.equal(c.auth.reads, "public")
  assert.deepEqual(c.metrics.variables, [])
  assert.equal(c.metrics.namespace, "network_ups_tools")
  assert.deepEqual(parseHttpConfig({ metrics: { variables: "battery.charge, ups.status" } }).metrics.variables, ["battery.charge", "ups.status"])
  assert.throws(() => parseHttpConfig({ auth: { reads: "nobody" } }, "nutctl.yaml"), /^Error: nutctl.yaml: http.auth.reads expects public or private/)
})

test("monitorViewOf() reads the host machine's state", () => {
  const config = { supplies: [{ system: "rack@localhost", ups: "rack", host: "localhost", port: 3493, powerValue: 1, role: "primary" }], minSupplies: 1 } as unknown as MonitorConfig
  const view = monitorViewOf({ state: createHostState(config) }, config)
  const s = view.snapshot()
  assert.equal(s?.phase, "monitoring")
  assert.equal(s?.minSupplies, 1)
  assert.deepEqual(s?.supplies.map((x) => [x.system, x.comm, x.role, x.critical]), [["rack@localhost", "unknown", "primary", false]])
})

test("startHttp() serves metrics, API and a live event stream over TCP, and stops with a client attached", async () => {
  const state = new UpsState()
  state.setInfo("ups.status", "OL")
  state.setInfo("battery.charge", "100")
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  const ups: ServedUps[] = [{ name: "rack", desc: undefined, state }]
  const users = [createUserRecord({ name: "admin", password: "pw", actions: ["fsd"] })]
  const server = new NutServer({ settings: { listen: [{ host: "127.0.0.1", port: 0 }], maxAge: 15, maxConn: 16, trackingDelay: 60 }, ups, users, log: { debug() {}, info() {}, warn() {}, error() {} } })
  const addresses = await server.listen()
  const http = await startHttp({ listen: { host: "127.0.0.1", port: 0 }, upsd: { server, ups, addresses, reload: async () => ({ changed: [], restart: [], upsListChanged: false }), stop: async () => undefined }, users, log: quiet })
  const url = `http://127.0.0.1:${http.address.port}`
  try {
    const metrics = await (await fetch(`${url}/metrics`)).text()
    assert.match(metrics, /^network_ups_tools_battery_charge\{ups="rack"\} 100$/m)
    assert.match(metrics, /^nutctl_nut_connections 0$/m)
    assert.match(metrics, /^process_resident_memory_bytes \d+$/m)

    const stream = await fetch(`${url}/api/v1/events/stream`)
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader()
    let seen = ""
    const until = async (needle: string) => {
      while (!seen.includes(needle)) {
        const { done, value } = await reader.read()
        if (done) throw new Error(`stream ended before ${needle}`)
        seen += new TextDecoder().decode(value)
      }
    }
    await until("event: hello")
    const fsd = await fetch(`${url}/api/v1/ups/rack/fsd`, { method: "POST", headers: { authorization: `Basic ${btoa("admin:pw")}` } })
    assert.equal(fsd.status, 200)
    await until('"status":"FSD OL"')
    assert.match(seen, /event: fsd\n/)
    // the request counter hook on the NUT server saw the API's session (USERNAME, PASSWORD, FSD)
    assert.match(await (await fetch(`${url}/metrics`)).text(), /^nutctl_nut_requests_total\{command="FSD"\} 1$/m)
    // the stream is still open: stop() must not wait for it
    await http.stop()
    await assert.rejects(fetch(`${url}/metrics`))
  } finally {
    await http.stop().catch(() => undefined)
    await server.close()
  }
})

test("startHttp() ignores an empty bearer token with a warning: `Authorization: Bearer` alone never logs in", async () => {
  const state = new UpsState()
  state.setInfo("ups.status", "OL")
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  const ups: ServedUps[] = [{ name: "rack", desc: undefined, state }]
  const users = [createUserRecord({ name: "admin", password: "pw", actions: ["fsd"] })]
  const server = new NutServer({ settings: { listen: [{ host: "127.0.0.1", port: 0 }], maxAge: 15, maxConn: 16, trackingDelay: 60 }, ups, users, log: { debug() {}, info() {}, warn() {}, error() {} } })
  const addresses = await server.listen()
  const warned: string[] = []
  const log = createConsola({ level: -999 })
  log.warn = ((m: string) => void warned.push(m)) as typeof log.warn
  const env = "NUTCTL_TEST_EMPTY_TOKEN"
  process.env[env] = ""
  try {
    const config = parseHttpConfig({ auth: { tokens: [{ token: { env }, user: "admin" }] } })
    const http = await startHttp({ listen: { host: "127.0.0.1", port: 0 }, upsd: { server, ups, addresses, reload: async () => ({ changed: [], restart: [], upsListChanged: false }), stop: async () => undefined }, users, config, log })
    try {
      const fsd = await fetch(`http://127.0.0.1:${http.address.port}/api/v1/ups/rack/fsd`, { method: "POST", headers: { authorization: "Bearer " } })
      assert.equal(fsd.status, 401)
      assert.equal(state.get("ups.status")?.value, "OL")
    } finally {
      await http.stop()
    }
  } finally {
    delete process.env[env]
    await server.close()
  }
  assert.deepEqual(warned, [`http.auth.tokens[0].token: environment variable ${env} is empty: the token is ignored`])
})

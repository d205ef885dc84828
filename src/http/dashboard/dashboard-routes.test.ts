import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { gunzipSync } from "node:zlib"
import { createStorage } from "unstorage"
import { dashboardModule } from "../../../scripts/gen-dashboard.ts"
import { UpsState } from "../../ups/index.ts"
import type { JsonValue } from "../../store/index.ts"
import { createHttpApp } from "../app.ts"
import { createLocalDirectory } from "../local-directory.ts"
import { createPowerSeries } from "./power-series.ts"
import { parseSince } from "./history-routes.ts"

const NOW = Date.parse("2026-08-01T12:00:00Z")

function setup(options: { readsPublic?: boolean; series?: boolean } = {}) {
  const state = new UpsState()
  state.setInfo("ups.status", "OL")
  state.setInfo("battery.charge", "100")
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  const directory = createLocalDirectory({ ups: [{ name: "rack", desc: undefined, state }] })
  const raw = createStorage<JsonValue>()
  const series = createPowerSeries({ storage: { get: (k) => raw.getItem(k), set: (k, v) => raw.setItem(k, v), remove: (k) => raw.removeItem(k), keys: () => raw.getKeys() }, directory, now: () => NOW - 60_000 })
  const users = [{ name: "admin", password: "pw", actions: new Set<string>(), instcmds: new Set<string>() }]
  const app = createHttpApp({ version: "test", directory, users, readsPublic: options.readsPublic ?? true, now: () => NOW, ...(options.series === false ? {} : { series }) })
  return { app, series }
}

test("assets.generated.ts matches src/http/dashboard/assets (run: npx tsx scripts/gen-dashboard.ts)", () => {
  assert.equal(readFileSync(new URL("./assets.generated.ts", import.meta.url), "utf8"), dashboardModule())
})

test("GET / serves the dashboard with a CSP, an ETag (304 on revalidation) and gzip", async () => {
  const { app } = setup()
  const res = await app.request("/")
  assert.equal(res.status, 200)
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/)
  assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/)
  const html = await res.text()
  assert.match(html, /<script type="module" src="dashboard\/app.js">/)
  assert.doesNotMatch(html, /https?:\/\//, "no CDN, no external fonts")
  const etag = res.headers.get("etag") ?? ""
  assert.equal((await app.request("/", { headers: { "if-none-match": etag } })).status, 304)

  const js = await app.request("/dashboard/app.js", { headers: { "accept-encoding": "gzip, br" } })
  assert.equal(js.headers.get("content-encoding"), "gzip")
  assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/)
  const text = gunzipSync(Buffer.from(await js.arrayBuffer())).toString("utf8")
  assert.match(text, /"OB":"on battery"/, "status words come from src/ups/status.ts")
  assert.equal((await app.request("/dashboard/chart.js")).status, 200)
  assert.equal((await app.request("/dashboard/nope.js")).status, 404)
})

test("GET / asks for credentials when reads are private", async () => {
  const { app } = setup({ readsPublic: false })
  const res = await app.request("/")
  assert.equal(res.status, 401)
  assert.match(res.headers.get("www-authenticate") ?? "", /^Basic/)
  assert.equal((await app.request("/", { headers: { authorization: `Basic ${btoa("admin:pw")}` } })).status, 200)
})

test("GET /api/v1/ups/:ups/history answers points, 404 for an unknown UPS, 400 for a bad since", async () => {
  const { app, series } = setup()
  await series.tick()
  const res = await app.request("/api/v1/ups/RACK/history?since=1h")
  assert.equal(res.status, 200)
  const body = (await res.json()) as { ups: string; available: boolean; since: number; until: number; intervalMs: number; points: { at: number; charge: number }[] }
  assert.equal(body.ups, "rack")
  assert.equal(body.available, true)
  assert.equal(body.since, NOW - 3_600_000)
  assert.equal(body.until, NOW)
  assert.equal(body.intervalMs, 30_000)
  assert.deepEqual(body.points.map((p) => [p.at, p.charge]), [[NOW - 60_000, 100]])
  assert.equal((await app.request("/api/v1/ups/nope/history")).status, 404)
  assert.equal((await app.request("/api/v1/ups/rack/history?since=yesterday")).status, 400)
  const doc = (await (await app.request("/api/v1/openapi.json")).json()) as { paths: Record<string, unknown> }
  assert.ok("/api/v1/ups/{ups}/history" in doc.paths)

  const none = setup({ series: false })
  const empty = (await (await none.app.request("/api/v1/ups/rack/history")).json()) as { available: boolean; points: unknown[] }
  assert.deepEqual([empty.available, empty.points], [false, []])
})

test("parseSince() reads durations back from now, epoch ms and ISO dates", () => {
  assert.equal(parseSince("90s", NOW), NOW - 90_000)
  assert.equal(parseSince("7d", NOW), NOW - 7 * 86_400_000)
  assert.equal(parseSince("1785585600000", NOW), 1785585600000)
  assert.equal(parseSince("2026-08-01T00:00:00Z", NOW), Date.parse("2026-08-01T00:00:00Z"))
  assert.equal(parseSince("soon", NOW), undefined)
})

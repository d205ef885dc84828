// Replays the upsd 2.8.0 recordings in test/fixtures/nut-wire/ (01–04, 07) against nutctl's server
// and compares every reply byte for byte. The sandbox matches sandbox-etc/: bvk (BVK750M2 dump),
// flip (flip.seq, held on its first step), nodrv (driver never started), crit (crit.dev).
import { test } from "node:test"
import assert from "node:assert/strict"
import { DummyDriver } from "../drivers/index.ts"
import { UpsState } from "../ups/index.ts"
import { fixture, fixturePath } from "../../test/support/fixture.ts"
import { parseTranscript } from "../../test/support/wire-transcript.ts"
import { upsdTrackingIds } from "../../test/support/upsd-tracking-ids.ts"
import { DEFAULT_SERVER_SETTINGS, NutServer, RequestStream, type ServedUps } from "./index.ts"
import { parseUpsdUsers } from "../config/index.ts"

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const never = (_ms: number, signal?: AbortSignal) =>
  new Promise<void>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)))

async function sandbox() {
  const abort = new AbortController()
  const served: ServedUps[] = []
  const add = async (name: string, file: string | undefined, desc?: string) => {
    const state = new UpsState()
    if (file) {
      // let the driver finish its first update (its 1 s sleep), then hold it: the clock stands still,
      // so flip.seq stays on its first step, as in the recording
      let sleeps = 0
      const sleep = (ms: number, signal: AbortSignal) => (sleeps++ === 0 ? Promise.resolve() : never(ms, signal))
      const driver = new DummyDriver({ file: fixturePath(file), port: file.split("/").pop() ?? file, log: quiet, sleep, now: () => 0 })
      void driver.start(state, abort.signal).catch(() => {})
      for (let i = 0; i < 200 && state.availability() !== "ok"; i++) await new Promise((r) => setTimeout(r, 1))
    }
    served.push({ name, desc, state })
  }
  await add("bvk", "nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev", 'APC Back-UPS "BVK" #1')
  await add("flip", "nut-wire/sandbox-etc/flip.seq")
  await add("nodrv", undefined, "never started")
  await add("crit", "nut-wire/sandbox-etc/crit.dev", "crit test")
  const users = parseUpsdUsers(fixture("nut-wire/sandbox-etc/upsd.users"), "upsd.users").users
  const server = new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups: served, users, log: quiet, trackingIds: upsdTrackingIds() })
  return { server, stop: () => abort.abort() }
}

const flush = () => new Promise((r) => setTimeout(r, 0))

async function replay(server: NutServer, file: string) {
  let stream = new RequestStream(server.createSession())
  let closed = false
  for (const step of parseTranscript(fixture(`nut-wire/${file}`))) {
    const where = `${file}:${step.line}`
    if (closed) {
      // the recorder kept writing to the closed socket and saw EOF again; continue on a new one
      assert.ok(step.eof, `${where}: expected EOF after LOGOUT`)
      stream = new RequestStream(server.createSession())
      closed = false
      continue
    }
    const { out, action } = stream.feed(step.send)
    assert.equal(out, step.expect.map((l) => l + "\n").join(""), where)
    assert.equal(action === "close", step.eof, `${where}: connection close`)
    closed = action === "close"
    await flush() // let SET VAR reach the driver before the next request, as upsd's loop does
  }
}

test("server replays 01-04 transcripts byte for byte, in one upsd lifetime", async () => {
  const { server, stop } = await sandbox()
  try {
    for (const f of ["01-anonymous-get-list.txt", "02-auth-upsmon-secondary.txt", "03-admin-set-instcmd-tracking-fsd.txt", "04-parser-edge-cases.txt"]) {
      await replay(server, f)
    }
  } finally {
    stop()
  }
})

test("server truncates over-long reply lines to 512 bytes without newline (07-limits)", async () => {
  const { server, stop } = await sandbox()
  try {
    const stream = new RequestStream(server.createSession())
    const enc = (s: string) => new TextEncoder().encode(s)
    const desc = stream.feed(enc(`GET DESC bvk ${"a".repeat(600)}\n`)).out
    assert.equal(enc(desc).length, 512)
    assert.ok(desc.startsWith("DESC bvk aaaa") && !desc.endsWith("\n"))
    assert.equal(stream.feed(enc(`GET VAR bvk ${"b".repeat(520)}\n`)).out, "ERR VAR-NOT-SUPPORTED\n")
    const many = ["GET", "VAR", "bvk", "ups.status", ...Array.from({ length: 39 }, (_, i) => `x${i}`)].join(" ")
    assert.equal(stream.feed(enc(many + "\n")).out, 'VAR bvk ups.status "OL"\n')
    assert.equal(stream.feed(enc("VER\n")).out, "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/\n")
  } finally {
    stop()
  }
})

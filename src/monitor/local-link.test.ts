/**
 * The local shortcut gives the answers upsd gives for the same UpsState: status with the FSD
 * latch, DRIVER-NOT-CONNECTED / DATA-STALE, NUMLOGINS that counts the monitor itself, and the
 * rights of the MONITOR line's user.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { NutError } from "../protocol/index.ts"
import { UpsState, type UpsWriter } from "../ups/index.ts"
import { createLocalLink, type LocalUps, type LogLevel, type SupplyConfig } from "./index.ts"

const SUPPLY: SupplyConfig = { system: "rack@localhost", ups: "rack", host: "localhost", port: 3493, powerValue: 1, role: "primary", user: "monpri", password: "pripass" }
const WRITER: UpsWriter = { setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" }

function served(options: { now?: () => number; users?: Record<string, string[]> } = {}) {
  const state = new UpsState({ maxAgeMs: 15_000, ...(options.now ? { now: options.now } : {}) })
  let logins = 0
  const ups: LocalUps = {
    state,
    numLogins: () => logins,
    login: () => {
      logins++
      return () => void logins--
    },
    ...(options.users
      ? { hasAction: (user: string, password: string, action: string) => password === "pripass" && (options.users?.[user] ?? []).includes(action) }
      : {}),
  }
  const lines: { level: LogLevel; message: string }[] = []
  const link = createLocalLink({ supply: SUPPLY, ups, log: (level, message) => void lines.push({ level, message }) })
  return { state, link, lines, logins: () => logins }
}

test("createLocalLink() reads the status with upsd's FSD latch, and sets the latch", async () => {
  const { state, link } = served()
  state.markConnected(WRITER)
  state.setInfo("ups.status", "OB LB")
  assert.deepEqual(await link.poll(), { kind: "status", status: "OB LB" })
  await link.setFsd()
  assert.equal(state.fsd, true)
  assert.deepEqual(await link.poll(), { kind: "status", status: "FSD OB LB" })
})

test("createLocalLink() fails polls the way upsd answers them: DRIVER-NOT-CONNECTED, DATA-STALE", async () => {
  let now = 1000
  const { state, link } = served({ now: () => now })
  assert.deepEqual(await link.poll(), { kind: "failed", error: "DRIVER-NOT-CONNECTED" })
  state.markConnected(WRITER)
  state.setInfo("ups.status", "OL")
  now += 15_001
  assert.deepEqual(await link.poll(), { kind: "failed", error: "DATA-STALE" })
  await assert.rejects(link.numLogins(), (e: unknown) => e instanceof NutError && e.code === "DATA-STALE")
})

test("createLocalLink() counts itself in NUMLOGINS like upsmon's LOGIN, until drop()", async () => {
  const { state, link, logins } = served()
  state.markConnected(WRITER)
  state.setInfo("ups.status", "OL")
  await link.poll()
  await link.poll()
  assert.equal(await link.numLogins(), 1)
  link.drop()
  assert.equal(logins(), 0)
})

test("createLocalLink() checks the MONITOR line's user like upsd: no LOGIN, no FSD without the rights", async () => {
  const { state, link, lines, logins } = served({ users: { monpri: ["login"] } })
  state.markConnected(WRITER)
  state.setInfo("ups.status", "OL")
  await link.poll()
  assert.equal(logins(), 1)
  assert.deepEqual(lines, [{ level: "error", message: "Setting primary mode on UPS [rack@localhost] failed - got [ERR ACCESS-DENIED]" }])
  await assert.rejects(link.setFsd(), (e: unknown) => e instanceof NutError && e.code === "ACCESS-DENIED")
  assert.equal(state.fsd, false)

  const other = served({ users: {} })
  other.state.markConnected(WRITER)
  other.state.setInfo("ups.status", "OL")
  assert.deepEqual(await other.link.poll(), { kind: "status", status: "OL" }, "polling goes on without LOGIN")
  assert.equal(other.logins(), 0)
})

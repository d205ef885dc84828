/** Which MONITOR lines `serve` answers in process (the local shortcut), and how that looks on the wire. */
import assert from "node:assert/strict"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "node:test"
import { createConsola } from "consola"
import { createUserRecord, parseUpsmonConf } from "../config/index.ts"
import type { SupplyConfig } from "../monitor/index.ts"
import { DEFAULT_SERVER_SETTINGS, NutServer, type ServedUps } from "../server/index.ts"
import { UpsState } from "../ups/index.ts"
import { createNutMonitor, localUpsFor, readUpsmonConf, type LocalServer } from "./_monitor.ts"

const quiet = { debug() {}, info() {}, warn() {}, error() {} }

function local(): { server: LocalServer; ask: (line: string) => string } {
  const state = new UpsState()
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  state.setInfo("ups.status", "OL")
  const ups: ServedUps[] = [{ name: "Rack", desc: undefined, state }]
  const users = [createUserRecord({ name: "monpri", password: "pripass", upsmon: "primary" })]
  const server = new NutServer({ settings: DEFAULT_SERVER_SETTINGS, ups, users, log: quiet })
  const session = server.createSession()
  return { server: { server, ups, addresses: [{ host: "0.0.0.0", port: 3493 }] }, ask: (line) => session.handle(line.split(" ")).trimEnd() }
}

function supply(system: string, host: string, port: number, ups = "rack"): SupplyConfig {
  return { system, ups, host, port, powerValue: 1, role: "primary", user: "monpri", password: "pripass" }
}

test("localUpsFor() takes MONITOR lines on loopback, on a port we listen on, naming a served UPS", () => {
  const { server } = local()
  for (const host of ["localhost", "127.0.0.1", "::1", "LOCALHOST"]) assert.ok(localUpsFor(supply(`rack@${host}`, host, 3493), server), host)
  assert.equal(localUpsFor(supply("rack@nas", "nas", 3493), server), undefined, "another host goes over the network")
  assert.equal(localUpsFor(supply("rack@localhost:3494", "localhost", 3494), server), undefined, "another server on this host")
  assert.equal(localUpsFor(supply("other@localhost", "localhost", 3493, "other"), server), undefined, "a UPS we do not serve")
})

test("localUpsFor() counts the in-process monitor in NUMLOGINS and LIST CLIENT as upsmon on localhost", () => {
  const { server, ask } = local()
  const ups = localUpsFor(supply("rack@localhost", "localhost", 3493), server)
  assert.ok(ups)
  const logout = ups.login()
  assert.equal(ask("GET NUMLOGINS rack"), "NUMLOGINS rack 1")
  assert.equal(ask("LIST CLIENT rack"), "BEGIN LIST CLIENT rack\nCLIENT Rack 127.0.0.1\nEND LIST CLIENT rack")
  assert.equal(ups.numLogins(), 1)
  assert.equal(ups.hasAction?.("monpri", "pripass", "fsd"), true)
  assert.equal(ups.hasAction?.("monpri", "wrong", "fsd"), false)
  logout()
  assert.equal(ask("GET NUMLOGINS rack"), "NUMLOGINS rack 0")
})

test("createNutMonitor() reads upssched.conf from the same directory when NOTIFYCMD is upssched", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-upssched-"))
  try {
    const upsmon = parseUpsmonConf("MONITOR ups@127.0.0.1:1 1 u p secondary\nNOTIFYCMD /usr/sbin/upssched\n")
    const options = { dir, upsmon, log: createConsola({ level: 0 }), dryRun: true, wall: false }
    await assert.rejects(createNutMonitor(options), /Cannot read .*upssched\.conf: .*NOTIFYCMD is upssched/)
    writeFileSync(join(dir, "upssched.conf"), "AT ONBATT * START-TIMER onbatt 30\n")
    await assert.rejects(createNutMonitor(options), (e: unknown) => (e as { code?: string }).code === "UPSSCHED_INVALID")
    writeFileSync(join(dir, "upssched.conf"), "CMDSCRIPT /bin/true\nAT ONBATT * START-TIMER onbatt 30\n")
    const monitor = await createNutMonitor(options)
    assert.deepEqual(monitor.local, [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("readUpsmonConf() says plainly that upsmon.conf is missing, or that --nut-config takes a directory", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-upsmon-"))
  try {
    assert.equal(await readUpsmonConf(dir, false), undefined)
    await assert.rejects(
      readUpsmonConf(dir, true),
      (e: unknown) =>
        e instanceof Error &&
        e.message === `Cannot read ${join(dir, "upsmon.conf")}: no such file; the monitor reads upsmon.conf from the --nut-config directory (like /etc/nut), as upsmon does`,
    )
    const file = join(dir, "ups.conf")
    writeFileSync(file, "")
    await assert.rejects(readUpsmonConf(file, true), (e: unknown) => e instanceof Error && e.message === `${file} is a file, not a directory: --nut-config takes the directory that holds upsmon.conf (${dir})`)
    // in serve (not required) too: a file is never a config directory
    await assert.rejects(readUpsmonConf(file, false), /is a file, not a directory/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

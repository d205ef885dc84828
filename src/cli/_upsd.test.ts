import { test } from "node:test"
import assert from "node:assert/strict"
import { createConsola } from "consola"
import { copyFileSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ServeSetup } from "../config/index.ts"
import { DEFAULT_SERVER_SETTINGS } from "../server/index.ts"
import { fixturePath } from "../../test/support/fixture.ts"
import { startUpsd, type RunningUpsd } from "./_upsd.ts"

const APC = "nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev"
const CYBERPOWER = "nut-ddl/Cyber_Power_Systems__BR1000ELCD__usbhid-ups__2.7.4__01.dev"

type UpsDef = ServeSetup["ups"][number]

function sandbox(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-upsd-reload-"))
  copyFileSync(fixturePath(APC), join(dir, "apc.dev"))
  copyFileSync(fixturePath(CYBERPOWER), join(dir, "cp.dev"))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

function setup(dir: string, ups: Array<Partial<UpsDef> & { name: string; port: string }>, maxAge = 15): ServeSetup {
  return {
    ups: ups.map((u) => ({ driver: "dummy-ups", params: {}, baseDir: dir, ...u })),
    server: { ...DEFAULT_SERVER_SETTINGS, maxAge, listen: [{ host: "127.0.0.1", port: 0 }] },
    users: [],
    allowNoDevice: false,
    warnings: [],
  }
}

const quiet = createConsola({ level: -999 })

/** One request on a session of the running server (what a client on the socket would get). */
function ask(upsd: RunningUpsd, line: string): string {
  return upsd.server.createSession().handle(line.split(" ").map((w) => w.replace(/^"|"$/g, "")))
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

test("a reload starts new UPS sections, stops removed ones and restarts changed drivers on the same state", async () => {
  const box = sandbox()
  const upsd = await startUpsd(setup(box.dir, [{ name: "rack", port: "apc.dev", desc: "Rack" }]), quiet)
  try {
    const rack = upsd.ups[0]!
    await until("rack's data", () => ask(upsd, "GET VAR rack ups.model").startsWith("VAR"))
    assert.equal(ask(upsd, "GET VAR rack ups.model"), 'VAR rack ups.model "Back-UPS BVK750M2"\n')
    assert.equal(ask(upsd, "GET UPSDESC rack"), 'UPSDESC rack "Rack"\n')
    rack.state.setFsd() // the FSD latch belongs to upsd's UPS, not to the driver: a restart keeps it

    // added: a second UPS; changed: rack's port (another device) and its description
    const result = await upsd.reload(setup(box.dir, [{ name: "rack", port: "cp.dev", desc: "Rack, new battery" }, { name: "office", port: "apc.dev" }]))
    assert.deepEqual(result.changed.filter((c) => c.startsWith("UPS")), ["UPS [rack] driver restarted", "UPS [rack] description", "UPS [office] added"])
    assert.equal(result.upsListChanged, true)
    assert.deepEqual(result.restart, [])
    assert.equal(upsd.ups[0], rack, "the same served UPS (and UpsState): clients and the monitor keep following it")
    assert.deepEqual(upsd.ups.map((u) => u.name), ["rack", "office"], "the live list follows ups.conf")
    await until("rack's new driver", () => ask(upsd, "GET VAR rack ups.model") === 'VAR rack ups.model "BR1000ELCD"\n')
    assert.equal(rack.state.fsd, true)
    assert.equal(ask(upsd, "GET UPSDESC rack"), 'UPSDESC rack "Rack, new battery"\n')
    await until("office's data", () => ask(upsd, "GET VAR office ups.model").startsWith("VAR"))
    assert.equal(ask(upsd, "LIST UPS"), 'BEGIN LIST UPS\nUPS rack "Rack, new battery"\nUPS office "Description unavailable"\nEND LIST UPS\n')

    // reordered sections, nothing else: no driver restarts, but LIST UPS follows the new order
    const reordered = await upsd.reload(setup(box.dir, [{ name: "office", port: "apc.dev" }, { name: "rack", port: "cp.dev", desc: "Rack, new battery" }]))
    assert.deepEqual(reordered.changed.filter((c) => c.startsWith("UPS")), [])
    assert.equal(reordered.upsListChanged, true)
    assert.equal(ask(upsd, "LIST UPS"), 'BEGIN LIST UPS\nUPS office "Description unavailable"\nUPS rack "Rack, new battery"\nEND LIST UPS\n')

    // removed: rack goes; its state forgets what the driver published, requests get UNKNOWN-UPS
    const removal = await upsd.reload(setup(box.dir, [{ name: "office", port: "apc.dev" }]))
    assert.deepEqual(removal.changed.filter((c) => c.startsWith("UPS")), ["UPS [rack] removed"])
    assert.equal(ask(upsd, "GET VAR rack ups.status"), "ERR UNKNOWN-UPS\n")
    assert.equal(rack.state.availability(), "not-connected")
    assert.deepEqual(upsd.ups.map((u) => u.name), ["office"])

    // nothing changed: the driver keeps running (no restart), and says so
    const same = await upsd.reload(setup(box.dir, [{ name: "office", port: "apc.dev" }]))
    assert.deepEqual(same.changed.filter((c) => c.startsWith("UPS")), [])
    assert.equal(same.upsListChanged, false)
    assert.equal(ask(upsd, "GET VAR office ups.model"), 'VAR office ups.model "Back-UPS BVK750M2"\n')
  } finally {
    await upsd.stop()
    box.remove()
  }
})

test("a reload with a section that cannot be loaded changes nothing, and a new MAXAGE reaches new UPSes", async () => {
  const box = sandbox()
  const upsd = await startUpsd(setup(box.dir, [{ name: "rack", port: "apc.dev" }]), quiet)
  try {
    await until("rack's data", () => ask(upsd, "GET VAR rack ups.status").startsWith("VAR"))
    // a usbhid-ups section whose options do not parse (the driver is created before anything stops)
    const bad = setup(box.dir, [{ name: "rack", port: "cp.dev" }, { name: "bad", driver: "usbhid-ups", port: "sim:bx1600mi", params: { pollinterval: "soon" } }])
    await assert.rejects(upsd.reload(bad), /pollinterval/)
    assert.deepEqual(upsd.ups.map((u) => u.name), ["rack"])
    assert.equal(ask(upsd, "GET VAR bad ups.status"), "ERR UNKNOWN-UPS\n")
    // no section left (and no ALLOW_NO_DEVICE): refused like at start
    await assert.rejects(upsd.reload(setup(box.dir, [])), /No UPS configured/)
    assert.deepEqual(upsd.ups.map((u) => u.name), ["rack"])
    assert.equal(ask(upsd, "GET VAR rack ups.model"), 'VAR rack ups.model "Back-UPS BVK750M2"\n')

    await upsd.reload(setup(box.dir, [{ name: "rack", port: "apc.dev" }, { name: "office", port: "cp.dev" }], 40))
    assert.equal(upsd.ups[1]!.state.maxAgeMs, 40_000)
    assert.equal(upsd.ups[0]!.state.maxAgeMs, 40_000)
  } finally {
    await upsd.stop()
    box.remove()
  }
})

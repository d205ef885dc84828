/**
 * `nutctl killpower`'s plan from NUT's files and from the cluster config, and the whole run on the
 * simulated APC Back-UPS BX1600MI (usbhid-ups on `sim:bx1600mi`): the device route must write
 * APCDelayBeforeReboot = 1 (the one write that power-cycles a BX, nut#2683). Nothing here can reach
 * a real UPS; no test sets POWEROFF_WAIT with a real reboot.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { freePort } from "../../test/support/real-nut.ts"
import { memoryConfigFs } from "../config/index.ts"
import type { DriverCapabilities } from "../drivers/index.ts"
import { openSimPort, systemClock as simClock, type SimPortDevice } from "../hid/index.ts"
import { runKillpower, type FlagFile } from "../monitor/index.ts"
import { parseSleep, planKillpower, type KillpowerIo } from "./_killpower.ts"

const MAGIC = "upsmon-shutdown-file"

function flagFile(files: Record<string, string>): FlagFile {
  return { read: async (p) => files[p], write: async () => {}, remove: async () => {} }
}

function io(files: Record<string, string>, flags: Record<string, string>, capabilities: DriverCapabilities = {}): KillpowerIo {
  return { env: () => undefined, flagFile: flagFile(flags), clock: new ManualClock(0), driverLog: { info() {}, warn() {} }, capabilities, fs: memoryConfigFs(files) }
}

test("planKillpower() from NUT's files: POWERDOWNFLAG, POWEROFF_WAIT, an instcmds user, server then device", async () => {
  const files = {
    "/etc/nut/ups.conf": "[rack]\n\tdriver = usbhid-ups\n\tport = auto\n\tsdcommands = load.off.delay\n",
    "/etc/nut/upsd.conf": "LISTEN 0.0.0.0 3494\n",
    "/etc/nut/upsd.users": "[mon]\n\tpassword = m\n\tupsmon primary\n[admin]\n\tpassword = a\n\tinstcmds = ALL\n",
    "/etc/nut/upsmon.conf": "MONITOR rack@localhost:3494 1 mon m primary\nPOWERDOWNFLAG /etc/killpower\n",
    "/etc/nut/nut.conf": "MODE=standalone\nPOWEROFF_WAIT=15m\n",
  }
  const plan = await planKillpower({ nutConfig: "/etc/nut", hostname: "nas" }, io(files, { "/etc/killpower": MAGIC }))
  assert.deepEqual(plan.flag, { configured: true, path: "/etc/killpower", status: "set" })
  assert.equal(plan.powerOffWaitMs, 15 * 60_000)
  assert.equal(plan.targets.length, 1)
  const [t] = plan.targets
  assert.deepEqual(t?.chain, ["load.off.delay"], "the UPS's own sdcommands")
  assert.deepEqual(
    t?.routes.map((r) => r.description),
    ["the server at 127.0.0.1:3494 as admin", "the device (usbhid-ups, port auto)"],
  )
})

test("planKillpower() from the cluster config: a secondary drives no UPS; the primary's flag and wait come from shutdown:", async () => {
  const yaml = `
ups: { rack: { driver: usbhid, port: auto } }
users: { admin: { password: { env: ADMIN_PW }, instcmds: [shutdown.return] } }
roles:
  - { hosts: nas, role: primary, monitor: [rack@localhost], shutdown: [] }
  - { hosts: "pve-*", role: secondary, monitor: [rack@nas], shutdown: [] }
shutdown: { powerdownflag: /etc/killpower, poweroffwait: 2m }
`
  const files = { "/etc/nutctl/nutctl.yaml": yaml }
  const secondary = await planKillpower({ config: "/etc/nutctl/nutctl.yaml", hostname: "pve-1" }, io(files, { "/etc/killpower": MAGIC }))
  assert.deepEqual(secondary.targets, [])
  assert.match(secondary.notes.join("\n"), /pve-1 is a secondary: it drives no UPS/)
  const primary = await planKillpower({ config: "/etc/nutctl/nutctl.yaml", hostname: "nas" }, io(files, {}))
  assert.deepEqual(primary.flag, { configured: true, path: "/etc/killpower", status: "absent" })
  assert.equal(primary.powerOffWaitMs, 120_000)
  assert.deepEqual(primary.targets[0]?.routes.map((r) => r.description), ["the server at 127.0.0.1:3493 as admin", "the device (usbhid-ups, port auto)"])
})

test("parseSleep() reads POWEROFF_WAIT as sleep(1) does", () => {
  assert.equal(parseSleep("120"), 120_000)
  assert.equal(parseSleep("15m"), 900_000)
  assert.equal(parseSleep("1h"), 3_600_000)
  assert.equal(parseSleep("soon"), undefined)
})

test("killpower on the simulated BX1600MI: no server, so the device route sends shutdown.return = APCDelayBeforeReboot 1", async () => {
  const port = await freePort() // nothing listens there: the server route fails, the device route runs
  const yaml = `
ups: { rack: { driver: usbhid, port: "sim:bx1600mi" } }
server: { listen: ["127.0.0.1:${port}"] }
users: { admin: { password: pw, instcmds: [all] } }
shutdown: { powerdownflag: /run/killpower }
`
  let device: SimPortDevice | undefined
  const capabilities: DriverCapabilities = {
    hidOpener: (spec) =>
      openSimPort(spec.port, { clock: simClock }).then((d) => {
        device = d
        return d.opener
      }),
  }
  const plan = await planKillpower({ config: "/etc/nutctl/nutctl.yaml", hostname: "nas" }, { ...io({ "/etc/nutctl/nutctl.yaml": yaml }, { "/run/killpower": MAGIC }, capabilities), clock: simClock })
  const logs: string[] = []
  const outcome = await runKillpower({ flag: plan.flag, targets: plan.targets, clock: simClock, log: (_l, m) => logs.push(m) })
  assert.deepEqual(outcome, { kind: "killed", results: [{ ups: "rack", command: "shutdown.return", route: "the device (usbhid-ups, port sim:bx1600mi)" }], rebooted: false }, logs.join("\n"))
  assert.ok(device, "the simulator was opened")
  // the BX's grace countdown runs: the output goes off in ~2 min and comes back with mains
  assert.equal(device.ups.value("UPS.APCGeneralCollection.APCDelayBeforeReboot"), 120)
})

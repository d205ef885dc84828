// The monitor re-reads its settings on SIGHUP, as `upsmon -c reload` does (and as the units'
// ExecReload asks): `nutctl monitor` from upsmon.conf, `serve` with upsmon.conf beside NUT's files,
// and `serve` as a secondary of the cluster config. Unchanged settings leave it alone, new ones
// move its login, settings it cannot use are refused with the file's own words, and during a
// power event the reload waits until the power is back.
import { test } from "node:test"
import assert from "node:assert/strict"
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { fixturePath } from "../support/fixture.ts"
import { LineClient } from "../support/line-client.ts"
import { monitorSandbox, startNutctl } from "../support/nutctl-monitor.ts"
import { spawnGroup, type ProcessGroup } from "../support/process-group.ts"
import { freePort, waitForPort } from "../support/real-nut.ts"
import { setDevStatus, waitForDrivers } from "../support/upsd-pair.ts"

const REPO = fileURLToPath(new URL("../../", import.meta.url))

async function until(what: string, output: () => string, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!pattern.test(output())) {
    if (Date.now() > end) throw new Error(`no ${what} in the log:\n${output()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function numLogins(port: number, ups = "ups"): Promise<string> {
  const c = await LineClient.open(port)
  try {
    return (await c.request(`GET NUMLOGINS ${ups}`)) ?? "(closed)"
  } finally {
    c.close()
  }
}

async function untilNumLogins(port: number, expected: number): Promise<void> {
  const end = Date.now() + 15_000
  for (;;) {
    const got = await numLogins(port)
    if (got === `NUMLOGINS ups ${expected}`) return
    if (Date.now() > end) throw new Error(`NUMLOGINS stayed ${got}, expected ${expected}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A `nutctl serve --nut-config` directory serving UPS `ups` from a copy of a .dev file, with a monitor user. */
function serverDir(port: number, user: string, role: "primary" | "secondary"): { dir: string; dev: string } {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-monitor-reload-"))
  const dev = join(dir, "ups.dev")
  copyFileSync(fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev"), dev)
  writeFileSync(join(dir, "ups.conf"), "[ups]\n\tdriver = dummy-ups\n\tport = ups.dev\n")
  writeFileSync(join(dir, "upsd.conf"), `LISTEN 127.0.0.1 ${port}\n`)
  writeFileSync(join(dir, "upsd.users"), `[${user}]\n\tpassword = secpass\n\tupsmon ${role}\n`, { mode: 0o600 })
  return { dir, dev }
}

const hup = (p: ProcessGroup): void => void process.kill(p.child.pid as number, "SIGHUP")

test("nutctl monitor on SIGHUP: same settings stay, a new MONITOR line moves the login, impossible ones are refused", async () => {
  const unreachable = await freePort()
  const port = await freePort()
  const server = serverDir(port, "monsec", "secondary")
  const serve = startNutctl("serve", server.dir)
  const box = monitorSandbox({ system: `ups@127.0.0.1:${unreachable}`, user: "monsec", password: "secpass", role: "secondary" })
  const monitor = startNutctl("monitor", box.dir, ["--dry-run"])
  const conf = join(box.dir, "upsmon.conf")
  try {
    await waitForPort(port, 20_000)
    await waitForDrivers(port, ["ups"])
    await until("start", monitor.output, new RegExp(`nutctl monitoring ups@127\\.0\\.0\\.1:${unreachable}`))
    hup(monitor)
    await until("unchanged", monitor.output, /Monitor: settings unchanged/)

    writeFileSync(conf, readFileSync(conf, "utf8").replace(`:${unreachable} `, `:${port} `), { mode: 0o600 })
    hup(monitor)
    await until("reload", monitor.output, new RegExp(`Monitor reloaded: watching ups@127\\.0\\.0\\.1:${port}`))
    await untilNumLogins(port, 1)

    // upsmon exits on this; nutctl keeps the monitor it has, and names the line
    writeFileSync(conf, readFileSync(conf, "utf8").replace("MINSUPPLIES 1", "MINSUPPLIES 3"), { mode: 0o600 })
    hup(monitor)
    await until("refusal", monitor.output, /upsmon\.conf:2: MINSUPPLIES[\s\S]*Monitor: reload failed; still running the previous settings/)
    assert.equal(await numLogins(port), "NUMLOGINS ups 1", "still logged in")
    assert.equal(monitor.child.exitCode, null, "still running")
    assert.doesNotMatch(monitor.output(), /secpass/, "the password is never logged")
  } finally {
    await monitor.stop()
    await serve.stop()
    box.remove()
    rmSync(server.dir, { recursive: true, force: true })
  }
})

test("serve with upsmon.conf: a reload during a power outage waits until the UPS is back on line", async () => {
  const port = await freePort()
  const { dir, dev } = serverDir(port, "monpri", "primary")
  const conf = (pollFreq: number) =>
    [`MONITOR ups@127.0.0.1:${port} 1 monpri secpass primary`, `SHUTDOWNCMD "/bin/false"`, `POLLFREQ ${pollFreq}`, "POLLFREQALERT 1", "FINALDELAY 0", ""].join("\n")
  writeFileSync(join(dir, "upsmon.conf"), conf(1), { mode: 0o600 })
  const serve = startNutctl("serve", dir, ["--dry-run"])
  try {
    await until("start", serve.output, /nutctl monitoring ups@127\.0\.0\.1:\d+ \(in process\)/)
    setDevStatus(dev, "OB")
    await until("on battery", serve.output, /on battery/i)

    writeFileSync(join(dir, "upsmon.conf"), conf(2), { mode: 0o600 })
    hup(serve)
    await until("deferral", serve.output, /Monitor: a power event is under way; the new settings apply once every UPS is back on line/)
    assert.doesNotMatch(serve.output(), /Monitor reloaded/)

    setDevStatus(dev, "OL")
    await until("applied", serve.output, /Monitor: power is back; applying the reload that was waiting[\s\S]*Monitor reloaded: watching ups@127\.0\.0\.1/, 20_000)
    await untilNumLogins(port, 1)
    assert.equal(serve.child.exitCode, null, "still running")
  } finally {
    await serve.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test("serve as a secondary of the cluster config follows a new monitor target on SIGHUP", async () => {
  const first = await freePort() // nobody listens: the monitor runs on with the primary unreachable
  const second = await freePort()
  const dir = mkdtempSync(join(tmpdir(), "nutctl-reload-secondary-"))
  const config = join(dir, "nutctl.yaml")
  const yaml = (port: number) =>
    [
      "users:",
      "  mon: { password: pw, upsmon: secondary }",
      "roles:",
      `  - { name: nodes, hosts: "pve-*", role: secondary, monitor: ["rack@127.0.0.1:${port}"], shutdown: [command] }`,
      "executors:",
      '  command: { command: "/usr/local/bin/nutctl-test-marker --would-shut-down" }',
      "",
    ].join("\n")
  writeFileSync(config, yaml(first), { mode: 0o600 })
  const args = ["--import", "tsx", "src/main.ts", "serve", "--config", config, "--hostname", "pve-1", "--dry-run", "--no-wall", "--no-http", "--data-dir", join(dir, "data")]
  const serve = spawnGroup(process.execPath, args, { cwd: REPO })
  try {
    await until("start", serve.output, new RegExp(`monitoring rack@127\\.0\\.0\\.1:${first}`))
    hup(serve)
    await until("unchanged", serve.output, /Monitor: settings unchanged/)
    writeFileSync(config, yaml(second), { mode: 0o600 })
    hup(serve)
    await until("reload", serve.output, new RegExp(`Monitor reloaded: watching rack@127\\.0\\.0\\.1:${second}`))
    assert.equal(serve.child.exitCode, null, "still running")
    assert.equal(serve.child.signalCode, null)
  } finally {
    await serve.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

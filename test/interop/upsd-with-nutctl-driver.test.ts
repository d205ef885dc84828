// A real upsd 2.8.0 serving nutctl's usbhid-ups driver (on the simulated BX1600MI) through NUT's
// driver socket, as `nutctl driver run -a bx` would: upsc reads it, upsrw writes through it.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createConsola } from "consola"
import { runDriverSocket } from "../../src/cli/_driver-run.ts"
import { REAL_UPSD, freePort, hasRealNut, waitForPort } from "../support/real-nut.ts"
import { run } from "../support/run.ts"

test("a real upsd serves nutctl's usbhid-ups driver through the driver socket", { skip: hasRealNut() ? false : "needs Debian's nut-server (.ci/run installs it)" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-drvrun-"))
  const etc = join(dir, "etc")
  const state = join(dir, "run")
  mkdirSync(etc)
  mkdirSync(state)
  chmodSync(state, 0o777)
  const port = await freePort()
  writeFileSync(join(etc, "ups.conf"), "[bx]\n\tdriver = usbhid-ups\n\tport = sim:bx1600mi\n\tdesc = \"nutctl driver\"\n")
  writeFileSync(join(etc, "upsd.conf"), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${state}\n`)
  writeFileSync(join(etc, "upsd.users"), "[admin]\n\tpassword = pw\n\tactions = SET\n\tinstcmds = ALL\n", { mode: 0o600 })
  const abort = new AbortController()
  const driver = runDriverSocket({ ups: "bx", confDir: etc, statePath: state, log: createConsola({ level: 0 }), signal: abort.signal })
  const upsd = spawn(REAL_UPSD, ["-u", "root", "-F"], { env: { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: state }, stdio: "ignore" })
  try {
    await waitForPort(port)
    let status = ""
    for (let i = 0; i < 100 && status !== "OL"; i++) {
      status = (await run("upsc", [`bx@127.0.0.1:${port}`, "ups.status"])).stdout.trim()
      if (status !== "OL") await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(status, "OL")
    const all = await run("upsc", [`bx@127.0.0.1:${port}`])
    assert.match(all.stdout, /^device\.model: Back-UPS BX1600MI$/m)
    assert.match(all.stdout, /^driver\.name: usbhid-ups$/m)
    // usbhid-ups types writable variables RW STRING:10; upsd enforces it for our driver too
    const set = await run("upsrw", ["-s", "battery.charge.low=20", "-u", "admin", "-p", "pw", "-w", `bx@127.0.0.1:${port}`])
    assert.equal(set.status, 0, set.stderr)
    assert.match(set.stdout + set.stderr, /SUCCESS/)
    let low = ""
    for (let i = 0; i < 50 && low !== "20"; i++) {
      low = (await run("upsc", [`bx@127.0.0.1:${port}`, "battery.charge.low"])).stdout.trim()
      if (low !== "20") await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(low, "20")
  } finally {
    const exited = new Promise((r) => upsd.once("exit", r))
    upsd.kill("SIGTERM")
    await exited
    abort.abort()
    await driver.catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
})

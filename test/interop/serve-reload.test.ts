// `nutctl serve --nut-config DIR` re-reads NUT's files on SIGHUP, as `upsd -c reload` does (and as
// the unit's ExecReload asks): new passwords and rights apply at once, connected clients stay, a
// broken file keeps the running configuration, and what only a restart can change is named.
import { test } from "node:test"
import assert from "node:assert/strict"
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fixturePath } from "../support/fixture.ts"
import { LineClient } from "../support/line-client.ts"
import { startNutctl } from "../support/nutctl-monitor.ts"
import { freePort, hasRealNut, waitForPort } from "../support/real-nut.ts"
import { run } from "../support/run.ts"
import { waitForDrivers } from "../support/upsd-pair.ts"

const users = (password: string) => `[admin]\n\tpassword = ${password}\n\tactions = SET FSD\n\tinstcmds = ALL\n`

/** SET VAR with these credentials on a fresh connection: the answer tells whether they were accepted. */
async function setWith(port: number, user: string, password: string): Promise<string | undefined> {
  const c = await LineClient.open(port)
  try {
    await c.request(`USERNAME ${user}`)
    await c.request(`PASSWORD ${password}`)
    return await c.request('SET VAR ups ups.id "rack"')
  } finally {
    c.close()
  }
}

async function until(what: string, output: () => string, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!pattern.test(output())) {
    if (Date.now() > end) throw new Error(`no ${what} in the log:\n${output()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

test("serve reloads upsd.users and upsd.conf on SIGHUP, keeps clients, and keeps the running configuration when the new files are broken", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-reload-"))
  const port = await freePort()
  copyFileSync(fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev"), join(dir, "ups.dev"))
  writeFileSync(join(dir, "ups.conf"), "[ups]\n\tdriver = dummy-ups\n\tport = ups.dev\n")
  writeFileSync(join(dir, "upsd.conf"), `LISTEN 127.0.0.1 ${port}\n`)
  writeFileSync(join(dir, "upsd.users"), users("old"), { mode: 0o600 })
  const serve = startNutctl("serve", dir)
  try {
    await waitForPort(port, 20_000)
    await waitForDrivers(port, ["ups"])
    const denied = "ERR ACCESS-DENIED"
    assert.notEqual(await setWith(port, "admin", "old"), denied)
    const kept = await LineClient.open(port)

    writeFileSync(join(dir, "upsd.users"), users("new"), { mode: 0o600 })
    writeFileSync(join(dir, "upsd.conf"), `LISTEN 127.0.0.1 ${port}\nMAXAGE 30\n`)
    process.kill(serve.child.pid as number, "SIGHUP")
    await until("reload", serve.output, /Reloaded: 1 user\(s\), MAXAGE 30/)
    assert.equal(await setWith(port, "admin", "old"), denied)
    assert.notEqual(await setWith(port, "admin", "new"), denied)
    assert.equal(await kept.request("GET VAR ups ups.status"), 'VAR ups ups.status "OL"', "a client connected before the reload is still served")

    // a broken upsd.conf: the running configuration stays (users included), and the log says why
    writeFileSync(join(dir, "upsd.users"), users("broken"), { mode: 0o600 })
    writeFileSync(join(dir, "upsd.conf"), `LISTEN 127.0.0.1 ${port}\nMAXAGE soon\n`)
    process.kill(serve.child.pid as number, "SIGHUP")
    await until("failed reload", serve.output, /upsd\.conf:2: MAXAGE expects a number of seconds[\s\S]*Reload failed: still running the previous configuration/)
    assert.notEqual(await setWith(port, "admin", "new"), denied)

    // what a reload cannot change is named, the rest applies
    writeFileSync(join(dir, "upsd.users"), users("newer"), { mode: 0o600 })
    writeFileSync(join(dir, "upsd.conf"), `LISTEN 127.0.0.1 ${port}\nLISTEN ::1 ${port}\n`)
    process.kill(serve.child.pid as number, "SIGHUP")
    await until("restart note", serve.output, /Needs a restart to apply: LISTEN/)
    assert.notEqual(await setWith(port, "admin", "newer"), denied)
    kept.close()
  } finally {
    await serve.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test("serve applies ups.conf on SIGHUP: upsc sees a new UPS, a changed driver's data and a removed UPS gone", { skip: hasRealNut() ? false : "real NUT 2.8.0 clients (upsc) are not installed" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-reload-ups-"))
  const port = await freePort()
  copyFileSync(fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev"), join(dir, "apc.dev"))
  copyFileSync(fixturePath("nut-ddl/Cyber_Power_Systems__BR1000ELCD__usbhid-ups__2.7.4__01.dev"), join(dir, "cp.dev"))
  writeFileSync(join(dir, "ups.conf"), '[rack]\n\tdriver = dummy-ups\n\tport = apc.dev\n\tdesc = "Rack"\n')
  writeFileSync(join(dir, "upsd.conf"), `LISTEN 127.0.0.1 ${port}\n`)
  writeFileSync(join(dir, "upsd.users"), users("pw"), { mode: 0o600 })
  const upsc = (...args: string[]) => run("/usr/bin/upsc", args)
  const hup = () => process.kill(serve.child.pid as number, "SIGHUP")
  const serve = startNutctl("serve", dir)
  try {
    await waitForPort(port, 20_000)
    await waitForDrivers(port, ["rack"])
    const kept = await LineClient.open(port)
    assert.equal((await upsc("-L", `127.0.0.1:${port}`)).stdout, "rack: Rack\n")

    // a second UPS, and rack's driver pointed at another device
    writeFileSync(join(dir, "ups.conf"), '[rack]\n\tdriver = dummy-ups\n\tport = cp.dev\n\tdesc = "Rack"\n[office]\n\tdriver = dummy-ups\n\tport = apc.dev\n')
    hup()
    await until("UPS changes", serve.output, /Reloaded: .*UPS \[rack\] driver restarted, UPS \[office\] added/)
    await waitForDrivers(port, ["rack", "office"])
    assert.equal((await upsc("-L", `127.0.0.1:${port}`)).stdout, "rack: Rack\noffice: Description unavailable\n")
    assert.equal((await upsc(`rack@127.0.0.1:${port}`, "ups.model")).stdout, "BR1000ELCD\n")
    assert.equal((await upsc(`office@127.0.0.1:${port}`, "ups.model")).stdout, "Back-UPS BVK750M2\n")
    assert.equal(await kept.request("GET VAR rack ups.model"), 'VAR rack ups.model "BR1000ELCD"', "a client connected before the reload is still served")

    // rack removed
    writeFileSync(join(dir, "ups.conf"), "[office]\n\tdriver = dummy-ups\n\tport = apc.dev\n")
    hup()
    await until("removal", serve.output, /UPS \[rack\] removed/)
    const gone = await upsc(`rack@127.0.0.1:${port}`, "ups.status")
    assert.notEqual(gone.status, 0)
    assert.match(gone.stderr, /Unknown UPS/)
    assert.equal(await kept.request("GET VAR rack ups.status"), "ERR UNKNOWN-UPS")

    // no UPS left at all: refused, office keeps running
    writeFileSync(join(dir, "ups.conf"), "# all gone\n")
    hup()
    await until("refusal", serve.output, /ups\.conf: expects at least one complete \[ups\] section[\s\S]*Reload failed: still running the previous configuration/)
    assert.equal((await upsc(`office@127.0.0.1:${port}`, "ups.status")).stdout, "OL\n")
    kept.close()
  } finally {
    await serve.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { fixture, fixturePath } from "../../test/support/fixture.ts"
import { ConfigError } from "./errors.ts"
import { memoryConfigFs } from "./fs.ts"
import { loadNutConfigDir } from "./nut-dir.ts"

test("loadNutConfigDir() turns the sandbox directory into a ServeSetup", async () => {
  const dir = fixturePath("nut-wire/sandbox-etc")
  const nut = await loadNutConfigDir(dir, { upsmonFile: "upsmon-primary.conf" })
  assert.deepEqual(nut.setup.ups.map((u) => u.name), ["bvk", "flip", "nodrv", "crit"])
  assert.equal(nut.setup.ups[0]?.baseDir, dir)
  assert.deepEqual(nut.setup.server.listen, [{ host: "127.0.0.1", port: 23493 }])
  assert.deepEqual(nut.setup.users.map((u) => u.name), ["admin", "monpri", "monsec", "setonly"])
  assert.equal(nut.setup.allowNoDevice, false)
  assert.equal(nut.upsmon?.monitors[0]?.user, "monpri")
  assert.equal(nut.mode, undefined)
})

test("loadNutConfigDir() reads TrueNAS' /etc/nut with nut.conf and upsmon.conf", async () => {
  const nut = await loadNutConfigDir(fixturePath("truenas/nut-etc-example"))
  assert.equal(nut.mode, "netserver")
  assert.deepEqual(nut.setup.ups.map((u) => [u.name, u.driver, u.port]), [["ups", "usbhid-ups", "auto"]])
  assert.deepEqual(nut.setup.users.map((u) => u.name), ["upsmon", "monslave"])
  assert.equal(nut.upsmon?.shutdownCmd, "/sbin/shutdown -P now")
})

const files = (extra: Record<string, string | { text: string; mode: number }> = {}) =>
  memoryConfigFs({
    "/etc/nut/ups.conf": "[rack]\n driver = usbhid-ups\n port = auto\n",
    "/etc/nut/upsd.conf": "LISTEN 127.0.0.1 3493\n",
    "/etc/nut/upsd.users": { text: "[mon]\n password = p\n upsmon primary\n", mode: 0o640 },
    ...extra,
  })

test("loadNutConfigDir() accepts group-readable password files as upsd does, and warns when world-readable", async () => {
  const quiet = await loadNutConfigDir("/etc/nut", { fs: files() })
  assert.deepEqual(quiet.warnings, [])
  const loud = await loadNutConfigDir("/etc/nut", {
    fs: files({ "/etc/nut/upsd.users": { text: "[mon]\n password = p\n", mode: 0o644 }, "/etc/nut/upsmon.conf": { text: "MONITOR rack@localhost 1 mon p primary\nSHUTDOWNCMD x\n", mode: 0o604 } }),
  })
  assert.deepEqual(
    loud.warnings.map((w) => w.message),
    [
      "/etc/nut/upsd.users holds passwords and is world-accessible (mode 0644); chmod 640 it",
      "/etc/nut/upsmon.conf holds passwords and is world-accessible (mode 0604); chmod 640 it",
    ],
  )
})

test("loadNutConfigDir() reads CERTFILE into TLS settings", async () => {
  const nut = await loadNutConfigDir("/etc/nut", {
    fs: files({ "/etc/nut/upsd.conf": "CERTFILE upsd.pem\nDISABLE_WEAK_SSL true\n", "/etc/nut/upsd.pem": { text: fixture("tls/upsd.pem"), mode: 0o600 } }),
  })
  assert.match(nut.setup.server.tls?.cert ?? "", /^-----BEGIN CERTIFICATE-----/)
  assert.match(nut.setup.server.tls?.key ?? "", /^-----BEGIN PRIVATE KEY-----/)
  assert.equal(nut.setup.server.tls?.disableWeak, true)
})

test("loadNutConfigDir() fails on a missing ups.conf, and skips missing optional files", async () => {
  await assert.rejects(
    loadNutConfigDir("/etc/nut", { fs: memoryConfigFs({ "/etc/nut/upsd.conf": "" }) }),
    (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_NOT_FOUND" && e.message === "Cannot read /etc/nut/ups.conf: no such file",
  )
  const noUsers = await loadNutConfigDir("/etc/nut", { fs: memoryConfigFs({ "/etc/nut/ups.conf": "[a]\ndriver=dummy-ups\nport=a.dev\n", "/etc/nut/upsd.conf": "" }) })
  assert.deepEqual(noUsers.setup.users, [])
  assert.match(noUsers.warnings[0]?.message ?? "", /upsd\.users does not exist: nobody can log in/)
})

test("loadNutConfigDir() needs no server files on a MODE=netclient host", async () => {
  const nut = await loadNutConfigDir("/etc/nut", {
    fs: memoryConfigFs({ "/etc/nut/nut.conf": "MODE=netclient\n", "/etc/nut/upsmon.conf": { text: "MONITOR ups@nas 1 mon p secondary\nSHUTDOWNCMD x\n", mode: 0o640 } }),
  })
  assert.equal(nut.mode, "netclient")
  assert.deepEqual(nut.setup.ups, [])
  assert.equal(nut.upsmon?.monitors[0]?.host, "nas")
})

test("loadNutConfigDir() refuses a ups.conf without any UPS unless ALLOW_NO_DEVICE", async () => {
  const fs = (upsd: string) => memoryConfigFs({ "/etc/nut/ups.conf": "[a]\n driver = dummy-ups\n", "/etc/nut/upsd.conf": upsd })
  await assert.rejects(loadNutConfigDir("/etc/nut", { fs: fs("") }), /at least one complete \[ups\] section/)
  const allowed = await loadNutConfigDir("/etc/nut", { fs: fs("ALLOW_NO_DEVICE 1\n") })
  assert.equal(allowed.setup.allowNoDevice, true)
})

test("loadNutConfigDir() reports the problems of every file at once", async () => {
  await assert.rejects(
    loadNutConfigDir("/etc/nut", { fs: files({ "/etc/nut/upsd.conf": "MAXAGE soon\n", "/etc/nut/upsmon.conf": "POLLFREQ never\n", "/etc/nut/upsd.pem": "" }) }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      assert.deepEqual(
        e.issues.map((i) => i.message),
        ['/etc/nut/upsd.conf:1: MAXAGE expects a number of seconds, got "soon"', '/etc/nut/upsmon.conf:1: POLLFREQ expects a number of seconds, got "never"'],
      )
      return true
    },
  )
})

test("loadNutConfigDir() keeps the warnings that explain an error (every ups.conf section skipped)", async () => {
  const fs = memoryConfigFs({ "/etc/nut/ups.conf": "[a]\n driver = dummy-ups\n[b]\n port = b.dev\n", "/etc/nut/upsd.conf": "" })
  await assert.rejects(loadNutConfigDir("/etc/nut", { fs }), (e: unknown) => {
    assert.ok(e instanceof ConfigError)
    assert.match(e.message, /^\/etc\/nut\/ups\.conf: expects at least one complete \[ups\] section/)
    assert.deepEqual(
      e.warnings.filter((w) => w.file === "/etc/nut/ups.conf").map((w) => w.message),
      ["/etc/nut/ups.conf:1: ignoring incomplete configuration for UPS [a]: no port", "/etc/nut/ups.conf:3: ignoring incomplete configuration for UPS [b]: no driver"],
    )
    return true
  })
})

test("loadNutConfigDir() keeps upsmon.conf's warnings apart, so serve does not show them twice", async () => {
  const nut = await loadNutConfigDir("/etc/nut", { fs: files({ "/etc/nut/upsmon.conf": { text: "MONITOR rack@localhost 1 mon p primary\n", mode: 0o644 } }) })
  assert.deepEqual(
    nut.upsmonWarnings.map((w) => w.message),
    ["/etc/nut/upsmon.conf holds passwords and is world-accessible (mode 0644); chmod 640 it", "/etc/nut/upsmon.conf: no SHUTDOWNCMD: this host will not shut itself down"],
  )
  assert.deepEqual(nut.warnings, nut.upsmonWarnings)
})

test("loadNutConfigDir() says that it takes a directory when given a file", async () => {
  const notDir = { readText: async (p: string) => Promise.reject(Object.assign(new Error(`ENOTDIR: not a directory, open '${p}'`), { code: "ENOTDIR" })), mode: async () => undefined }
  await assert.rejects(
    loadNutConfigDir("/etc/nut/ups.conf", { fs: notDir }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.issues.length === 1 &&
      e.message === "/etc/nut/ups.conf is a file, not a directory: --nut-config takes the directory that holds ups.conf and NUT's other files (/etc/nut)",
  )
})

test("loadNutConfigDir() checks dummy-ups data files only when asked (config check), naming ups.conf's port line", async () => {
  const fs = files({ "/etc/nut/ups.conf": "[rack]\n driver = dummy-ups\n\n port = missing.dev\n[here]\n driver = dummy-ups\n port = /srv/here.seq\n", "/srv/here.seq": "ups.status: OL\n" })
  const served = await loadNutConfigDir("/etc/nut", { fs })
  assert.deepEqual(served.setup.ups[0]?.source, { file: "/etc/nut/ups.conf", line: 1, portLine: 4 })
  await assert.rejects(loadNutConfigDir("/etc/nut", { fs, checkDriverFiles: true }), (e: unknown) => {
    assert.ok(e instanceof ConfigError)
    assert.deepEqual(
      e.issues.map((i) => [i.code, i.line, i.key, i.message]),
      [["CONFIG_NOT_FOUND", 4, "port", "/etc/nut/ups.conf:4: port: dummy-ups data file /etc/nut/missing.dev: no such file (the driver of [rack] cannot start without it)"]],
    )
    return true
  })
})

/**
 * Debian's own NUT 2.8.0 clients (upsc, upsrw, upscmd) against nutctl's drop-in upsd and against
 * the real upsd, both serving the same ups.conf/upsd.users/.dev files: what each client prints on
 * stdout and stderr, and its exit code, must be the same. Only the port number is normalised.
 * Each pair of runs goes to both servers at once.
 */
import { after, before, describe, test } from "node:test"
import assert from "node:assert/strict"
import { fixturePath } from "../support/fixture.ts"
import { connectNutLines, type NutLineClient } from "../support/nut-line-client.ts"
import { runClient, type ClientRun } from "../support/process-group.ts"
import { hasRealNut } from "../support/real-nut.ts"
import { startUpsdPair, type UpsdPair, type UpsdSide } from "../support/upsd-pair.ts"

const BVK = fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev")
const USERS = `[admin]
\tpassword = adminpass
\tactions = SET
\tactions = FSD
\tinstcmds = ALL
[viewer]
\tpassword = viewpass
[monsec]
\tpassword = secpass
\tupsmon secondary
`
const UPSC = "/usr/bin/upsc"
const UPSRW = "/usr/bin/upsrw"
const UPSCMD = "/usr/bin/upscmd"

/** Run a client against one server; `args` gets `127.0.0.1:<port>`, and the port is normalised in what it prints. */
async function runOn(side: UpsdSide, command: string, args: (host: string) => string[]): Promise<ClientRun> {
  const run = await runClient(command, args(`127.0.0.1:${side.port}`))
  const port = new RegExp(`\\b${side.port}\\b`, "g")
  return { stdout: run.stdout.replace(port, "<port>"), stderr: run.stderr.replace(port, "<port>"), code: run.code }
}

/** Both servers give the same output; returns the real upsd's (for sanity checks of what was compared). */
async function same(pair: UpsdPair, command: string, args: (host: string) => string[]): Promise<ClientRun> {
  const [real, ours] = await Promise.all(pair.both.map((side) => runOn(side, command, args)))
  assert.ok(real && ours)
  assert.deepEqual(ours, real, `${command} ${args("127.0.0.1:<port>").join(" ")}: nutctl (actual) differs from upsd 2.8.0 (expected)`)
  return real
}

/**
 * Like `same`, for a read after a write: upsd hands SET VAR to the driver and publishes the value
 * only when the driver echoes it back (real dummy-ups takes up to ~1 s), so each side is asked
 * again until `ready` holds or 10 s have passed; then the last outputs are compared.
 */
async function sameOnceSettled(pair: UpsdPair, command: string, args: (host: string) => string[], ready: (run: ClientRun) => boolean): Promise<ClientRun> {
  const settle = async (side: UpsdSide): Promise<ClientRun> => {
    const until = Date.now() + 10_000
    for (;;) {
      const run = await runOn(side, command, args)
      if (ready(run) || Date.now() > until) return run
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const [real, ours] = await Promise.all(pair.both.map(settle))
  assert.ok(real && ours)
  assert.deepEqual(ours, real, `${command} ${args("127.0.0.1:<port>").join(" ")}: nutctl (actual) differs from upsd 2.8.0 (expected)`)
  return real
}

describe("NUT 2.8.0 clients see nutctl as they see upsd", {
  skip: hasRealNut() ? false : "real NUT 2.8.0 (/lib/nut/upsd, /lib/nut/dummy-ups, upsc) is not installed",
  timeout: 60_000,
}, () => {
  let pair: UpsdPair
  before(async () => {
    pair = await startUpsdPair({
      ups: [
        { name: "bvk", file: BVK, desc: "APC Back-UPS BVK750M2" },
        { name: "quoted", file: BVK, desc: 'Rack "A" #1' },
        { name: "nodrv", desc: "driver never started" },
      ],
      users: USERS,
      waitFor: ["bvk", "quoted"],
    })
  })
  after(async () => {
    await pair?.stop()
  })

  test("upsc -l lists the same UPS names", async () => {
    const real = await same(pair, UPSC, (h) => ["-l", h])
    assert.equal(real.stdout, "bvk\nquoted\nnodrv\n")
  })

  test("upsc -L lists names and descriptions (with \" and #)", async () => {
    const real = await same(pair, UPSC, (h) => ["-L", h])
    assert.match(real.stdout, /^quoted: Rack "A" #1$/m)
  })

  test("upsc ups@host prints every variable", async () => {
    const real = await same(pair, UPSC, (h) => [`bvk@${h}`])
    assert.match(real.stdout, /^ups\.status: OL$/m)
  })

  test("upsc ups@host ups.status prints the value", async () => {
    const real = await same(pair, UPSC, (h) => [`bvk@${h}`, "ups.status"])
    assert.equal(real.stdout, "OL\n")
  })

  test("upsc ups@host bogus.var fails with the same error text", async () => {
    const real = await same(pair, UPSC, (h) => [`bvk@${h}`, "bogus.var"])
    assert.match(real.stderr, /Variable not supported by UPS/)
  })

  test("upsc nosuch@host fails with Unknown UPS", async () => {
    const real = await same(pair, UPSC, (h) => [`nosuch@${h}`])
    assert.match(real.stderr, /Unknown UPS/)
  })

  test("upsc nodrv@host fails with Driver not connected", async () => {
    const real = await same(pair, UPSC, (h) => [`nodrv@${h}`])
    assert.match(real.stderr, /Driver not connected/)
  })

  test("upsc -c ups@host lists a LOGIN'd client", async () => {
    const logged: NutLineClient[] = []
    try {
      for (const side of pair.both) {
        const c = await connectNutLines(side.port)
        logged.push(c)
        assert.equal(await c.request("USERNAME monsec"), "OK")
        assert.equal(await c.request("PASSWORD secpass"), "OK")
        assert.equal(await c.request("LOGIN bvk"), "OK", `LOGIN on ${side.label}`)
      }
      const real = await same(pair, UPSC, (h) => ["-c", `bvk@${h}`])
      assert.equal(real.stdout, "127.0.0.1\n")
    } finally {
      for (const c of logged) c.close()
    }
  })

  test("upsrw ups@host lists RW variables with descriptions and types", async () => {
    const real = await same(pair, UPSRW, (h) => [`bvk@${h}`])
    assert.match(real.stdout, /^\[battery\.charge\.low\]\nRemaining battery level when UPS switches to LB \(percent\)\nType: NUMBER\nValue: 10$/m)
  })

  test("upsrw -s var=value (admin) sets it, and upsc shows the new value", async () => {
    await same(pair, UPSRW, (h) => ["-s", "battery.charge.low=15", "-u", "admin", "-p", "adminpass", `quoted@${h}`])
    const real = await sameOnceSettled(pair, UPSC, (h) => [`quoted@${h}`, "battery.charge.low"], (r) => r.stdout === "15\n")
    assert.equal(real.stdout, "15\n")
  })

  test("upsrw -s -w (tracking) prints the driver's result", async () => {
    const real = await same(pair, UPSRW, (h) => ["-s", "battery.charge.low=25", "-u", "admin", "-p", "adminpass", "-w", `quoted@${h}`])
    assert.match(real.stdout + real.stderr, /SUCCESS/)
    const after = await sameOnceSettled(pair, UPSC, (h) => [`quoted@${h}`, "battery.charge.low"], (r) => r.stdout === "25\n")
    assert.equal(after.stdout, "25\n")
  })

  test("upsrw -s by a user without SET rights fails with Access denied", async () => {
    const real = await same(pair, UPSRW, (h) => ["-s", "battery.charge.low=30", "-u", "viewer", "-p", "viewpass", `quoted@${h}`])
    assert.match(real.stderr, /ACCESS-DENIED|Access denied/)
  })

  test("upsrw -s with a wrong password fails the same way", async () => {
    const real = await same(pair, UPSRW, (h) => ["-s", "battery.charge.low=30", "-u", "admin", "-p", "wrong", `quoted@${h}`])
    assert.notEqual(real.code, 0)
  })

  test("upscmd -l ups@host lists commands with descriptions", async () => {
    const real = await same(pair, UPSCMD, (h) => ["-l", `bvk@${h}`])
    assert.match(real.stdout, /^load\.off - Turn off the load immediately$/m)
  })

  test("upscmd -u admin ups@host load.off is accepted", async () => {
    const real = await same(pair, UPSCMD, (h) => ["-u", "admin", "-p", "adminpass", `quoted@${h}`, "load.off"])
    assert.equal(real.code, 0)
  })

  test("upscmd -w (tracking) prints the driver's result for load.off", async () => {
    const real = await same(pair, UPSCMD, (h) => ["-u", "admin", "-p", "adminpass", "-w", `quoted@${h}`, "load.off"])
    assert.notEqual(real.stdout + real.stderr, "")
  })

  test("upscmd by a user without instcmds fails with Access denied", async () => {
    const real = await same(pair, UPSCMD, (h) => ["-u", "viewer", "-p", "viewpass", `quoted@${h}`, "load.off"])
    assert.match(real.stderr, /ACCESS-DENIED|Access denied/)
    await same(pair, UPSCMD, (h) => ["-u", "viewer", "-p", "viewpass", "-w", `quoted@${h}`, "load.off"])
  })

  test("upscmd with a wrong password fails the same way", async () => {
    const real = await same(pair, UPSCMD, (h) => ["-u", "admin", "-p", "wrong", `quoted@${h}`, "load.off"])
    assert.notEqual(real.code, 0)
    await same(pair, UPSCMD, (h) => ["-u", "admin", "-p", "wrong", "-w", `quoted@${h}`, "load.off"])
  })
})

/**
 * NUT 2.8.0's Python client (PyNUT 1.4.0, /usr/lib/python3/dist-packages/PyNUT.py) driven by one
 * scripted session (test/support/pynut-session.py) against the real upsd and against nutctl,
 * both serving the same files: the transcripts must be equal, quirks included (PyNUT cannot parse
 * a desc with `\"`, and its ListClients sends `LIST CLIENTS`, which upsd rejects).
 */
import { after, test } from "node:test"
import assert from "node:assert/strict"
import { existsSync } from "node:fs"
import { fixturePath } from "../support/fixture.ts"
import { runClient } from "../support/process-group.ts"
import { hasRealNut } from "../support/real-nut.ts"
import { startUpsdPair, type UpsdPair } from "../support/upsd-pair.ts"

const PYTHON = "/usr/bin/python3"
const PYNUT = "/usr/lib/python3/dist-packages/PyNUT.py"
const SESSION = new URL("../support/pynut-session.py", import.meta.url).pathname
const BVK = fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev")
const USERS = `[admin]
\tpassword = adminpass
\tactions = SET
\tactions = FSD
\tinstcmds = ALL
[viewer]
\tpassword = viewpass
[monpri]
\tpassword = pripass
\tupsmon primary
[monsec]
\tpassword = secpass
\tupsmon secondary
`

function skipReason(): string | false {
  if (!hasRealNut()) return "real NUT 2.8.0 (/lib/nut/upsd, /lib/nut/dummy-ups, upsc) is not installed"
  if (!existsSync(PYTHON) || !existsSync(PYNUT)) return `PyNUT (${PYNUT}, Debian's python3-nut) is not installed`
  return false
}

let pair: UpsdPair | undefined
after(async () => {
  await pair?.stop() // also when the test timed out
})

test("PyNUT session prints the same against nutctl as against upsd 2.8.0", { skip: skipReason(), timeout: 60_000 }, async () => {
  pair = await startUpsdPair({
    ups: [
      { name: "bvk", file: BVK, desc: "APC Back-UPS BVK750M2" },
      { name: "quoted", file: BVK, desc: 'Rack "A" #1' },
      { name: "nodrv", desc: "driver never started" },
    ],
    users: USERS,
    waitFor: ["bvk", "quoted"],
  })
  const both = pair.both
  try {
    const [real, ours] = await Promise.all(
      both.map(async (side) => {
        const run = await runClient(PYTHON, [SESSION, String(side.port)], { timeoutMs: 30_000 })
        const port = new RegExp(`\\b${side.port}\\b`, "g")
        return { stdout: run.stdout.replace(port, "<port>"), stderr: run.stderr.replace(port, "<port>"), code: run.code }
      }),
    )
    assert.ok(real && ours)
    assert.equal(real.code, 0, `the session failed against upsd 2.8.0:\n${real.stderr}`)
    // line by line first, so a failure names the call that differs
    const realLines = real.stdout.split("\n")
    const ourLines = ours.stdout.split("\n")
    for (const [i, expected] of realLines.entries()) assert.equal(ourLines[i], expected, `PyNUT call #${i + 1}: nutctl (actual) differs from upsd 2.8.0 (expected)`)
    assert.deepEqual(ours, real)
    assert.match(real.stdout, /^FSD upsmon primary -> 'OK'$/m)
    assert.match(real.stdout, /^ListClients -> raises PyNUTError\(b'ERR INVALID-ARGUMENT',\)$/m)
  } finally {
    await pair.stop()
  }
})

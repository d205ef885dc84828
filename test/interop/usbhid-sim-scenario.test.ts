// The simulated BX1600MI (BK650M2-CH descriptor and reports) through nutctl's usbhid-ups driver and
// server, watched with Debian's upsc: a scripted outage goes OL → OB → OB LB → OL.
import { test } from "node:test"
import assert from "node:assert/strict"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createConsola } from "consola"
import { DEFAULT_SERVER_SETTINGS } from "../../src/server/index.ts"
import { startUpsd } from "../../src/cli/_upsd.ts"
import { freePort, hasRealNut } from "../support/real-nut.ts"
import { run } from "../support/run.ts"

test("upsc sees the simulated BX1600MI go OL → OB → OB LB → OL", { skip: hasRealNut() ? false : "needs Debian's nut-client (.ci/run installs it)" }, async () => {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), "nutctl-sim-"))
  const scenario = join(dir, "outage.txt")
  writeFileSync(scenario, "1s mains-lost\n+2s low-battery\n+2s mains-back\n")
  const upsd = await startUpsd(
    {
      ups: [{ name: "bx", driver: "usbhid-ups", port: `sim:bx1600mi?scenario=${scenario}`, params: {}, baseDir: "." }],
      server: { ...DEFAULT_SERVER_SETTINGS, listen: [{ host: "127.0.0.1", port }] },
      users: [],
      allowNoDevice: false,
      warnings: [],
    },
    createConsola({ level: 0 }),
  )
  const seen: string[] = []
  try {
    const until = Date.now() + 30_000
    while (Date.now() < until) {
      const r = await run("upsc", [`bx@127.0.0.1:${port}`, "ups.status"])
      const status = r.stdout.trim()
      if (r.status === 0 && status !== seen[seen.length - 1]) seen.push(status)
      if (seen.some((s) => /\bLB\b/.test(s)) && /^OL\b/.test(status)) break
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    await upsd.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  // real APC firmware raises ShutdownImminent with LB, which NUT publishes as `ALARM OB DISCHRG LB`
  const at = (re: RegExp, from = 0) => seen.findIndex((s, i) => i >= from && re.test(s.replace(/^ALARM /, "")))
  const ol = at(/^OL\b/)
  const ob = at(/^OB\b/, ol)
  const lb = at(/^OB\b.*\bLB\b/, ob)
  const back = at(/^OL\b/, lb)
  assert.ok(ol >= 0 && ob > ol && lb > ob && back > lb, `status sequence seen by upsc: ${JSON.stringify(seen)}`)
  // no flag is ever invented: only NUT's words appear
  for (const s of seen) for (const w of s.split(" ")) assert.ok(["ALARM", "OL", "OB", "LB", "CHRG", "DISCHRG", "RB"].includes(w), `unexpected status word ${w} in ${s}`)
})

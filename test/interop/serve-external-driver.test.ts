// `serve --nut-config` with ups.conf's `nutctl_external = all`: nutctl's server reads the real
// dummy-ups binary through its driver socket (STATEPATH from upsd.conf), next to the real upsd.
import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fixturePath } from "../support/fixture.ts"
import { connectNutLines } from "../support/nut-line-client.ts"
import { startNutctlUpsd } from "../support/nutctl-upsd.ts"
import { hasRealNut, startRealNut } from "../support/real-nut.ts"

test("serve uses a real NUT driver's socket when ups.conf says nutctl_external", { skip: hasRealNut() ? false : "needs Debian's nut-server (.ci/run installs it)" }, async () => {
  const real = await startRealNut({ ups: [{ name: "ups", file: fixturePath("nut-ddl/APC__Back-UPS_ES_850G2__usbhid-ups__2.8.0__01.dev"), desc: "ES 850G2" }] })
  const upsConf = join(real.etc, "ups.conf")
  writeFileSync(upsConf, `nutctl_external = all\n${readFileSync(upsConf, "utf8")}`)
  const ours = await startNutctlUpsd(real.etc, { waitFor: ["ups"] })
  const [a, b] = await Promise.all([connectNutLines(real.port), connectNutLines(ours.port)])
  try {
    // the real upsd answers once dummy-ups has sent its dump; so does nutctl (WAIT until then)
    for (let i = 0; i < 100 && (await a.request("GET VAR ups ups.status")).startsWith("ERR"); i++) await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(await b.list("LIST VAR ups"), await a.list("LIST VAR ups"))
    assert.deepEqual(await b.list("LIST CMD ups"), await a.list("LIST CMD ups"))
    assert.equal(await b.request("GET TYPE ups battery.charge"), await a.request("GET TYPE ups battery.charge"))
  } finally {
    a.close()
    b.close()
    await ours.stop()
    await real.stop()
  }
})

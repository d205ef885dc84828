/**
 * nutctl's push extension against Debian's real upsd 2.8.0: upsd answers the probe with
 * `ERR UNKNOWN-COMMAND` and the connection stays usable, so a nutctl monitor falls back to polling
 * (no push, the same status as upsmon reads). The other half — real upsmon against a push-capable
 * nutctl server sees plain NUT — is test/interop/upsmon.test.ts and monitor-drills.test.ts, which run
 * upsmon against the same server build.
 */
import assert from "node:assert/strict"
import { after, before, test } from "node:test"
import { NutClient } from "../../src/client/index.ts"
import { createNetworkLink, type PollResult } from "../../src/monitor/index.ts"
import { fixturePath } from "../support/fixture.ts"
import { connectNutLines } from "../support/nut-line-client.ts"
import { hasRealNut, startRealNut, type RealNut } from "../support/real-nut.ts"
import { setDevStatus, waitForDrivers } from "../support/upsd-pair.ts"
import { eventually } from "../support/eventually.ts"
import { join, basename } from "node:path"

const skip = hasRealNut() ? false : "Debian's nut-server/nut-client are not installed (.ci/run installs them)"
const BVK = fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev")
const USERS = "[monsec]\n\tpassword = secpass\n\tupsmon secondary\n"

let nut: RealNut
before(async () => {
  if (skip) return
  nut = await startRealNut({ ups: [{ name: "ups", file: BVK }], users: USERS })
  await waitForDrivers(nut.port, ["ups"])
})
after(async () => {
  await nut?.stop()
})

test("real upsd answers NUTCTL PUSH with ERR UNKNOWN-COMMAND and keeps the connection usable", { skip }, async () => {
  const c = await connectNutLines(nut.port)
  try {
    assert.equal(await c.request("NUTCTL PUSH ups"), "ERR UNKNOWN-COMMAND")
    assert.match(await c.request("GET VAR ups ups.status"), /^VAR ups ups\.status "/)
  } finally {
    c.close()
  }
  const client = await NutClient.connect({ host: "127.0.0.1", port: nut.port })
  try {
    assert.equal(await client.watchPush("ups", () => assert.fail("upsd pushed something")), false)
    assert.match(await client.getVar("ups", "ups.status"), /^OL/)
  } finally {
    client.close()
  }
})

test("createNetworkLink() against real upsd: no push, and polling sees the status change", { skip }, async () => {
  const logs: string[] = []
  const link = createNetworkLink({ supply: { system: `ups@127.0.0.1:${nut.port}`, ups: "ups", host: "127.0.0.1", port: nut.port, powerValue: 1, role: "secondary", user: "monsec", password: "secpass" }, log: (_l, m) => logs.push(m) })
  const pushed: PollResult[] = []
  const unwatch = link.watch?.((r) => pushed.push(r))
  try {
    const first = await link.poll()
    assert.equal(first.kind, "status")
    assert.match(logs.join("\n"), /no push extension on the server, polling/)
    setDevStatus(join(nut.etc, basename(BVK)), "OB LB")
    // dummy-ups reads its rewritten file within ~2 s; the link sees it by polling
    await eventually(async () => {
      const r = await link.poll()
      return r.kind === "status" && r.status === "OB LB"
    }, "ups.status OB LB by polling")
    assert.deepEqual(pushed, [], "upsd never pushes")
  } finally {
    unwatch?.()
    link.close()
  }
})

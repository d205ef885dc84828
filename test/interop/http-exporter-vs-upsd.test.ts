/**
 * nut_exporter's view of a real NUT 2.8.0 server: nutctl scrapes Debian's upsd + dummy-ups
 * serving the BK650M2-CH dump (`/ups_metrics?server=…`, as nut_exporter does) and must give the
 * expected output derived from nut_exporter's rules (test/fixtures/nut-exporter/README.md). The
 * same dump served by nutctl itself is checked in src/http/metrics-routes.test.ts.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { createHttpApp, createLocalDirectory, fetchNutDirectory, NUT_EXPORTER_DEFAULT_VARIABLES } from "../../src/http/index.ts"
import { eventually } from "../support/eventually.ts"
import { fixture, fixturePath } from "../support/fixture.ts"
import { parsePromText, sampleLines } from "../support/prom-text.ts"
import { hasRealNut, startRealNut } from "../support/real-nut.ts"

test("/ups_metrics?server= on real upsd 2.8.0 + dummy-ups equals nut_exporter's expected output", {
  skip: hasRealNut() ? false : "real NUT 2.8.0 (/lib/nut/upsd, /lib/nut/dummy-ups, upsc) is not installed",
  timeout: 60_000,
}, async () => {
  const nut = await startRealNut({ ups: [{ name: "ups", file: fixturePath("nut-ddl/APC__Back-UPS_BK650M2-CH__usbhid-ups__2.8.0__01.dev") }] })
  try {
    const app = createHttpApp({ version: "test", directory: createLocalDirectory({ ups: [] }), fetchRemote: (t) => fetchNutDirectory(t) })
    const base = `/ups_metrics?server=127.0.0.1&serverport=${nut.port}&ups=ups`
    // until dummy-ups has sent its dump, upsd answers DRIVER-NOT-CONNECTED / DATA-STALE (a 500 here)
    let last = ""
    const all = await eventually(
      async () => {
        const res = await app.request(base)
        last = await res.text()
        return res.status === 200 && last.includes("driver_version_internal") ? last : undefined
      },
      "real upsd to serve the dump",
      { seen: () => last },
    )
    for (const [text, file] of [
      [all, "nut-exporter/bk650m2-ch.all.prom"],
      [await (await app.request(`${base}&variables=${NUT_EXPORTER_DEFAULT_VARIABLES.join(",")}`)).text(), "nut-exporter/bk650m2-ch.default.prom"],
    ] as const) {
      const got = parsePromText(text)
      const want = parsePromText(fixture(file))
      // promhttp counts scrapes per server/ups: compare the UPS series only
      const ups = (lines: string[]) => lines.filter((l) => l.startsWith("network_ups_tools_"))
      assert.deepEqual(ups(sampleLines(got)), ups(sampleLines(want)), file)
      for (const [name, help] of want.help) if (name.startsWith("network_ups_tools_")) assert.equal(got.help.get(name), help, `${file}: HELP of ${name}`)
    }
  } finally {
    await nut.stop()
  }
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { UpsState } from "../ups/index.ts"
import { fixture, fixturePath } from "../../test/support/fixture.ts"
import { startDummyUps } from "../../test/support/dummy-state.ts"
import { parsePromText, sampleLines } from "../../test/support/prom-text.ts"
import { createHttpApp } from "./app.ts"
import { NUT_EXPORTER_DEFAULT_VARIABLES } from "./exporter.ts"
import { createLocalDirectory, type LocalUps } from "./local-directory.ts"

const BK650 = fixturePath("nut-ddl/APC__Back-UPS_BK650M2-CH__usbhid-ups__2.8.0__01.dev")

function appFor(ups: readonly LocalUps[]) {
  return createHttpApp({ version: "0.0.0-test", directory: createLocalDirectory({ ups }) })
}

/** A UpsState with these variables, driver connected. */
function stateWith(vars: Readonly<Record<string, string>>): UpsState {
  const state = new UpsState()
  for (const [k, v] of Object.entries(vars)) state.setInfo(k, v)
  state.markConnected({ setvar: async () => "SUCCESS", instcmd: async () => "SUCCESS" })
  return state
}

function assertSameExposition(actual: string, expected: string): void {
  const a = parsePromText(actual)
  const e = parsePromText(expected)
  assert.deepEqual(sampleLines(a), sampleLines(e))
  assert.deepEqual([...a.help], [...e.help])
  assert.deepEqual([...a.type], [...e.type])
}

test("/ups_metrics gives nut_exporter's default output for the BK650M2-CH dump", async () => {
  const dummy = await startDummyUps(BK650)
  try {
    const app = appFor([{ name: "ups", desc: undefined, state: dummy.state }])
    const res = await app.request(`/ups_metrics?ups=ups&variables=${NUT_EXPORTER_DEFAULT_VARIABLES.join(",")}`)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8")
    assertSameExposition(await res.text(), fixture("nut-exporter/bk650m2-ch.default.prom"))
  } finally {
    await dummy.stop()
  }
})

test("/ups_metrics exports every variable by default, as nut_exporter with vars_enable empty", async () => {
  const dummy = await startDummyUps(BK650)
  try {
    const app = appFor([{ name: "ups", desc: undefined, state: dummy.state }])
    // no ups parameter: with one UPS, nut_exporter scrapes it
    const res = await app.request("/ups_metrics")
    assert.equal(res.status, 200)
    assertSameExposition(await res.text(), fixture("nut-exporter/bk650m2-ch.all.prom"))
  } finally {
    await dummy.stop()
  }
})

test("/ups_metrics counts scrapes per ups like promhttp", async () => {
  const app = appFor([{ name: "ups", desc: undefined, state: stateWith({ "ups.status": "OL" }) }])
  await app.request("/ups_metrics?ups=ups")
  const text = parsePromText(await (await app.request("/ups_metrics?ups=ups")).text())
  const total = text.samples.filter((s) => s.name === "promhttp_metric_handler_requests_total").map((s) => [s.labels["code"], s.value])
  assert.deepEqual(total, [["200", 1], ["500", 0], ["503", 0]])
})

test("/ups_metrics fails the scrape as nut_exporter does: several UPSes, unknown or unavailable UPS", async () => {
  const down = new UpsState()
  const app = appFor([
    { name: "a", desc: undefined, state: stateWith({ "ups.status": "OL" }) },
    { name: "b", desc: undefined, state: down },
  ])
  const several = await app.request("/ups_metrics")
  assert.equal(several.status, 500)
  assert.match(await several.text(), /^An error has occurred while serving metrics:\n\nMultiple UPS devices were found from NUT. Please add a ups=<name> query string/)
  const unknown = await app.request("/ups_metrics?ups=nope")
  assert.equal(unknown.status, 500)
  assert.equal(await unknown.text(), "500 - InternalServer Error")
  const notConnected = await app.request("/ups_metrics?ups=b")
  assert.equal(notConnected.status, 500)
  assert.match(await notConnected.text(), /DRIVER-NOT-CONNECTED/)
  assert.equal((await app.request("/ups_metrics?ups=A")).status, 200, "UPS names are case-insensitive, as upsd's")
})

test("/ups_metrics applies statuses, on/off regexes, the FSD latch and the device label quirk", async () => {
  const state = stateWith({
    "device.mfr": "APC",
    "device.mfr.date": "2020/01/01",
    "device.serial": "00123",
    "ups.beeper.status": "Enabled",
    "ups.status": "OB  LB",
    "outlet.1.switchable": "no",
    "ambient.1.temperature-high": "40",
  })
  state.setFsd()
  const app = appFor([{ name: "ups", desc: undefined, state }])
  const text = parsePromText(await (await app.request("/ups_metrics?statuses=OL,OB,SD")).text())
  const status = text.samples.filter((s) => s.name === "network_ups_tools_ups_status").map((s) => `${s.labels["flag"]}=${s.value}`)
  assert.deepEqual(status, ["FSD=1", "LB=1", "OB=1", "OL=0", "SD=0"])
  const values = new Map(text.samples.map((s) => [s.name, s]))
  assert.equal(values.get("network_ups_tools_ups_beeper_status")?.value, 1)
  assert.equal(values.has("network_ups_tools_outlet_1_switchable"), false, "strings that match neither regex are skipped")
  assert.equal(values.get("network_ups_tools_ambient_1_temperature_high")?.value, 40)
  // device.mfr.date sorts after device.mfr and overwrites the mfr label; 00123 is an int64 → 123
  assert.deepEqual(values.get("network_ups_tools_device_info")?.labels, { contact: "", description: "", location: "", macaddr: "", mfr: "2020/01/01", model: "", part: "", serial: "123", type: "" })
})

test("/metrics labels every UPS's series with ups and adds nutctl's own metrics", async () => {
  const app = appFor([
    { name: "rack", desc: "Rack", state: stateWith({ "battery.charge": "90", "ups.status": "OL" }) },
    { name: "desk", desc: undefined, state: stateWith({ "battery.charge": "40", "ups.status": "OB" }) },
    { name: "gone", desc: undefined, state: new UpsState() },
  ])
  const text = parsePromText(await (await app.request("/metrics")).text())
  const charge = text.samples.filter((s) => s.name === "network_ups_tools_battery_charge").map((s) => [s.labels["ups"], s.value])
  assert.deepEqual(charge, [["desk", 40], ["rack", 90]])
  const available = text.samples.filter((s) => s.name === "nutctl_ups_available").map((s) => [s.labels["ups"], s.value])
  assert.deepEqual(available, [["desk", 1], ["gone", 0], ["rack", 1]])
  assert.ok(text.samples.some((s) => s.name === "nutctl_build_info" && s.labels["version"] === "0.0.0-test"))
  assert.equal(text.type.get("nutctl_http_requests_total"), undefined, "no HTTP request was answered before this one")
  const again = parsePromText(await (await app.request("/metrics?ups=rack")).text())
  assert.deepEqual(
    again.samples.filter((s) => s.name === "network_ups_tools_battery_charge").map((s) => s.labels["ups"]),
    ["rack"],
  )
  assert.ok(again.samples.some((s) => s.name === "nutctl_http_requests_total" && s.labels["route"] === "/metrics" && s.labels["code"] === "200" && s.value === 1))
})

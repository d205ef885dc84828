import assert from "node:assert/strict"
import { test } from "node:test"
import { buildUpsReport, renderUpsReport, statusInWords } from "./_status-report.ts"

test("statusInWords() words the status flags, alarming ones in capitals", () => {
  assert.equal(statusInWords("OL CHRG"), "On line, charging")
  assert.equal(statusInWords("OB DISCHRG LB"), "ON BATTERY, discharging, LOW BATTERY")
  assert.equal(statusInWords("FSD OB LB"), "FORCED SHUTDOWN, ON BATTERY, LOW BATTERY")
  assert.equal(statusInWords("OL RB NEWFLAG"), "On line, REPLACE BATTERY, NEWFLAG")
  assert.equal(statusInWords(""), "Unknown")
})

const vars = [
  { name: "battery.charge", value: "87" },
  { name: "battery.runtime", value: "1910" },
  { name: "battery.mfr.date", value: "2001/01/01" },
  { name: "battery.date", value: "2024/05/01" },
  { name: "input.voltage", value: "234.0" },
  { name: "output.voltage", value: "230.0" },
  { name: "ups.load", value: "15" },
  { name: "ups.status", value: "OB DISCHRG" },
  { name: "ups.test.result", value: "Done and passed" },
  { name: "ups.mfr", value: "American Power Conversion" },
  { name: "device.model", value: "Back-UPS BX1600MI" },
  { name: "ups.serial", value: "9B2" },
]

test("buildUpsReport() turns variables into the stable JSON shape", () => {
  const r = buildUpsReport({ name: "rack", target: "rack@nas:3493", description: "Rack", vars })
  assert.equal(r.error, null)
  assert.deepEqual(r.status, {
    raw: "OB DISCHRG",
    flags: ["OB", "DISCHRG"],
    text: "ON BATTERY, discharging",
    online: false,
    onBattery: true,
    lowBattery: false,
    charging: false,
    replaceBattery: false,
    fsd: false,
  })
  assert.deepEqual(r.battery, { charge: 87, runtime: 1910, runtimeMinutes: 31.8, voltage: null, date: "2024/05/01", mfrDate: "2001/01/01" })
  assert.equal(r.load, 15)
  assert.deepEqual(r.input, { voltage: 234 })
  assert.deepEqual(r.device, { mfr: "American Power Conversion", model: "Back-UPS BX1600MI", serial: "9B2" })
  assert.equal(r.vars["ups.status"], "OB DISCHRG")
})

test("buildUpsReport() keeps an error in words and no data", () => {
  const r = buildUpsReport({ name: "rack", target: "rack@nas:3493", description: null, error: "DATA-STALE" })
  assert.equal(r.error?.code, "DATA-STALE")
  assert.match(r.error?.message ?? "", /^Data stale: /)
  assert.equal(r.status, null)
  assert.deepEqual(r.vars, {})
  assert.match(renderUpsReport(r), /^rack@nas:3493\n {2}Error: +Data stale/)
})

test("renderUpsReport() shows values as the UPS sent them", () => {
  const text = renderUpsReport(buildUpsReport({ name: "rack", target: "rack@nas:3493", description: "Rack", vars }))
  assert.equal(
    text,
    [
      "rack@nas:3493 (Rack)",
      "  Status:          ON BATTERY, discharging [OB DISCHRG]",
      "  Battery charge:  87 %",
      "  Runtime:         31.8 min (1910 s)",
      "  Load:            15 %",
      "  Input voltage:   234.0 V",
      "  Output voltage:  230.0 V",
      "  Battery date:    2024/05/01",
      "  Battery made:    2001/01/01",
      "  Last self-test:  Done and passed",
      "  Model:           American Power Conversion Back-UPS BX1600MI, serial 9B2",
      "",
    ].join("\n"),
  )
})

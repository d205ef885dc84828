import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import { test } from "node:test"
import { fixturePath } from "../../../test/support/fixture.ts"
import { ManualClock } from "../../../test/support/manual-clock.ts"
import { SimError } from "./errors.ts"
import { openSimPort, parseSimPort } from "./sim-port.ts"

const badPort = (pattern: RegExp) => (e: unknown) => e instanceof SimError && e.code === "SIM_BAD_PORT" && pattern.test(e.message)

test("parseSimPort() reads the device and the query keys", () => {
  const spec = parseSimPort("sim:bx1600mi?scenario=outage&speed=60&vendorid=0x051D&product=My%20UPS&drain=3")
  assert.equal(spec.device, "bx1600mi")
  assert.equal(spec.embedded, "bx1600mi")
  assert.equal(spec.scenario, "outage")
  assert.equal(spec.speed, 60)
  assert.equal(spec.drainRate, 3)
  assert.deepEqual(spec.info, { vendorId: 0x051d, product: "My UPS" })
  const files = parseSimPort("sim:./bx1600mi")
  assert.equal(files.embedded, undefined)
  assert.equal(files.speed, 1)
})

test("parseSimPort() rejects what it cannot use, saying why", () => {
  assert.throws(() => parseSimPort("/dev/hidraw0"), badPort(/does not start with "sim:"/))
  assert.throws(() => parseSimPort("sim:"), badPort(/name a device/))
  assert.throws(() => parseSimPort("sim:bx1600mi?speeed=2"), badPort(/unknown key "speeed"/))
  assert.throws(() => parseSimPort("sim:bx1600mi?speed=0"), badPort(/speed=0: expected a number above 0/))
  assert.throws(() => parseSimPort("sim:bx1600mi?vendorid=apc"), badPort(/vendorid=apc: expected 4 hex digits/))
  assert.throws(() => parseSimPort("sim:bx1600mi?scenario="), badPort(/scenario= needs a name/))
})

test("openSimPort() builds the embedded BX1600MI stand-in with the BX's values on the BK650M2 descriptor", async () => {
  const { ups } = await openSimPort("sim:bx1600mi", { clock: new ManualClock() })
  assert.equal(ups.info.product, "Back-UPS BX1600MI FW:294201G -302201G")
  assert.deepEqual([ups.info.vendorId, ups.info.productId, ups.info.path], [0x051d, 0x0002, "sim:bx1600mi"])
  const values = Object.fromEntries(
    ["UPS.Battery.Voltage", "UPS.Battery.ConfigVoltage", "UPS.Input.Voltage", "UPS.PowerConverter.ConfigActivePower", "UPS.PowerSummary.RemainingCapacityLimit", "UPS.Battery.RunTimeToEmpty"].map((p) => [p, ups.value(p)]),
  )
  assert.deepEqual(values, {
    "UPS.Battery.Voltage": 27.3,
    "UPS.Battery.ConfigVoltage": 24,
    "UPS.Input.Voltage": 234,
    "UPS.PowerConverter.ConfigActivePower": 900,
    "UPS.PowerSummary.RemainingCapacityLimit": 10,
    "UPS.Battery.RunTimeToEmpty": 2280,
  })
  assert.equal(ups.value("UPS.PowerSummary.PresentStatus.Discharging"), 0) // "OL", not the BK650M2's OL+DISCHRG
})

test("openSimPort() reads fixture files, guesses the vendor and fills the string table", async () => {
  const sim = await openSimPort("sim:apc-back-ups-bk650m2-ch", { clock: new ManualClock(), baseDir: fixturePath("hid"), readText: (p) => readFile(p, "utf8") })
  assert.deepEqual([sim.ups.info.vendorId, sim.ups.info.productId, sim.ups.info.product], [0x051d, 0x0002, "apc-back-ups-bk650m2-ch"])
  const t = await sim.opener.open(sim.ups.info)
  assert.equal(await t.indexedString(4), "PbAc") // iDeviceChemistry = 4 in the recording
  assert.equal(await t.indexedString(1), "American Power Conversion")
  assert.equal(await t.indexedString(9), undefined)
})

test("openSimPort() takes the device and strings from # device: / # string lines, the descriptor from # rdesc: lines", async () => {
  const files: Record<string, string> = {
    "/x/ups.reports.txt": [
      '# device: vendorid=0764 productid=0501 release=0200 manufacturer="CPS" product="CP1500EPFCLCD" serial="CXXNX2000001"',
      "# string 3: CXXNX2000001",
      "# rdesc: 05 84 09 04 a1 01 09 24 a1 00 85 0c 05 85 09 66 15 00 25 64 75 08 95 01",
      "# rdesc: b1 a2 c0 c0",
      "get 0x0c 2 : 0c 37",
    ].join("\n"),
  }
  const readText = async (path: string): Promise<string> => files[path] ?? Promise.reject(new Error(`ENOENT: ${path}`))
  const sim = await openSimPort("sim:ups?serial=override", { clock: new ManualClock(), baseDir: "/x", readText })
  assert.equal(sim.ups.info.vendorId, 0x0764)
  assert.equal(sim.ups.info.release, 0x0200)
  assert.equal(sim.ups.info.product, "CP1500EPFCLCD")
  assert.equal(sim.ups.info.serial, "override")
  assert.equal(sim.ups.value("UPS.PowerSummary.RemainingCapacity"), 55)
  const t = await sim.opener.open(sim.ups.info)
  assert.equal(await t.indexedString(3), "CXXNX2000001")
})

test("openSimPort() explains a missing descriptor, a bad scenario file and file access it lacks", async () => {
  const clock = new ManualClock()
  const readText = async (path: string): Promise<string> => Promise.reject(new Error(`ENOENT: no such file, open '${path}'`))
  await assert.rejects(openSimPort("sim:nothere", { clock, readText }), (e: unknown) => e instanceof SimError && e.code === "SIM_BAD_FIXTURE" && /cannot read nothere\.rdesc\.hex/.test(e.message))
  await assert.rejects(openSimPort("sim:bx1600mi?scenario=storm.txt", { clock, readText }), (e: unknown) => e instanceof SimError && e.code === "SIM_BAD_SCENARIO" && /no such built-in scenario and cannot read storm\.txt/.test(e.message))
  await assert.rejects(openSimPort("sim:some/file", { clock }), (e: unknown) => e instanceof SimError && /no file access here/.test(e.message))
})

test("openSimPort() runs a scenario file on a sped-up clock", async () => {
  const clock = new ManualClock()
  const readText = async (): Promise<string> => "1m mains-lost\n"
  const sim = await openSimPort("sim:bx1600mi?scenario=/etc/storm.txt&speed=60", { clock, readText })
  await clock.advance(999)
  assert.equal(sim.ups.state.mains, true)
  await clock.advance(1)
  assert.equal(sim.ups.state.mains, false) // one real second = one simulated minute
})

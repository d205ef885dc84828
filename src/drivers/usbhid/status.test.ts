import assert from "node:assert/strict"
import { test } from "node:test"
import { composeStatus, type StatusMemory, type StatusOptions } from "./status.ts"
import type { StatusFact } from "./types.ts"

const NUT_DEFAULT: StatusOptions = { onlineDischarge: "online", lbrbDelayMs: 0, lbrbWithoutCalibrating: false }
const BX: StatusOptions = { onlineDischarge: "online", lbrbDelayMs: 3000, lbrbWithoutCalibrating: true }

function facts(set: Partial<Record<StatusFact, boolean>>): Map<StatusFact, boolean> {
  return new Map(Object.entries(set) as Array<[StatusFact, boolean]>)
}

function status(set: Partial<Record<StatusFact, boolean>>, options: StatusOptions = NUT_DEFAULT): string {
  return composeStatus(facts(set), options, {}, 0).status
}

test("composeStatus() orders the words like usbhid-ups 2.8.0", () => {
  const all = status({
    online: true, discharging: true, charging: true, lowbatt: true, overload: true, replacebatt: true,
    trim: true, boost: true, bypassauto: true, off: true, calibrating: true,
  })
  assert.equal(all, "ALARM OL DISCHRG CHRG LB OVER RB TRIM BOOST BYPASS OFF CAL")
  assert.equal(status({ online: true }), "OL")
  assert.equal(status({ online: false, discharging: true }), "OB DISCHRG")
  assert.equal(status({ online: false, discharging: true, lowbatt: true }), "OB DISCHRG LB")
  assert.equal(status({ online: true, charging: true }), "OL CHRG")
})

test("composeStatus() invents nothing for facts never reported", () => {
  assert.equal(status({}), "")
  // NUT's bitmask would say OB here (online bit 0); only a discharging battery means OB
  assert.equal(status({ charging: false }), "")
  assert.equal(status({ discharging: true }), "OB DISCHRG")
})

test("composeStatus() drops CHRG when fully charged and DISCHRG when depleted", () => {
  assert.equal(status({ online: true, charging: true, fullycharged: true }), "OL")
  assert.equal(status({ online: false, discharging: true, depleted: true }), "OB")
})

test("composeStatus() raises LB for low battery, time limit or shutdown imminent", () => {
  for (const fact of ["lowbatt", "timelimitexp", "shutdownimm"] as const) {
    assert.match(status({ online: false, discharging: true, [fact]: true }), /OB DISCHRG LB/)
  }
  assert.equal(status({ online: true, nobattery: true }), "ALARM OL RB")
})

test("composeStatus() publishes ups.alarm in NUT's order with the ALARM prefix", () => {
  const c = composeStatus(facts({ online: true, replacebatt: true, shutdownimm: true, overheat: true }), NUT_DEFAULT, {}, 0)
  assert.deepEqual(c.alarms, ["Replace battery!", "Shutdown imminent!", "Temperature too high!"])
  assert.equal(c.status, "ALARM OL LB RB")
})

test("composeStatus() reports the last transfer reason", () => {
  assert.equal(composeStatus(facts({ online: true, vrange: true }), NUT_DEFAULT, {}, 0).transferReason, "input voltage out of range")
  assert.equal(composeStatus(facts({ online: true, frange: true }), NUT_DEFAULT, {}, 0).transferReason, "input frequency out of range")
  assert.equal(composeStatus(facts({ online: true, vrange: false }), NUT_DEFAULT, {}, 0).transferReason, undefined)
})

test("composeStatus() handles OL+DISCHRG firmwares as the onlinedischarge_* options say (nut#1970)", () => {
  const olDischarging = { online: true, discharging: true }
  const c = composeStatus(facts(olDischarging), NUT_DEFAULT, {}, 0)
  assert.deepEqual([c.status, c.onlineDischarging], ["OL DISCHRG", true])
  assert.equal(status(olDischarging, { ...NUT_DEFAULT, onlineDischarge: "onbattery" }), "OB DISCHRG")
  assert.equal(status(olDischarging, { ...NUT_DEFAULT, onlineDischarge: "calibration" }), "OL DISCHRG CAL")
  // LB while OL+DISCHRG treated as on battery is never delayed
  assert.equal(status({ ...olDischarging, lowbatt: true }, { ...BX, onlineDischarge: "onbattery" }), "OB DISCHRG LB")
})

test("composeStatus() delays LB and RB on line for the BX family, never on battery (nut#2347)", () => {
  let memory: StatusMemory = {}
  const step = (set: Partial<Record<StatusFact, boolean>>, now: number, options = BX) => {
    const c = composeStatus(facts(set), options, memory, now)
    memory = c.memory
    return c
  }
  // a 2 s flap: never published
  assert.equal(step({ online: true, lowbatt: true, replacebatt: true }, 0).status, "OL")
  assert.equal(step({ online: true, lowbatt: true, replacebatt: true }, 2000).status, "OL")
  assert.equal(step({ online: true }, 2500).status, "OL")
  // a condition that persists: published once it lasted more than 3 s, with its alarm
  const first = step({ online: true, replacebatt: true }, 10_000)
  assert.deepEqual([first.status, first.recheckAt], ["OL", 13_001])
  assert.equal(step({ online: true, replacebatt: true }, 13_000).status, "OL")
  assert.equal(step({ online: true, replacebatt: true }, 13_001).status, "ALARM OL RB")
  assert.equal(step({ online: true, replacebatt: true }, 20_000).status, "ALARM OL RB")
  // on battery, LB is immediate
  assert.equal(step({ online: false, discharging: true, lowbatt: true, replacebatt: true }, 20_500).status, "ALARM OB DISCHRG LB RB")
  // without the without-calibrating flag, NUT only delays while calibrating
  memory = {}
  assert.equal(step({ online: true, lowbatt: true }, 0, { ...BX, lbrbWithoutCalibrating: false }).status, "OL LB")
  memory = {}
  assert.equal(step({ online: true, lowbatt: true, calibrating: true }, 0, { ...BX, lbrbWithoutCalibrating: false }).status, "OL CAL")
})

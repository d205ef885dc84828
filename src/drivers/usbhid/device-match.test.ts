import assert from "node:assert/strict"
import { test } from "node:test"
import { createDeviceMatcher, DeviceCriteriaError } from "./device-match.ts"

const bx = { vendorId: 0x051d, productId: 0x0002, manufacturer: "American Power Conversion", product: "Back-UPS BX1600MI FW:294201G -302201G", serial: "9B2206A00000  ", bus: "001", path: "/dev/hidraw0" }

test("createDeviceMatcher() matches ups.conf options as whole, case-insensitive regexes like NUT", () => {
  assert.ok(createDeviceMatcher({})(bx))
  assert.ok(createDeviceMatcher({ vendorid: "051D", productid: "0002" })(bx))
  assert.ok(createDeviceMatcher({ vendorid: "05.d" })(bx))
  assert.ok(!createDeviceMatcher({ vendorid: "51d" })(bx), "the whole 4-digit id must match")
  assert.ok(createDeviceMatcher({ vendor: "american power.*", product: ".*BX1600MI.*", serial: "9B2206A00000", bus: "001" })(bx))
  assert.ok(!createDeviceMatcher({ product: "BX1600MI" })(bx))
  assert.ok(!createDeviceMatcher({ serial: "X" })({ ...bx, serial: undefined }))
  assert.throws(() => createDeviceMatcher({ serial: "(" }), DeviceCriteriaError)
})

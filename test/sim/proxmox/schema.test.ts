import assert from "node:assert/strict"
import { test } from "node:test"
import { loadApiSchema, parseStartupOrder } from "./schema.ts"

test("loadApiSchema() resolves templated paths, literal segments first", () => {
  const s = loadApiSchema("9.1")
  const r = s.resolve("POST", "/nodes/pve1/lxc/101/status/shutdown")
  assert.equal(r?.template, "/nodes/{node}/lxc/{vmid}/status/shutdown")
  assert.deepEqual(r?.pathParams, { node: "pve1", vmid: "101" })
  assert.equal(s.resolve("GET", "/cluster/ha/status/current")?.template, "/cluster/ha/status/current")
  assert.equal(s.resolve("PATCH", "/version"), undefined)
  assert.equal(s.resolve("POST", "/access/ticket")?.allowToken, false)
})

test("ApiSchema.validate() checks formats, property strings and per-version parameters", () => {
  const v91 = loadApiSchema("9.1")
  const v84 = loadApiSchema("8.4")
  const put = (s: typeof v91) => s.resolve("PUT", "/cluster/ha/resources/vm:100")
  assert.deepEqual(v91.validate(put(v91)!, { sid: "vm:100", failback: "1" }), {})
  assert.deepEqual(v84.validate(put(v84)!, { sid: "vm:100", failback: "1" }), { failback: "property is not defined in schema and the schema does not allow additional properties" })
  assert.deepEqual(v91.validate(put(v91)!, { sid: "vm:99", state: "frozen" }), { sid: "value does not look like a valid HA resource id", state: "value 'frozen' does not have a value in the enumeration 'started, stopped, enabled, disabled, ignored'" })
  const options = v91.resolve("PUT", "/cluster/options")!
  assert.deepEqual(v91.validate(options, { ha: "shutdown_policy=freeze" }), {})
  assert.match(v91.validate(options, { ha: "shutdown_policy=panic" })["ha"] ?? "", /^invalid format - shutdown_policy/)
  const stop = v91.resolve("POST", "/nodes/pve1/qemu/100/status/shutdown")!
  assert.deepEqual(v91.validate(stop, { node: "pve1", vmid: "100", timeout: "-1" }), { timeout: "value must have a minimum value of 0" })
  assert.deepEqual(v91.validate(stop, { node: "pve1" }), { vmid: "property is missing and it is not optional" })
})

test("parseStartupOrder() follows pve-startup-order", () => {
  assert.deepEqual(parseStartupOrder("order=1,up=30,down=60"), { order: 1, up: 30, down: 60 })
  assert.deepEqual(parseStartupOrder("2"), { order: 2 })
  assert.equal(parseStartupOrder("order=1,order=2"), undefined)
  assert.equal(parseStartupOrder("later=1"), undefined)
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { encodeParams } from "./client.ts"
import { makespan } from "./groups.ts"
import { parseStartup, shutdownGroups, type Guest } from "./inventory.ts"

const guest = (vmid: number, order?: number): Guest => ({ vmid, type: "qemu", node: "pve1", name: `vm${vmid}`, status: "running", template: false, lock: undefined, order, down: undefined, sid: undefined, haState: undefined })

test("parseStartup() reads pve-startup-order with and without the order= key", () => {
  assert.deepEqual(parseStartup("order=2,up=30,down=120"), { order: 2, down: 120 })
  assert.deepEqual(parseStartup("3,down=45"), { order: 3, down: 45 })
  assert.deepEqual(parseStartup(undefined), { order: undefined, down: undefined })
})

test("shutdownGroups() puts guests without order first, then the highest order (stopall's order)", () => {
  const groups = shutdownGroups([guest(100, 1), guest(101), guest(102, 3), guest(103, 1), guest(104, 2)])
  assert.deepEqual(groups.map((g) => [g.order, g.guests.map((x) => x.vmid)]), [[undefined, [101]], [3, [102]], [2, [104]], [1, [100, 103]]])
})

test("encodeParams() sends booleans as 1/0 and arrays as repeated keys, drops undefined", () => {
  assert.equal(encodeParams({ forceStop: true, keepActive: false, vms: [100, 101], skiplock: undefined, timeout: 45 }), "forceStop=1&keepActive=0&vms=100&vms=101&timeout=45")
})

test("makespan() schedules longest first on parallel slots", () => {
  assert.equal(makespan([50, 40, 30, 20, 10], 2), 80)
  assert.equal(makespan([10, 10], 8), 10)
  assert.equal(makespan([], 4), 0)
})

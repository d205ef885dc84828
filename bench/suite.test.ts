import assert from "node:assert/strict"
import { test } from "node:test"
import { roundOrder } from "./suite.ts"

test("roundOrder alternates which server goes first, so neither always runs second", () => {
  const targets = ["upsd", "nutctl"]
  assert.deepEqual(roundOrder(targets, 1), ["upsd", "nutctl"])
  assert.deepEqual(roundOrder(targets, 2), ["nutctl", "upsd"])
  assert.deepEqual(roundOrder(targets, 3), ["upsd", "nutctl"])
  // over an even number of rounds each server goes first equally often
  const firsts = [1, 2, 3, 4, 5, 6].map((r) => roundOrder(targets, r)[0])
  assert.equal(firsts.filter((f) => f === "upsd").length, 3)
  assert.deepEqual(targets, ["upsd", "nutctl"], "the given list is left as it was")
})

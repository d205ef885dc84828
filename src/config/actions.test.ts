import { test } from "node:test"
import assert from "node:assert/strict"
import { isKnownAction, unknownActionProblem } from "./actions.ts"

test("isKnownAction() knows upsd's actions in any case, and unknownActionProblem() names a typo", () => {
  for (const a of ["SET", "fsd", "Login", "MASTER", "primary"]) assert.equal(isKnownAction(a), true, a)
  assert.equal(isKnownAction("FDS"), false)
  assert.equal(unknownActionProblem("set"), undefined)
  assert.equal(unknownActionProblem("FDS"), "unknown action FDS (expected SET or FSD)")
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { UpsState, describeType } from "../../ups/index.ts"
import { applyDriverLine } from "./apply-driver-line.ts"

function apply(state: UpsState, line: string): ReturnType<typeof applyDriverLine> {
  return applyDriverLine(state, line.split(" "))
}

test("applyDriverLine() applies SETINFO, SETFLAGS, SETAUX, ADDENUM and ADDRANGE like upsd", () => {
  const s = new UpsState()
  for (const line of [
    "SETINFO input.sensitivity medium",
    "ADDENUM input.sensitivity low",
    "ADDENUM input.sensitivity medium",
    "SETFLAGS input.sensitivity RW STRING",
    "SETAUX input.sensitivity 8",
    "SETINFO battery.charge.low 10",
    "ADDRANGE battery.charge.low 5 50",
    "setflags battery.charge.low rw number",
    "ADDCMD beeper.on",
  ]) assert.deepEqual(apply(s, line), { kind: "state" }, line)
  assert.equal(describeType(s.get("input.sensitivity")!), "RW ENUM STRING:8")
  assert.deepEqual(s.get("input.sensitivity")!.enums, ["low", "medium"])
  assert.equal(describeType(s.get("battery.charge.low")!), "RW RANGE NUMBER")
  assert.deepEqual(s.commands(), ["beeper.on"])
})

test("applyDriverLine() SETFLAGS replaces the flags", () => {
  const s = new UpsState()
  apply(s, "SETINFO ups.id x")
  apply(s, "SETFLAGS ups.id RW STRING")
  apply(s, "SETFLAGS ups.id NUMBER")
  assert.equal(describeType(s.get("ups.id")!), "NUMBER")
})

test("applyDriverLine() deletes with DELINFO, DELENUM, DELRANGE and DELCMD", () => {
  const s = new UpsState()
  for (const line of ["SETINFO a 1", "ADDENUM a 1", "ADDENUM a 2", "ADDRANGE a 1 2", "SETINFO b 2", "ADDCMD c"]) apply(s, line)
  for (const line of ["DELENUM a 1", "DELRANGE a 1 2", "DELINFO b", "DELCMD c"]) apply(s, line)
  assert.deepEqual(s.get("a")!.enums, ["2"])
  assert.deepEqual(s.get("a")!.ranges, [])
  assert.equal(s.get("b"), undefined)
  assert.deepEqual(s.commands(), [])
})

test("applyDriverLine() reports control lines for the session", () => {
  const s = new UpsState()
  assert.deepEqual(apply(s, "PONG"), { kind: "pong" })
  assert.deepEqual(apply(s, "dumpdone"), { kind: "dump-done" })
  assert.deepEqual(apply(s, "DATAOK"), { kind: "data", ok: true })
  assert.deepEqual(apply(s, "DATASTALE"), { kind: "data", ok: false })
  assert.deepEqual(apply(s, "TRACKING abc 0"), { kind: "tracking", id: "abc", result: "SUCCESS" })
  assert.deepEqual(apply(s, "TRACKING abc 1"), { kind: "tracking", id: "abc", result: "UNKNOWN" })
  assert.deepEqual(apply(s, "TRACKING abc 2"), { kind: "tracking", id: "abc", result: "INVALID-ARGUMENT" })
  assert.deepEqual(apply(s, "TRACKING abc 3"), { kind: "tracking", id: "abc", result: "FAILED" })
  assert.deepEqual(apply(s, "TRACKING abc 7"), { kind: "tracking", id: "abc", result: "FAILED" })
})

test("applyDriverLine() refuses short lines, unknown verbs and inverted ranges (parse_args)", () => {
  const s = new UpsState()
  for (const line of ["SETINFO x", "ADDCMD", "ADDRANGE x 1", "TRACKING id", "HELLO there", "SETFLAGS x"]) {
    assert.deepEqual(apply(s, line), { kind: "invalid" }, line)
  }
  apply(s, "SETINFO x 5")
  apply(s, "ADDRANGE x 9 1")
  assert.deepEqual(s.get("x")!.ranges, [])
  // verbs on variables that do not exist are valid lines that change nothing
  assert.deepEqual(apply(s, "ADDENUM nope a"), { kind: "state" })
  assert.equal(s.get("nope"), undefined)
})

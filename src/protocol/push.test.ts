import assert from "node:assert/strict"
import { test } from "node:test"
import { PUSH_REPLY, formatPushLine, parsePushLine, pushRequest } from "./index.ts"

test("formatPushLine() quotes the status like a GET VAR reply, and parsePushLine() reads it back", () => {
  const line = formatPushLine({ ups: "rack", kind: "status", status: "FSD OB LB" })
  assert.equal(line, 'NUTCTL PUSH rack STATUS "FSD OB LB"')
  assert.deepEqual(parsePushLine(line), { ups: "rack", kind: "status", status: "FSD OB LB" })
  const alarm = formatPushLine({ ups: "rack", kind: "status", status: "OL ALARM", alarm: 'say "#1"\\' })
  assert.equal(alarm, 'NUTCTL PUSH rack STATUS "OL ALARM" "say \\"\\#1\\"\\\\"')
  assert.deepEqual(parsePushLine(alarm), { ups: "rack", kind: "status", status: "OL ALARM", alarm: 'say "#1"\\' })
})

test("formatPushLine() carries the ERR a poll would get; parsePushLine() accepts only NUT codes", () => {
  assert.equal(formatPushLine({ ups: "rack", kind: "failed", error: "DATA-STALE" }), "NUTCTL PUSH rack ERR DATA-STALE")
  assert.deepEqual(parsePushLine("NUTCTL PUSH rack ERR DRIVER-NOT-CONNECTED"), { ups: "rack", kind: "failed", error: "DRIVER-NOT-CONNECTED" })
  assert.equal(parsePushLine("NUTCTL PUSH rack ERR NO-SUCH-CODE"), undefined)
})

test("parsePushLine() ignores NUT replies and malformed lines", () => {
  for (const line of ['VAR rack ups.status "OL"', "OK", "ERR UNKNOWN-COMMAND", "NUTCTL PUSH rack", 'NUTCTL PUSH rack STATUS "OL', "NUTCTL PUSH rack FOO x", PUSH_REPLY]) {
    assert.equal(parsePushLine(line), undefined, line)
  }
  assert.equal(pushRequest("rack"), "NUTCTL PUSH rack")
})

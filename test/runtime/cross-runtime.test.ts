// One node:test file that Node (tsx), `deno test` and `bun test` all run unchanged (.ci/run runs it
// under each), proving the runtime-neutral core works outside Node: the protocol tokenizer and
// UpsState use only web standards.
import { test } from "node:test"
import assert from "node:assert/strict"
import { Tokenizer, quote } from "../../src/protocol/index.ts"
import { UpsState } from "../../src/ups/index.ts"

function tokenize(line: string): string[][] {
  const tok = new Tokenizer()
  const lines: string[][] = []
  for (const b of new TextEncoder().encode(line)) {
    const r = tok.feed(b)
    assert.notEqual(r, "error", tok.error)
    if (r === "line") lines.push(tok.takeLine())
  }
  return lines
}

test("Tokenizer splits a SET VAR request with a quoted, escaped value", () => {
  const value = 'rack "A" #1'
  assert.deepEqual(tokenize(`SET VAR ups ups.id ${quote(value)}\n`), [["SET", "VAR", "ups", "ups.id", value]])
})

test("UpsState reports FSD and goes stale after MAXAGE on an injected clock", () => {
  let now = 1_000
  const state = new UpsState({ maxAgeMs: 15_000, now: () => now })
  state.markConnected({ setvar: async () => "UNKNOWN", instcmd: async () => "UNKNOWN" })
  state.setInfo("ups.status", "OB LB")
  state.setFsd()
  assert.equal(state.status, "FSD OB LB")
  assert.equal(state.availability(), "ok")
  now += 15_001
  assert.equal(state.availability(), "stale")
})

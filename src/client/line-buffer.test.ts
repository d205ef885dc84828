import assert from "node:assert/strict"
import { test } from "node:test"
import { ProtocolViolation } from "./errors.ts"
import { LineBuffer, MAX_REPLY_LINE } from "./line-buffer.ts"

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

test("LineBuffer.push() returns every complete line of a chunk", () => {
  const b = new LineBuffer()
  assert.deepEqual(b.push(enc("BEGIN LIST UPS\nUPS a \"x\"\nEND LIST UPS\n")), ["BEGIN LIST UPS", 'UPS a "x"', "END LIST UPS"])
  assert.equal(b.pending, false)
})

test("LineBuffer.push() joins a line split across chunks", () => {
  const b = new LineBuffer()
  assert.deepEqual(b.push(enc("VAR bvk ups.st")), [])
  assert.equal(b.pending, true)
  assert.deepEqual(b.push(enc("atus ")), [])
  assert.deepEqual(b.push(enc('"OL"\nOK\n')), ['VAR bvk ups.status "OL"', "OK"])
})

test("LineBuffer.push() decodes UTF-8 split inside a character and drops a trailing CR", () => {
  const b = new LineBuffer()
  const bytes = enc('UPS rack "Büro"\r\n')
  const cut = bytes.indexOf(0xc3) + 1
  assert.deepEqual(b.push(bytes.subarray(0, cut)), [])
  assert.deepEqual(b.push(bytes.subarray(cut)), ['UPS rack "Büro"'])
})

test("LineBuffer.push() refuses an endless line", () => {
  const b = new LineBuffer()
  assert.throws(() => b.push(new Uint8Array(MAX_REPLY_LINE + 1).fill(0x61)), ProtocolViolation)
})

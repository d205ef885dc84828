import assert from "node:assert/strict"
import { test } from "node:test"
import { NutError } from "../protocol/index.ts"
import { ProtocolViolation } from "./errors.ts"
import { decodeType, getReply, listReply, okReply, splitReply, throwIfErr, trackingReply, type ReplyDecoder } from "./reply.ts"

/** Feed lines until the decoder is done; fails if it finishes early or never. */
function decode<T>(decoder: ReplyDecoder<T>, lines: readonly string[]): T {
  for (const [i, line] of lines.entries()) {
    const step = decoder.push(line)
    if (step.done) {
      assert.equal(i, lines.length - 1, `decoder finished after line ${i + 1} of ${lines.length}`)
      return step.value
    }
  }
  assert.fail("decoder wanted more lines")
}

test("splitReply() unescapes quoted values like libupsclient", () => {
  // fixtures/nut-wire/01-anonymous-get-list.txt: GET VAR flip ups.desc
  assert.deepEqual(splitReply('VAR flip ups.desc "quote\\"and\\#hash"'), ["VAR", "flip", "ups.desc", 'quote"and#hash'])
  assert.deepEqual(splitReply('UPS bvk "APC Back-UPS \\"BVK\\" \\#1"'), ["UPS", "bvk", 'APC Back-UPS "BVK" #1'])
  assert.deepEqual(splitReply('VAR ups x "back\\\\slash"'), ["VAR", "ups", "x", "back\\slash"])
  assert.deepEqual(splitReply('VAR ups x ""'), ["VAR", "ups", "x", ""])
  assert.deepEqual(splitReply('RANGE bvk v "1" "10"'), ["RANGE", "bvk", "v", "1", "10"])
})

test("splitReply() keeps UTF-8 in values", () => {
  assert.deepEqual(splitReply('UPS rack "Büro – Keller"'), ["UPS", "rack", "Büro – Keller"])
})

test("splitReply() rejects an unterminated quote and a bare # inside quotes", () => {
  assert.throws(() => splitReply('VAR ups x "open'), ProtocolViolation)
  assert.throws(() => splitReply('VAR ups x "a#b"'), ProtocolViolation)
})

test("throwIfErr() throws NutError with the server's code", () => {
  assert.throws(() => throwIfErr("ERR DATA-STALE"), (e: unknown) => e instanceof NutError && e.code === "DATA-STALE")
  assert.throws(() => throwIfErr("ERR ACCESS-DENIED extra words"), (e: unknown) => e instanceof NutError && e.code === "ACCESS-DENIED")
  assert.throws(() => throwIfErr("ERR SOMETHING-NEW"), ProtocolViolation)
  assert.doesNotThrow(() => throwIfErr("OK"))
  assert.doesNotThrow(() => throwIfErr("ERRATIC")) // not the ERR word
})

test("getReply() returns the words after the echoed query, case-insensitively", () => {
  assert.deepEqual(decode(getReply(["VAR", "bvk", "ups.status"]), ['VAR bvk ups.status "OL"']), ["OL"])
  // get var BVK UPS.STATUS → VAR BVK UPS.STATUS "OL": upsd echoes the client's spelling
  assert.deepEqual(decode(getReply(["VAR", "bvk", "ups.status"]), ['VAR BVK UPS.STATUS "OL"']), ["OL"])
  assert.deepEqual(decode(getReply(["TYPE", "bvk", "ups.status"]), ["TYPE bvk ups.status RW STRING:32"]), ["RW", "STRING:32"])
})

test("getReply() rejects a reply for another query", () => {
  assert.throws(() => getReply(["VAR", "bvk", "ups.status"]).push('VAR bvk ups.load "38"'), ProtocolViolation)
  assert.throws(() => getReply(["VAR", "bvk", "ups.status"]).push("VAR bvk"), ProtocolViolation)
})

test("getReply() throws NutError for ERR", () => {
  assert.throws(() => getReply(["VAR", "nosuch", "ups.status"]).push("ERR UNKNOWN-UPS"), (e: unknown) => e instanceof NutError && e.code === "UNKNOWN-UPS")
})

test("listReply() decodes items and stops at END LIST", () => {
  const items = decode(listReply(["UPS"]), [
    "BEGIN LIST UPS",
    'UPS bvk "APC Back-UPS \\"BVK\\" \\#1"',
    'UPS flip "Description unavailable"',
    "END LIST UPS",
  ])
  assert.deepEqual(items, [
    ["bvk", 'APC Back-UPS "BVK" #1'],
    ["flip", "Description unavailable"],
  ])
})

test("listReply() accepts an empty list", () => {
  assert.deepEqual(decode(listReply(["ENUM", "bvk", "ups.status"]), ["BEGIN LIST ENUM bvk ups.status", "END LIST ENUM bvk ups.status"]), [])
})

test("listReply() throws NutError when ERR replaces BEGIN", () => {
  assert.throws(() => listReply(["VAR", "nodrv"]).push("ERR DRIVER-NOT-CONNECTED"), (e: unknown) => e instanceof NutError && e.code === "DRIVER-NOT-CONNECTED")
})

test("listReply() rejects a wrong BEGIN line and items that do not echo the query", () => {
  assert.throws(() => listReply(["VAR", "bvk"]).push("BEGIN LIST VAR other"), ProtocolViolation)
  assert.throws(() => listReply(["VAR", "bvk"]).push('VAR bvk x "1"'), ProtocolViolation)
  const d = listReply(["VAR", "bvk"])
  d.push("BEGIN LIST VAR bvk")
  assert.throws(() => d.push('VAR other x "1"'), ProtocolViolation)
})

test("listReply() ends only at the exact words END LIST (libupsclient compares case-sensitively)", () => {
  const d = listReply(["CMD", "bvk"])
  d.push("BEGIN LIST CMD bvk")
  assert.throws(() => d.push("end list CMD bvk"), ProtocolViolation)
})

test("okReply() returns the words after OK", () => {
  assert.deepEqual(decode(okReply(), ["OK"]), [])
  assert.deepEqual(decode(okReply(), ["OK TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263"]), ["TRACKING", "2DDC5036-F665-4D29-BE4C-0374D091D263"])
  assert.deepEqual(decode(okReply(), ["OK Goodbye"]), ["Goodbye"])
  assert.throws(() => okReply().push("ERR READONLY"), (e: unknown) => e instanceof NutError && e.code === "READONLY")
  assert.throws(() => okReply().push("BEGIN LIST UPS"), ProtocolViolation)
})

test("trackingReply() maps the GET TRACKING forms", () => {
  assert.equal(decode(trackingReply(), ["PENDING"]), "PENDING")
  assert.equal(decode(trackingReply(), ["SUCCESS"]), "SUCCESS")
  assert.equal(decode(trackingReply(), ["ERR UNKNOWN"]), "UNKNOWN")
  assert.equal(decode(trackingReply(), ["ERR INVALID-ARGUMENT"]), "INVALID-ARGUMENT")
  assert.equal(decode(trackingReply(), ["ERR FAILED"]), "FAILED")
  assert.throws(() => trackingReply().push("ERR FEATURE-NOT-CONFIGURED"), (e: unknown) => e instanceof NutError && e.code === "FEATURE-NOT-CONFIGURED")
  assert.throws(() => trackingReply().push("MAYBE"), ProtocolViolation)
})

test("decodeType() reads NUT 2.8 and 2.7 TYPE words", () => {
  assert.deepEqual(decodeType(["RW", "STRING:32"]), { rw: true, enum: false, range: false, kind: "STRING", maxLength: 32, words: ["RW", "STRING:32"], other: [] })
  const number = decodeType(["NUMBER"])
  assert.equal(number.kind, "NUMBER")
  assert.equal(number.rw, false)
  assert.equal(number.maxLength, undefined)
  const e = decodeType(["RW", "ENUM", "STRING:10"])
  assert.equal(e.enum, true)
  assert.equal(e.maxLength, 10)
  // 2.7.4 ended the line with ENUM or RANGE alone
  const old = decodeType(["RW", "RANGE"])
  assert.equal(old.range, true)
  assert.equal(old.kind, "UNKNOWN")
  assert.deepEqual(decodeType(["FUTURE"]).other, ["FUTURE"])
})

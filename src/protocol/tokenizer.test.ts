import { test } from "node:test"
import assert from "node:assert/strict"
import { MAX_WORDS, MAX_WORD_LEN, Tokenizer, tokenizeConfig } from "./tokenizer.ts"

function lines(input: string | Uint8Array): Array<string[] | "error"> {
  const tok = new Tokenizer()
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input
  const out: Array<string[] | "error"> = []
  for (const b of bytes) {
    const r = tok.feed(b)
    if (r === "line") out.push(tok.takeLine())
    else if (r === "error") out.push("error")
  }
  return out
}

test("Tokenizer splits on any whitespace and ends lines at \\n", () => {
  assert.deepEqual(lines("GET\tVAR  bvk ups.status\r\n"), [["GET", "VAR", "bvk", "ups.status"]])
  assert.deepEqual(lines("VER\nNETVER\n"), [["VER"], ["NETVER"]])
})

test("Tokenizer keeps quoted words, empty quotes and backslash escapes", () => {
  assert.deepEqual(lines('SET VAR u x "a b"\n'), [["SET", "VAR", "u", "x", "a b"]])
  assert.deepEqual(lines('GET VAR "" x\n'), [["GET", "VAR", "", "x"]])
  assert.deepEqual(lines("b\\vk\n"), [["bvk"]])
  assert.deepEqual(lines('"quote\\"and\\#hash\\\\"\n'), [['quote"and#hash\\']])
})

test("Tokenizer treats # outside quotes as a comment and inside quotes as a parse error", () => {
  assert.deepEqual(lines("GET VAR bvk ups.status # x\n"), [["GET", "VAR", "bvk", "ups.status"]])
  assert.deepEqual(lines("# only a comment\n"), [[]])
  // the caller (RequestStream) drops the rest of the read after an error, as upsd does
  assert.equal(lines('GET UPSDESC "bvk#x"\n')[0], "error")
})

test("Tokenizer splits = into a word of its own", () => {
  assert.deepEqual(lines("ups.status=x\n"), [["ups.status", "=", "x"]])
  assert.deepEqual(lines("a = b\n"), [["a", "=", "b"]])
})

test("Tokenizer drops control and non-ASCII bytes from words (CVE-2012-2944)", () => {
  assert.deepEqual(lines(Uint8Array.from([...new TextEncoder().encode("ups."), 0xe9, ...new TextEncoder().encode("status\n")])), [["ups.status"]])
  assert.deepEqual(lines(Uint8Array.from([0x41, 0x01, 0x42, 0x0a])), [["AB"]])
})

test("Tokenizer keeps at most 32 words and 512 bytes per word", () => {
  const many = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ") + "\n"
  const [words] = lines(many)
  assert.ok(Array.isArray(words))
  assert.equal(words.length, MAX_WORDS)
  const [long] = lines("x".repeat(600) + "\n")
  assert.ok(Array.isArray(long))
  assert.equal(long[0]?.length, MAX_WORD_LEN)
})

test("tokenizeConfig() reports line numbers, continuation lines and parse errors", () => {
  const { lines: ls, errors } = tokenizeConfig('[ups]\n\tdriver = dummy-ups\n\tdesc = "a \\\n b"\nbad = "x#y"\nport = \\\n  file.dev\n')
  assert.deepEqual(
    ls.map((l) => [l.line, ...l.words]),
    [
      [1, "[ups]"],
      [2, "driver", "=", "dummy-ups"],
      [3, "desc", "=", "a \n b"],
      [6, "port", "=", "file.dev"],
    ],
  )
  assert.deepEqual(errors, [{ line: 5, message: "unescaped # inside quotes" }])
})

test("tokenizeConfig() keeps UTF-8 and reports an unterminated quote", () => {
  const { lines: ls, errors } = tokenizeConfig('desc = "Büro"\nx = "open\n')
  assert.deepEqual(ls[0]?.words, ["desc", "=", "Büro"])
  assert.equal(errors[0]?.message, "unterminated quoted word")
})

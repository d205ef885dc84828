import { test } from "node:test"
import assert from "node:assert/strict"
import { fixture } from "../../../test/support/fixture.ts"
import { parseDummyFile, type DummyStep } from "./dummy-file.ts"

/** The steps of a text, without line numbers, as `name=value` / `status=…` / `TIMER n`. */
function steps(text: string): string[] {
  return parseDummyFile(text).steps.map(show)
}

function show(step: DummyStep): string {
  if (step.kind === "timer") return `TIMER ${step.seconds}`
  if (step.kind === "status") return `status=${step.value}`
  return `${step.name}=${step.value}`
}

test("parseDummyFile() reads upsc-style lines, comments, quotes and escapes", () => {
  const text = [
    "# header comment",
    "",
    "ups.mfr: APC   # trailing comment",
    "ups.model: Back-UPS BR  800  ",
    "battery.charge 50",
    'ups.desc: "quote\\"and\\#hash" \\"x',
    'q.val: "two  spaces" x',
    "tab.val: a\tb",
    "crlf.val: x \r",
  ].join("\n")
  assert.deepEqual(steps(text), [
    "ups.mfr=APC",
    "ups.model=Back-UPS BR 800", // words re-joined with single spaces, trailing blanks gone
    "battery.charge=50", // the colon is optional
    'ups.desc=quote"and#hash "x',
    "q.val=two  spaces x",
    "tab.val=a b",
    "crlf.val=x",
  ])
})

test("parseDummyFile() names the variable by the first word up to its first colon", () => {
  assert.deepEqual(steps("multi:word:colon: x\nups.firmware: UPS 11.0 / ID=1007\neq2.val = c\n"), [
    "multi=x",
    "ups.firmware=UPS 11.0 / ID = 1007", // parseconf makes `=` a word of its own
    "eq2.val== c",
  ])
})

test("parseDummyFile() skips driver.* lines, case-sensitively like strncmp", () => {
  assert.deepEqual(steps("driver.name: usbhid-ups\ndriver.parameter.port: auto\nDRIVER.NAME: kept\n"), ["DRIVER.NAME=kept"])
})

test("parseDummyFile() keeps status words as written: no sorting, no de-duplication, no ALARM", () => {
  assert.deepEqual(steps("ups.status: OB  LB OL LB\nups.alarm: Replace battery!\nups.statusfoo: ol\nUPS.STATUS: OB\n"), [
    "status=OB LB OL LB",
    "ups.alarm=Replace battery!",
    "status=ol", // `strncmp(name, "ups.status", 10)` also matches longer names…
    "UPS.STATUS=OB", // …but not other spellings: those are plain variables
  ])
  assert.deepEqual(steps('ups.status: "" OB\nups.status: OL ""\nups.status:\n'), ["status=OB", "status=OL ", "status="])
})

test("parseDummyFile() cuts values like dummy-ups' 128-byte buffer and the 256-byte status", () => {
  const [one, two, joined] = steps(`a: ${"x".repeat(200)}\nb: ${"y".repeat(125)} zz\nc: ${"abcdefghi ".repeat(20)}\n`)
  assert.equal(one, `a=${"x".repeat(127)}`)
  assert.equal(two, `b=${"y".repeat(125)} `)
  assert.equal(joined?.length, "c=".length + 126)
  const status = steps(`ups.status: ${Array.from({ length: 40 }, (_, i) => `S${String(i).padStart(13, "0")}`).join(" ")}\n`)[0]
  assert.equal(status?.length, "status=".length + 254)
  // only 32 words per line reach the driver (parseconf's limit)
  assert.deepEqual(steps(`ups.status: ${Array.from({ length: 40 }, (_, i) => `W${i}`).join(" ")}\n`), [
    `status=${Array.from({ length: 31 }, (_, i) => `W${i}`).join(" ")}`,
  ])
})

test("parseDummyFile() drops non-ASCII and control bytes from words, keeping emptied words", () => {
  assert.deepEqual(steps("utf8.val: Grad °C é\nups.model: Smart\u0001UPS\n"), ["utf8.val=Grad C ", "ups.model=SmartUPS"])
})

test("parseDummyFile() re-uses the last value for a line without one, within a TIMER segment", () => {
  const file = parseDummyFile("first:\nups.serial: 123\nups.status: OL\nfoo.empty:\nx: \"\"\nonly.name\nTIMER 1\nagain:\n")
  assert.deepEqual(file.steps.map(show), ["ups.serial=123", "status=OL", "foo.empty=123", "x=", "only.name=", "TIMER 1"])
  assert.deepEqual(
    file.problems.map((p) => p.line),
    [1, 4, 6, 8],
  )
  assert.match(file.problems[0]?.message ?? "", /^first has no value: skipped/)
  assert.match(file.problems[1]?.message ?? "", /re-uses the last value read, "123"/)
})

test("parseDummyFile() reads TIMER lines like dummy-ups 2.8.0 (prefix, atoi, stale argument)", () => {
  const file = parseDummyFile("TIMER 5\nTIMERS 2\nTIMER: 3\ntimer 4\na: 7\nTIMER\nTIMER abc\nTIMER 2.9\nTIMER -1\n")
  assert.deepEqual(file.steps.map(show), [
    "TIMER 5",
    "TIMER 2",
    "TIMER 3",
    "timer=4", // lower case is a variable
    "a=7",
    "TIMER 7", // parseconf's stale second word
    "TIMER 0",
    "TIMER 2",
    "TIMER -1",
  ])
  assert.deepEqual(
    file.problems.map((p) => p.line),
    [6, 7],
  )
})

test("parseDummyFile() reports a # inside quotes and reads the rest of that line as a new line", () => {
  const file = parseDummyFile('ok: 1\nbad.quote: "x#y" more\nafter.bad: 2\n')
  assert.deepEqual(file.steps.map(show), ["ok=1", 'y"=more', "after.bad=2"])
  assert.equal(file.problems.length, 1)
  assert.equal(file.problems[0]?.line, 2)
  assert.match(file.problems[0]?.message ?? "", /#/)
})

test("parseDummyFile() keeps a quote left open at the end of the file as one word", () => {
  const open = parseDummyFile('a: 1\nlast: "abc\nnext: 2\n')
  assert.deepEqual(open.steps.map(show), ["a=1", "last=abcnext: 2"])
  assert.deepEqual(open.problems.map((p) => p.line), [2])
  assert.deepEqual(steps('a: 1\nb: x "\n'), ["a=1", "b=x"]) // an empty open quote adds no word (no trailing space)
})

test("parseDummyFile() gives each step its line number", () => {
  const file = parseDummyFile("# c\n\nups.status: OL\nTIMER 3\n\nbattery.charge: 50\n")
  assert.deepEqual(
    file.steps.map((s) => s.line),
    [3, 4, 6],
  )
})

test("parseDummyFile() turns evolution500.seq into its three TIMER segments", () => {
  const file = parseDummyFile(fixture("nut-data/evolution500.seq"))
  assert.deepEqual(file.problems, [])
  const shown = file.steps.map(show)
  assert.deepEqual(
    shown.filter((s) => s.startsWith("TIMER") || s.startsWith("status=")),
    ["status=OL CHRG", "TIMER 300", "status=OB DISCHRG", "TIMER 300", "status=OB LB DISCHRG", "TIMER 60"],
  )
  assert.ok(!shown.some((s) => s.startsWith("driver.")))
  assert.ok(shown.includes("ups.model=Pulsar Evolution 500"))
})

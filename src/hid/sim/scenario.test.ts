import assert from "node:assert/strict"
import { test } from "node:test"
import { SimError } from "./errors.ts"
import { BUILTIN_SCENARIOS, builtinScenario, parseDuration, parseScenario } from "./scenario.ts"

const badScenario = (pattern: RegExp) => (e: unknown) => e instanceof SimError && e.code === "SIM_BAD_SCENARIO" && pattern.test(e.message)

test("parseScenario() reads the text form with absolute and relative times", () => {
  const s = parseScenario("# storm\n30s mains-lost rate=20\n+1m30s   low-battery   # LB\n+2m mains-back\n600 repeat\n", "storm")
  assert.deepEqual(
    s.steps.map((step) => [step.at, step.action]),
    [
      [30_000, { kind: "mains-lost", rate: 20 }],
      [120_000, { kind: "low-battery" }],
      [240_000, { kind: "mains-back" }],
      [600_000, { kind: "repeat" }],
    ],
  )
})

test("parseScenario() reads flags, sets, self-tests and garbage", () => {
  const s = parseScenario("1s flag NeedReplacement=1\n2s set UPS.PowerConverter.PercentLoad=80\n3s self-test type=deep result=warning\n4s garbage\n", "x")
  assert.deepEqual(
    s.steps.map((step) => step.action),
    [
      { kind: "flag", name: "NeedReplacement", value: 1 },
      { kind: "set", path: "UPS.PowerConverter.PercentLoad", value: 80 },
      { kind: "self-test", deep: true, result: "warning" },
      { kind: "garbage", count: 3 },
    ],
  )
})

test("parseScenario() reads JSON with the same actions", () => {
  const s = parseScenario('{ "name": "json", "steps": [ { "at": "10s", "do": "mains-lost", "rate": 5 }, { "at": "+5s", "do": "unplug" } ] }', "file.json")
  assert.equal(s.name, "json")
  assert.deepEqual(s.steps, [
    { at: 10_000, action: { kind: "mains-lost", rate: 5 } },
    { at: 15_000, action: { kind: "unplug" } },
  ])
  assert.deepEqual(parseScenario('[{"at": 2, "do": "hang"}]', "a").steps, [{ at: 2000, action: { kind: "hang" } }])
})

test("parseScenario() names the line of a mistake", () => {
  assert.throws(() => parseScenario("10s mains-lost\n20s flood\n", "f.txt"), badScenario(/^Cannot read scenario f.txt: line 2: unknown action "flood"/))
  assert.throws(() => parseScenario("10s mains-lost speed=2\n", "f"), badScenario(/line 1: mains-lost does not take speed/))
  assert.throws(() => parseScenario("1m mains-lost\n30s mains-back\n", "f"), badScenario(/line 2: 30s is earlier than the step before it/))
  assert.throws(() => parseScenario("soon mains-lost\n", "f"), badScenario(/line 1: "soon" is not a time/))
  assert.throws(() => parseScenario("1s charge value=150\n", "f"), badScenario(/value=150: expected a charge 0\.\.100/))
  assert.throws(() => parseScenario("1s flag Overload=2\n", "f"), badScenario(/a flag is 0 or 1/))
  assert.throws(() => parseScenario('[{"do": "hang"}]', "j"), badScenario(/step 1: "at" must be a time/))
  assert.throws(() => parseScenario("{ nope", "j"), badScenario(/not valid JSON/))
})

test("builtinScenario() parses every built-in scenario and rejects unknown names", () => {
  for (const name of Object.keys(BUILTIN_SCENARIOS)) assert.ok(builtinScenario(name).steps.length > 0, name)
  assert.throws(() => builtinScenario("apocalypse"), badScenario(/no such built-in scenario \(built in: outage, /))
})

test("parseDuration() reads seconds and unit suffixes", () => {
  assert.deepEqual(["45", "1.5", "500ms", "30s", "1m30s", "2h"].map(parseDuration), [45_000, 1500, 500, 30_000, 90_000, 7_200_000])
  assert.equal(parseDuration("1d"), undefined)
  assert.equal(parseDuration(""), undefined)
})

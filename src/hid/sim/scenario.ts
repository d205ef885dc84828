// Scenarios for the simulated UPS: data, steps with times. Written as text (one step a line) or
// JSON, built in by name (`sim:bx1600mi?scenario=outage`) or read from a file
// (`?scenario=/etc/nutctl/storm.txt`). Text form:
//
//   # comment
//   30s      mains-lost rate=20        # absolute time since the device started
//   +6m30s   mains-back rate=10        # "+": relative to the previous step
//   +15m     repeat                    # start over (times relative to now)
//
// Times: a number of seconds, or units ms/s/m/h (compound `1m30s`). JSON form: an array of steps
// or `{ "name": …, "steps": [...] }`, each step `{ "at": "30s" | 30, "do": "mains-lost", "rate": 20 }`.
// Actions and their parameters are listed in SCENARIO_ACTIONS.
import { SimError } from "./errors.ts"

/** One thing that happens to the simulated UPS. */
export type ScenarioAction =
  /** Mains fails; optional drain rate in %/min. */
  | { readonly kind: "mains-lost"; readonly rate?: number }
  /** Mains returns; optional charge rate in %/min. */
  | { readonly kind: "mains-back"; readonly rate?: number }
  /** Battery drain rate on battery, %/min. */
  | { readonly kind: "drain"; readonly rate: number }
  /** Battery charge, %. */
  | { readonly kind: "charge"; readonly value: number }
  /** Charge drops to the low-battery limit (LB on battery). */
  | { readonly kind: "low-battery" }
  /** Self-test (as if the host wrote Test = 1 or 2), ending with `result`. */
  | { readonly kind: "self-test"; readonly deep: boolean; readonly result: SelfTestResult }
  /** Forces a status flag by usage name (`NeedReplacement`, `Overload` …). */
  | { readonly kind: "flag"; readonly name: string; readonly value: 0 | 1 }
  /** Sets a field by NUT path to a physical value. */
  | { readonly kind: "set"; readonly path: string; readonly value: number }
  /** USB cable pulled / plugged back. */
  | { readonly kind: "unplug" }
  | { readonly kind: "replug" }
  /** The device stops answering (control transfers time out, no interrupts) / answers again. */
  | { readonly kind: "hang" }
  | { readonly kind: "recover" }
  /** Garbage: bogus interrupt reports and `count` mangled GET_REPORT answers. */
  | { readonly kind: "garbage"; readonly count: number }
  /** Start the scenario over from here. */
  | { readonly kind: "repeat" }

export type ScenarioActionKind = ScenarioAction["kind"]
export type SelfTestResult = "passed" | "warning" | "error"

/** A step: `action` at `at` ms after the scenario started. */
export interface ScenarioStep {
  readonly at: number
  readonly action: ScenarioAction
}

/** A named list of steps in time order. */
export interface Scenario {
  readonly name: string
  readonly steps: readonly ScenarioStep[]
}

/** Every action with the parameters it takes (for messages and `--help`). */
export const SCENARIO_ACTIONS: Readonly<Record<ScenarioActionKind, string>> = {
  "mains-lost": "[rate=%/min]",
  "mains-back": "[rate=%/min]",
  drain: "rate=%/min",
  charge: "value=%",
  "low-battery": "",
  "self-test": "[type=quick|deep] [result=passed|warning|error]",
  flag: "<UsageName>=0|1",
  set: "<HID.path>=<value>",
  unplug: "",
  replug: "",
  hang: "",
  recover: "",
  garbage: "[count=n]",
  repeat: "",
}

/** The scenarios `?scenario=<name>` knows, as text. */
export const BUILTIN_SCENARIOS: Readonly<Record<string, string>> = {
  // OL → OB → OB LB → OL CHRG: at 15 %/min the BX stand-in reaches its 10 % limit 6 min after the
  // outage (LB) and would be empty after 6m40s; mains returns at 6m15s
  outage: "30s mains-lost rate=15\n+6m15s mains-back rate=10\n+15m repeat\n",
  blip: "30s mains-lost\n+10s mains-back\n+2m repeat\n",
  lowbatt: "10s mains-lost\n+10s low-battery\n",
  selftest: "10s self-test\n+2m repeat\n",
  unplug: "30s unplug\n+30s replug\n+1m repeat\n",
  hung: "30s hang\n+1m recover\n+1m repeat\n",
  garbage: "10s garbage count=3\n+1m repeat\n",
  // BX…MI firmware flapping RB and LB for a second while on line (nut#2347, #2565)
  flap: "10s flag NeedReplacement=1\n+1s flag NeedReplacement=0\n+2s flag ShutdownImminent=1\n+1s flag ShutdownImminent=0\n+30s repeat\n",
}

/** A built-in scenario by name. @throws SimError SIM_BAD_SCENARIO for an unknown name. */
export function builtinScenario(name: string): Scenario {
  const text = BUILTIN_SCENARIOS[name]
  if (text === undefined) {
    throw new SimError("SIM_BAD_SCENARIO", `Cannot run scenario "${name}": no such built-in scenario (built in: ${Object.keys(BUILTIN_SCENARIOS).join(", ")}; or give a file path)`)
  }
  return parseScenario(text, name)
}

/**
 * Parses a scenario file (JSON when it starts with `[` or `{`, else the text form).
 * @throws SimError SIM_BAD_SCENARIO naming the line or step.
 */
export function parseScenario(text: string, name: string): Scenario {
  const trimmed = text.trimStart()
  return trimmed.startsWith("[") || trimmed.startsWith("{") ? parseJson(trimmed, name) : parseText(text, name)
}

// --- Internal helpers ---

interface RawStep {
  readonly time: string
  readonly action: string
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly where: string
}

function parseText(text: string, name: string): Scenario {
  const raw: RawStep[] = []
  text.split(/\r?\n/).forEach((line, i) => {
    const content = line.replace(/#.*$/, "").trim()
    if (content === "") return
    const [time = "", action = "", ...rest] = content.split(/\s+/)
    const where = `line ${i + 1}`
    if (action === "") fail(name, where, `"${content}" has a time but no action`)
    const params = rest.map((word): [string, string] => {
      const eq = word.indexOf("=")
      return eq < 0 ? [word, ""] : [word.slice(0, eq), word.slice(eq + 1)]
    })
    raw.push({ time, action, params, where })
  })
  return build(raw, name)
}

function parseJson(text: string, name: string): Scenario {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (cause) {
    throw new SimError("SIM_BAD_SCENARIO", `Cannot read scenario ${name}: not valid JSON`, { cause })
  }
  const obj = isRecord(data) ? data : undefined
  const steps = Array.isArray(data) ? data : obj?.["steps"]
  if (!Array.isArray(steps)) fail(name, "top level", 'expected an array of steps or { "steps": [...] }')
  const title = typeof obj?.["name"] === "string" ? obj["name"] : name
  const raw = steps.map((step: unknown, i): RawStep => {
    const where = `step ${i + 1}`
    if (!isRecord(step)) fail(name, where, "a step must be an object")
    const { at, do: action, ...rest } = step
    if (typeof at !== "string" && typeof at !== "number") fail(name, where, '"at" must be a time such as "30s" or a number of seconds')
    if (typeof action !== "string") fail(name, where, '"do" must name an action')
    const params = Object.entries(rest).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : JSON.stringify(v)])
    return { time: String(at), action, params, where }
  })
  return build(raw, title)
}

function build(raw: readonly RawStep[], name: string): Scenario {
  const steps: ScenarioStep[] = []
  let previous = 0
  for (const r of raw) {
    const relative = r.time.startsWith("+")
    const ms = parseDuration(relative ? r.time.slice(1) : r.time)
    if (ms === undefined) fail(name, r.where, `"${r.time}" is not a time (examples: 30s, 1m30s, +10s, 500ms, 45)`)
    const at = relative ? previous + ms : ms
    if (at < previous) fail(name, r.where, `${r.time} is earlier than the step before it (use +${r.time} for a relative time)`)
    steps.push({ at, action: parseAction(r, name) })
    previous = at
  }
  return { name, steps }
}

function parseAction(r: RawStep, name: string): ScenarioAction {
  const params = new Map(r.params)
  const number = (key: string, check: (n: number) => boolean, what: string): number | undefined => {
    const text = params.get(key)
    params.delete(key)
    if (text === undefined) return undefined
    const n = Number(text)
    if (text === "" || !Number.isFinite(n) || !check(n)) fail(name, r.where, `${key}=${text}: expected ${what}`)
    return n
  }
  const positiveRate = (n: number): boolean => n >= 0
  let action: ScenarioAction
  switch (r.action) {
    case "mains-lost":
    case "mains-back": {
      const rate = number("rate", positiveRate, "a rate in %/min (0 or more)")
      action = rate === undefined ? { kind: r.action } : { kind: r.action, rate }
      break
    }
    case "drain":
      action = { kind: "drain", rate: number("rate", positiveRate, "a rate in %/min (0 or more)") ?? fail(name, r.where, "drain needs rate=%/min") }
      break
    case "charge":
      action = { kind: "charge", value: number("value", (n) => n >= 0 && n <= 100, "a charge 0..100") ?? fail(name, r.where, "charge needs value=%") }
      break
    case "self-test": {
      const type = take(params, "type") ?? "quick"
      const result = take(params, "result") ?? "passed"
      if (type !== "quick" && type !== "deep") fail(name, r.where, `type=${type}: expected quick or deep`)
      if (result !== "passed" && result !== "warning" && result !== "error") fail(name, r.where, `result=${result}: expected passed, warning or error`)
      action = { kind: "self-test", deep: type === "deep", result }
      break
    }
    case "garbage":
      action = { kind: "garbage", count: number("count", (n) => Number.isInteger(n) && n >= 0 && n <= 1000, "a count 0..1000") ?? 3 }
      break
    case "flag":
    case "set": {
      const [entry, ...more] = params
      if (entry === undefined || more.length > 0) fail(name, r.where, `${r.action} takes one ${SCENARIO_ACTIONS[r.action]}`)
      params.clear()
      const [key, text] = entry
      const n = Number(text)
      if (text === "" || !Number.isFinite(n)) fail(name, r.where, `${key}=${text}: expected a number`)
      if (r.action === "flag") {
        if (n !== 0 && n !== 1) fail(name, r.where, `${key}=${text}: a flag is 0 or 1`)
        action = { kind: "flag", name: key, value: n === 1 ? 1 : 0 }
      } else action = { kind: "set", path: key, value: n }
      break
    }
    case "low-battery":
    case "unplug":
    case "replug":
    case "hang":
    case "recover":
    case "repeat":
      action = { kind: r.action }
      break
    default:
      return fail(name, r.where, `unknown action "${r.action}" (actions: ${Object.keys(SCENARIO_ACTIONS).join(", ")})`)
  }
  const unknown = [...params.keys()]
  if (unknown.length > 0) fail(name, r.where, `${r.action} does not take ${unknown.join(", ")} (it takes: ${SCENARIO_ACTIONS[r.action as ScenarioActionKind] || "nothing"})`)
  return action
}

/** `30s`, `1m30s`, `500ms`, `2h`, `45` (seconds) → ms. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(text)) return undefined
  const unit: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  let total = 0
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(m[1]) * (unit[m[2] ?? "s"] ?? 1000)
  return total
}

function take(params: Map<string, string>, key: string): string | undefined {
  const value = params.get(key)
  params.delete(key)
  return value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

function fail(name: string, where: string, detail: string): never {
  throw new SimError("SIM_BAD_SCENARIO", `Cannot read scenario ${name}: ${where}: ${detail}`)
}

/**
 * DummyDriver against the real thing: every fixture data file is served by Debian's NUT 2.8.0
 * (upsd + dummy-ups, one sandbox for all of them) and replayed by our DummyDriver into a UpsState;
 * both must publish the same variables, values, GET TYPE strings and commands.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { DummyDriver } from "../../src/drivers/index.ts"
import { Tokenizer } from "../../src/protocol/index.ts"
import { UpsState, describeType } from "../../src/ups/index.ts"
import { fixturePath } from "../support/fixture.ts"
import { connectNutLines, type NutLineClient } from "../support/nut-line-client.ts"
import { hasRealNut, startRealNut, type RealNut } from "../support/real-nut.ts"

const FILES = [
  ...readdirSync(fixturePath("nut-ddl"))
    .filter((f) => f.endsWith(".dev"))
    .sort()
    .map((f) => `nut-ddl/${f}`),
  "nut-data/epdu-managed.dev",
  "nut-data/evolution500.seq",
  "nut-wire/sandbox-etc/flip.seq",
]

// Parser corner cases, each observed on the real binary (kept small, so inline)
const TRICKY_DEV = [
  "# comment line",
  "ups.mfr: APC   # trailing comment",
  "ups.model: Back-UPS BR  800  ",
  "battery.charge 50",
  'ups.desc: "quote\\"and\\#hash" \\"x',
  "eq.val: a=b",
  "multi:word:colon: x",
  "foo.bar: value",
  "foo.empty:",
  "ups.status: OB  LB OL LB",
  "ups.alarm: Replace battery!",
  'bad.quote: "x#y" more',
  "after.bad: 2",
  "utf8.val: Grad \u00b0C \u00e9",
  "tab.val: a\tb",
  "UPS.MODEL: upper",
  "ups.Load: 5",
  "device.type: pdu",
  "device.mfr: Overwritten by ups.mfr",
  "driver.name: skipped",
  "DRIVER.NAME: not skipped",
  "input.quality: good",
  "ups.firmware: 1.0",
  `long.value: ${"abcdefghi ".repeat(20)}`,
  `ups.statusx: ${Array.from({ length: 40 }, (_, i) => `S${String(i).padStart(13, "0")}`).join(" ")}`,
  "crlf.val: x \r",
].join("\n")

/** What a UPS publishes: `name → { value, type }`, plus its commands. */
interface Published {
  readonly vars: ReadonlyMap<string, { readonly value: string; readonly type: string }>
  readonly cmds: readonly string[]
}

test("DummyDriver publishes what real dummy-ups 2.8.0 + upsd publish for every fixture", {
  skip: hasRealNut() ? false : "real NUT 2.8.0 (/lib/nut/upsd, /lib/nut/dummy-ups, upsc) is not installed",
  timeout: 60_000,
}, async () => {
  const scratch = mkdtempSync(join(tmpdir(), "nutctl-dummy-"))
  const tricky = join(scratch, "tricky.dev")
  writeFileSync(tricky, TRICKY_DEV)
  const files = [...FILES.map((f) => fixturePath(f)), tricky]
  const ups = files.map((file, i) => ({ name: `u${i}`, file }))
  let nut: RealNut | undefined
  let client: NutLineClient | undefined
  try {
    nut = await startRealNut({ ups })
    client = await connectNutLines(nut.port)
    for (const [i, file] of files.entries()) {
      const name = `u${i}`
      const real = await readReal(client, name)
      const ours = await replay(file)
      // A .seq file may be at any of its steps when we look: the real data must equal one of ours
      const match = ours.find((snapshot) => sameValues(snapshot, real)) ?? ours[0]
      assert.ok(match, `${file}: DummyDriver published nothing`)
      assert.deepEqual(valuesOf(real), valuesOf(match), `${file}: LIST VAR differs`)
      assert.deepEqual(typesOf(real), typesOf(match), `${file}: GET TYPE differs`)
      assert.deepEqual(real.cmds, match.cmds, `${file}: LIST CMD differs`)
    }
  } finally {
    client?.close()
    await nut?.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
})

/** LIST VAR, GET TYPE for each variable, and LIST CMD from the real upsd (waiting for the driver). */
async function readReal(client: NutLineClient, ups: string): Promise<Published> {
  // Until upsd has the driver's first dump it answers DRIVER-NOT-CONNECTED / DATA-STALE, or
  // lists only its own `ups.status "WAIT"`
  const until = Date.now() + 15_000
  let lines = await listVar(client, ups)
  while (!lines.some((l) => l.startsWith(`VAR ${ups} driver.name `))) {
    if (Date.now() > until) throw new Error(`${ups}: no data from dummy-ups after 15 s: ${lines.join(" | ")}`)
    await new Promise((r) => setTimeout(r, 100))
    lines = await listVar(client, ups)
  }
  const vars = new Map<string, { value: string; type: string }>()
  for (const line of lines) {
    const [, , name, value] = words(line)
    assert.ok(name !== undefined && value !== undefined, `unexpected LIST VAR line: ${line}`)
    const typeLine = await client.request(`GET TYPE ${ups} ${name}`)
    const prefix = `TYPE ${ups} ${name} `
    assert.ok(typeLine.startsWith(prefix), `unexpected GET TYPE reply: ${typeLine}`)
    vars.set(name, { value, type: typeLine.slice(prefix.length) })
  }
  const cmds = (await client.list(`LIST CMD ${ups}`)).map((line) => words(line)[2] ?? "")
  return { vars, cmds }
}

function listVar(client: NutLineClient, ups: string): Promise<string[]> {
  return client.list(`LIST VAR ${ups}`).catch((error: Error) => [error.message])
}

/** Replay a file with DummyDriver on a manual clock; one snapshot per poll once connected. */
async function replay(path: string): Promise<Published[]> {
  let clock = 1_700_000_000_000
  const state = new UpsState({ now: () => clock })
  const controller = new AbortController()
  const snapshots: Published[] = []
  const driver = new DummyDriver({
    file: path,
    port: basename(path), // as startRealNut writes it into ups.conf
    log: { info() {}, warn() {} },
    now: () => clock,
    async sleep(ms) {
      if (state.availability() === "ok") snapshots.push(snapshot(state))
      clock += ms
      if (clock > 1_700_000_000_000 + 30_000) controller.abort()
    },
  })
  await driver.start(state, controller.signal)
  return snapshots
}

function snapshot(state: UpsState): Published {
  const vars = new Map(state.variables().map((v) => [v.name, { value: v.value, type: describeType(v) }] as const))
  return { vars, cmds: [...state.commands()] }
}

function valuesOf(p: Published): string[] {
  return [...p.vars].map(([name, v]) => `${name}=${v.value}`).sort()
}

function typesOf(p: Published): string[] {
  return [...p.vars].map(([name, v]) => `${name}: ${v.type}`).sort()
}

function sameValues(a: Published, b: Published): boolean {
  return JSON.stringify(valuesOf(a)) === JSON.stringify(valuesOf(b))
}

/** Split a reply line into words with NUT's quoting rules. */
function words(line: string): string[] {
  const tok = new Tokenizer()
  for (const b of new TextEncoder().encode(`${line}\n`)) if (tok.feed(b) === "line") return tok.takeLine()
  return []
}

/**
 * `nutctl driver explore` / `driver list` against simulated UPSes (and node-hid's error path). The
 * explore dump of the BK650M2-CH fixture must list what NUT 2.8.0's `usbhid-ups -x explore` listed
 * for that device, path for path and value for value
 * (test/fixtures/hid/apc-back-ups-bk650m2-ch.nut-debug.log).
 */
import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import { test } from "node:test"
import { runCommand, type CommandDef } from "citty"
import { openSimPort, parseReportRecords, type NodeHidOpener } from "../hid/index.ts"
import { fixture, fixturePath } from "../../test/support/fixture.ts"
import { ManualClock } from "../../test/support/manual-clock.ts"
import { driverExplore, driverList } from "./driver.ts"
import { formatG } from "./_hid-explore.ts"

interface Run {
  code: unknown
  out: string
  err: string
  files: Map<string, string>
}

async function run(command: CommandDef<any>, rawArgs: string[], extra: { createHidOpener?: () => NodeHidOpener; files?: Record<string, string> } = {}): Promise<Run> {
  let out = ""
  let err = ""
  const files = new Map(Object.entries(extra.files ?? {}))
  const { result } = await runCommand(command, {
    rawArgs,
    data: {
      io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) },
      env: {},
      readFile: async (path: string) => files.get(path) ?? readFile(path, "utf8"),
      writeFile: async (path: string, text: string) => void files.set(path, text),
      clock: new ManualClock(1_700_000_000_000),
      ...(extra.createHidOpener !== undefined ? { createHidOpener: extra.createHidOpener } : {}),
    },
  })
  process.exitCode = undefined // the command sets it for main.ts; the test runner must not see it
  return { code: result, out, err, files }
}

/** `Path:` lines of the explore listing in a usbhid-ups -DDD log (the [D1] ones; [D2] are interrupt reads). */
function nutExplorePaths(log: string): string[] {
  return log
    .split("\n")
    .map((line) => /\[D1\] Path: ([^,]+), Type: (\w+), ReportID: (0x[0-9a-f]+), Offset: (\d+), Size: (\d+), Value: (\S+)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => `${m[1]} | ${m[2]} | id=${m[3]} off=${m[4]} size=${m[5]} value=${m[6]}`)
}

function explorePaths(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("path "))
    .map((l) => l.replace(/^path /, "").replace(/\s+#.*$/, ""))
}

const BK650M2 = `sim:${fixturePath("hid/apc-back-ups-bk650m2-ch")}`

test("driver explore lists every HID object of the BK650M2-CH with the values usbhid-ups printed", async () => {
  const r = await run(driverExplore, ["--port", BK650M2])
  assert.equal(r.code, 0, r.err)
  const expected = nutExplorePaths(fixture("hid/apc-back-ups-bk650m2-ch.nut-debug.log"))
  assert.equal(expected.length, 71) // "71 HID objects found"
  assert.deepEqual(explorePaths(r.out), expected)
  assert.match(r.out, /^# descriptor: 743 bytes, 71 objects, /m)
  assert.match(r.out, /^path UPS\.Input\.ff860061 \| Feature \| id=0x35 off=0 size=8 value=0 {3}# UPS\.Input\.APCSensitivity\b/m)
  assert.match(r.out, /^# warning logmax-below-logmin at byte \d+: .*ReportID: 0x0c$/m)
  // what the usbhid subdriver makes of the fields
  assert.match(r.out, /^# mapping: subdriver apc /m)
  assert.match(r.out, /^path UPS\.PowerSummary\.RemainingCapacity \| Feature \| id=0x0c .*# -> battery\.charge$/m)
})

test("driver explore output is a reports.txt whose get lines are the recorded answers", async () => {
  const r = await run(driverExplore, ["--port", BK650M2])
  const gets = (text: string): number[][] => parseReportRecords(text).flatMap((x) => (x.kind === "get" ? [Array.from(x.bytes)] : []))
  assert.deepEqual(gets(r.out), gets(fixture("hid/apc-back-ups-bk650m2-ch.reports.txt")))
  assert.match(r.out, /^# device: vendorid=051d productid=0002 manufacturer="American Power Conversion" product="apc-back-ups-bk650m2-ch" interface=0$/m)
  assert.match(r.out, /^# string 4: PbAc$/m)
  assert.equal(r.out.split("\n").filter((l) => l.startsWith("# rdesc: ")).length, 47)
})

test("driver explore --save writes fixture files that simulate the same device", async () => {
  const first = await run(driverExplore, ["--port", "sim:bx1600mi", "--save", "/virtual/bx"])
  assert.equal(first.code, 0, first.err)
  assert.match(first.err, /port = sim:\/virtual\/bx/)
  const files = Object.fromEntries(first.files)
  assert.equal(files["/virtual/bx.rdesc.hex"]?.split("\n")[0], "05 84 09 04 a1 01 09 24 a1 00 85 01 09 fe 79 02")
  const again = await run(driverExplore, ["--port", "sim:/virtual/bx"], { files })
  assert.equal(again.code, 0, again.err)
  assert.deepEqual(explorePaths(again.out), explorePaths(first.out))
  assert.match(again.out, /^# device: vendorid=051d productid=0002 release=0106 manufacturer="American Power Conversion" product="Back-UPS BX1600MI FW:294201G -302201G" serial="9B2206A00000"/m)
})

test("driver explore without --port picks the matching UPS from the opener", async () => {
  const sim = await openSimPort("sim:bx1600mi", { clock: new ManualClock() })
  const opener: NodeHidOpener = { list: () => sim.opener.list(), open: (d) => sim.opener.open(d), openPath: () => Promise.reject(new Error("unused")) }
  const found = await run(driverExplore, ["--vendorid", "051d"], { createHidOpener: () => opener })
  assert.equal(found.code, 0, found.err)
  assert.match(found.out, /^# nutctl [^,]+, port sim:bx1600mi$/m)
  const none = await run(driverExplore, ["--vendorid", "0764"], { createHidOpener: () => opener })
  assert.equal(none.code, 3)
  assert.match(none.err, /^Error: Cannot find a USB HID UPS matching vendorid=0764: nutctl driver list --all/)
  const bad = await run(driverExplore, ["--product", "("], { createHidOpener: () => opener })
  assert.equal(bad.code, 2)
})

test("driver explore fails cleanly on a path that is no hidraw device (real node-hid)", async () => {
  const r = await run(driverExplore, ["--port", "/nonexistent/hidraw-nutctl"])
  assert.equal(r.code, 3)
  assert.equal(r.err, "Error: Cannot open HID device at /nonexistent/hidraw-nutctl: no such device\n")
  const usage = await run(driverExplore, ["--port", "sim:bx1600mi?speeed=2"])
  assert.equal(usage.code, 2)
  assert.match(usage.err, /unknown key "speeed"/)
})

test("driver list prints the UPSes the opener finds, and exit 1 with hints when there is none", async () => {
  const sim = await openSimPort("sim:bx1600mi", { clock: new ManualClock() })
  const opener = (devices: boolean): NodeHidOpener => ({ list: async () => (devices ? sim.opener.list() : []), open: (d) => sim.opener.open(d), openPath: () => Promise.reject(new Error("unused")) })
  const r = await run(driverList, [], { createHidOpener: () => opener(true) })
  assert.equal(r.code, 0)
  assert.deepEqual(r.out.split("\n").map((l) => l.split(/\s{2,}/)), [
    ["PATH", "VID:PID", "BUS", "MANUFACTURER", "PRODUCT", "SERIAL"],
    ["sim:bx1600mi", "051d:0002", "-", "American Power Conversion", "Back-UPS BX1600MI FW:294201G -302201G", "9B2206A00000"],
    [""],
  ])
  const none = await run(driverList, [], { createHidOpener: () => opener(false) })
  assert.equal(none.code, 1)
  assert.match(none.err, /^No USB HID UPS found\. .*udev rule.*\n.*--port sim:bx1600mi/)
})

test("formatG() prints like C's %g", () => {
  assert.deepEqual([0, 13.5, -1, 3618, 1966020, 0.0001, 0.00001, 123456.7, 2.5e-7].map(formatG), ["0", "13.5", "-1", "3618", "1.96602e+06", "0.0001", "1e-05", "123457", "2.5e-07"])
})

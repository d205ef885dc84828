/**
 * `nutctl check` end to end against nutctl's NUT server on loopback: one status line, the Nagios
 * exit code for each condition, perfdata in the plugin format, --json, logins against the
 * cluster config, self-test age, and a stopped server.
 */
import assert from "node:assert/strict"
import { after, test } from "node:test"
import { runCommand } from "citty"
import { createConsola } from "consola"
import { NutClient } from "../client/index.ts"
import type { UserRecord } from "../server/index.ts"
import { freePort } from "../../test/support/real-nut.ts"
import { eventually } from "../../test/support/eventually.ts"
import { ON_LINE, startFakeUpsServer, type FakeUpsServer } from "../../test/support/fake-ups-server.ts"
import { demoSetup, startUpsd } from "./_upsd.ts"
import check from "./check.ts"

const servers: FakeUpsServer[] = []
after(async () => {
  for (const s of servers) await s.close()
})

async function server(vars: Record<string, string> = { ...ON_LINE }, options: { users?: UserRecord[]; now?: () => number } = {}): Promise<FakeUpsServer> {
  const s = await startFakeUpsServer({ vars, ...options })
  servers.push(s)
  return s
}

interface Checked {
  code: unknown
  out: string
}

/** Programs "on this host" for the command executor's probe. */
const PROGRAMS: Readonly<Record<string, string>> = { "/bin/sh": "/bin/sh", "/usr/local/bin/nutctl-test-marker": "/usr/local/bin/nutctl-test-marker" }

async function runCheck(args: string[], extra: { files?: Record<string, string>; now?: () => number; state?: Map<string, string> } = {}): Promise<Checked> {
  let out = ""
  const state = extra.state ?? new Map<string, string>()
  const { result } = await runCommand(check, {
    rawArgs: args,
    data: {
      io: { out: (t: string) => void (out += t), err: (t: string) => void (out += t) },
      env: {},
      readFile: async (path: string) => {
        const text = extra.files?.[path]
        if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" })
        return text
      },
      hostname: "pve-compute-01",
      now: extra.now ?? (() => 1_000_000),
      readText: async (p: string) => state.get(p),
      writeText: async (p: string, t: string) => void state.set(p, t),
      findProgram: async (name: string) => (PROGRAMS[name] === undefined ? undefined : { path: PROGRAMS[name], executable: true }),
    },
  })
  process.exitCode = undefined
  return { code: result, out }
}

/** Nagios plugin guidelines: `'label'=value[UOM];[warn];[crit];[min];[max]`, ranges `[@][start][:[end]]`. */
function parsePerfdata(line: string): Array<{ label: string; value: number; uom: string; warn: string; crit: string }> {
  const bar = line.indexOf("|")
  assert.ok(bar > 0, `no perfdata in ${line}`)
  const num = String.raw`[-+]?\d+(?:\.\d+)?`
  const range = String.raw`@?(?:~|${num})?(?::(?:${num})?)?`
  const item = new RegExp(String.raw`^('(?:[^']|'')+'|[^'=\s]+)=(${num})(s|ms|us|%|B|KB|MB|TB|c)?(?:;(${range})(?:;(${range})(?:;(${num})?(?:;(${num})?)?)?)?)?$`)
  return line
    .slice(bar + 1)
    .trim()
    .split(/\s+/)
    .map((text) => {
      const m = item.exec(text)
      assert.ok(m, `not Nagios perfdata: ${text}`)
      return { label: m[1] as string, value: Number(m[2]), uom: m[3] ?? "", warn: m[4] ?? "", crit: m[5] ?? "" }
    })
}

test("nutctl check: on line is OK (exit 0) with one status line and perfdata", async () => {
  const s = await server()
  const r = await runCheck([`rack@127.0.0.1:${s.port}`])
  assert.equal(r.code, 0)
  assert.equal(r.out.split("\n").length, 2, "one line")
  assert.match(r.out, new RegExp(`^UPS OK - rack@127\\.0\\.0\\.1:${s.port}: online, charge 100 %, runtime 38 min \\| `))
  const perf = parsePerfdata(r.out.trim())
  assert.deepEqual(
    perf.map((p) => `${p.label}=${p.value}${p.uom};${p.warn};${p.crit}`),
    ["charge=100%;50:;20:", "runtime=2280s;600:;300:", "load=14%;;", "input_voltage=234;;", "logins=0;;"],
  )
})

const CONDITIONS: Array<{ name: string; vars: Record<string, string>; code: number; text: RegExp }> = [
  { name: "on battery is WARNING", vars: { "ups.status": "OB DISCHRG", "battery.charge": "80", "battery.runtime": "1800" }, code: 1, text: /^UPS WARNING - .*: on battery \|/ },
  { name: "on battery with low battery is CRITICAL", vars: { "ups.status": "OB LB", "battery.charge": "9", "battery.runtime": "100" }, code: 2, text: /^UPS CRITICAL - .*: on battery and the battery is low: shutdown imminent; charge 9 % < 20 %; runtime 100 s < 5 min/ },
  { name: "FSD is CRITICAL", vars: { "ups.status": "FSD OB LB", "battery.charge": "9" }, code: 2, text: /forced shutdown \(FSD\) in progress/ },
  { name: "charge below --warn-charge is WARNING", vars: { "ups.status": "OL CHRG", "battery.charge": "42", "battery.runtime": "1500" }, code: 1, text: /: charge 42 % < 50 % \|/ },
  { name: "charge below --crit-charge is CRITICAL", vars: { "ups.status": "OL CHRG", "battery.charge": "15", "battery.runtime": "1500" }, code: 2, text: /: charge 15 % < 20 %/ },
  { name: "runtime below --warn-runtime is WARNING", vars: { "ups.status": "OL", "battery.charge": "100", "battery.runtime": "420" }, code: 1, text: /: runtime 7 min < 10 min/ },
  { name: "replace battery is WARNING", vars: { "ups.status": "OL RB", "battery.charge": "100", "battery.runtime": "2000" }, code: 1, text: /replace the battery \(RB\)/ },
  { name: "a failed self-test is CRITICAL", vars: { "ups.status": "OL", "battery.charge": "100", "battery.runtime": "2000", "ups.test.result": "Done and error" }, code: 2, text: /last self-test: Done and error/ },
  { name: "a self-test warning is WARNING", vars: { "ups.status": "OL", "battery.charge": "100", "battery.runtime": "2000", "ups.test.result": "Done and warning" }, code: 1, text: /last self-test: Done and warning/ },
  { name: "no ups.status is UNKNOWN", vars: { "battery.charge": "100" }, code: 3, text: /^UPS UNKNOWN - .*the UPS reports no ups\.status/ },
]

for (const c of CONDITIONS) {
  test(`nutctl check: ${c.name} (exit ${c.code})`, async () => {
    const s = await server(c.vars)
    const r = await runCheck([`rack@127.0.0.1:${s.port}`])
    assert.equal(r.code, c.code, r.out)
    assert.match(r.out, c.text)
    parsePerfdata(r.out.trim())
  })
}

test("nutctl check: stale data is CRITICAL", async () => {
  let t = 1_000_000
  const s = await server(ON_LINE, { now: () => t })
  t += 60_000 // the "driver" has been silent for longer than MAXAGE
  const r = await runCheck([`rack@127.0.0.1:${s.port}`])
  assert.equal(r.code, 2)
  assert.match(r.out, /^UPS CRITICAL - rack@127\.0\.0\.1:\d+: data is stale/)
})

test("nutctl check: a UPS without driver is CRITICAL, an unknown UPS name is UNKNOWN", async () => {
  const s = await server()
  s.state.markDisconnected()
  const gone = await runCheck([`rack@127.0.0.1:${s.port}`])
  assert.equal(gone.code, 2)
  assert.match(gone.out, /no driver is connected/)
  const unknown = await runCheck([`nosuch@127.0.0.1:${s.port}`])
  assert.equal(unknown.code, 3)
  assert.match(unknown.out, /^UPS UNKNOWN - nosuch@127\.0\.0\.1:\d+: the server has no UPS called nosuch/)
})

test("nutctl check: a stopped server is CRITICAL", async () => {
  const port = await freePort()
  const r = await runCheck([`rack@127.0.0.1:${port}`])
  assert.equal(r.code, 2)
  assert.match(r.out, new RegExp(`^UPS CRITICAL - rack@127\\.0\\.0\\.1:${port}: Cannot connect to 127\\.0\\.0\\.1:${port}`))
  assert.equal(r.out.split("\n").length, 2)
})

test("nutctl check: bad options are UNKNOWN (exit 3), on stdout", async () => {
  const r = await runCheck(["rack@127.0.0.1:1", "--warn-charge", "lots"])
  assert.equal(r.code, 3)
  assert.equal(r.out, "UPS UNKNOWN - --warn-charge must be a number ≥ 0, not lots\n")
})

test("nutctl check --json: every finding with its state", async () => {
  const s = await server({ "ups.status": "OB DISCHRG", "battery.charge": "80", "battery.runtime": "1800" })
  const r = await runCheck([`rack@127.0.0.1:${s.port}`, "--json"])
  assert.equal(r.code, 1)
  const doc = JSON.parse(r.out) as { state: string; code: number; ups: Array<{ target: string; state: string; findings: Array<{ check: string; state: string }> }> }
  assert.equal(doc.state, "WARNING")
  assert.equal(doc.code, 1)
  assert.equal(doc.ups[0]?.target, `rack@127.0.0.1:${s.port}`)
  assert.deepEqual(doc.ups[0]?.findings.map((f) => `${f.check}:${f.state}`), ["status:WARNING", "logins:OK"])
})

const CLUSTER = (port: number, extra = ""): string => `
ups:
  rack: { driver: usbhid, port: auto }
users:
  mon: { password: pw, upsmon: secondary }
roles:
  - { name: nas, hosts: truenas, role: primary, monitor: ["rack@localhost:${port}"], shutdown: [command] }
  - { name: nodes, hosts: "pve-compute-0[1-3]", role: secondary, monitor: ["rack@127.0.0.1:${port}"], shutdown: [command] }
shutdown:
  when: { runtimeBelow: 20m }
executors:
  command: { command: "/usr/local/bin/nutctl-test-marker --would-shut-down" }
${extra}`

test("nutctl check with the cluster config: this host's UPS, logins against the roles' hosts, runtime against runtimeBelow", async () => {
  const mon: UserRecord = { name: "mon", password: "pw", actions: new Set(["login"]), instcmds: new Set() }
  const s = await server({ ...ON_LINE, "battery.runtime": "1500" }, { users: [mon] })
  const clients: NutClient[] = []
  for (let i = 0; i < 2; i++) {
    const c = await NutClient.connect({ host: "127.0.0.1", port: s.port, tls: "off" })
    await c.authenticate("mon", "pw")
    await c.login("rack")
    clients.push(c)
  }
  try {
    const r = await runCheck(["--config", "/etc/nutctl/nutctl.yaml"], { files: { "/etc/nutctl/nutctl.yaml": CLUSTER(s.port) } })
    // 1 primary + 3 secondaries expected; runtime 25 min < 1.5 × 20 min
    assert.equal(r.code, 1, r.out)
    assert.match(r.out, new RegExp(`^UPS WARNING - rack@127\\.0\\.0\\.1:${s.port}: runtime 25 min leaves little room over the shutdown plan's 20 min \\(shutdown\\.when\\.runtimeBelow\\); 2 of 4 upsmon logins \\(127\\.0\\.0\\.1, 127\\.0\\.0\\.1\\)`))
    assert.match(r.out, / need=1200s;;;0 /)
    assert.match(r.out, / logins=2;4:;;0 probe_command=\d+(\.\d+)?s;;5;0$/m)
    parsePerfdata(r.out.trim())
    const json = await runCheck(["--config", "/etc/nutctl/nutctl.yaml", "--json"], { files: { "/etc/nutctl/nutctl.yaml": CLUSTER(s.port) } })
    const doc = JSON.parse(json.out) as { probes: Array<{ executor: string; plugin: string; state: string; text: string }> }
    assert.deepEqual(doc.probes.map((p) => [p.executor, p.plugin, p.state, p.text]), [["command", "command", "OK", "executor command: /usr/local/bin/nutctl-test-marker is there and executable (not run)"]])
    const skipped = await runCheck(["--config", "/etc/nutctl/nutctl.yaml", "--json", "--no-probe"], { files: { "/etc/nutctl/nutctl.yaml": CLUSTER(s.port) } })
    assert.deepEqual((JSON.parse(skipped.out) as { probes: unknown[] }).probes, [])
  } finally {
    for (const c of clients) c.close()
  }
})

test("nutctl check: a named config that does not load is UNKNOWN; a missing default config is ignored", async () => {
  const bad = await runCheck(["--config", "/x.yaml"])
  assert.equal(bad.code, 3)
  assert.match(bad.out, /^UPS UNKNOWN - .*\/x\.yaml/)
  const s = await server()
  const r = await runCheck([`@127.0.0.1:${s.port}`])
  assert.equal(r.code, 0, r.out)
})

test("nutctl check --selftest-max-age: a result unchanged for too long is WARNING; --start-selftest starts a quick test", async () => {
  const admin: UserRecord = { name: "admin", password: "pw", actions: new Set(), instcmds: new Set(["test.battery.start.quick"]) }
  const s = await server({ ...ON_LINE, "ups.test.result": "Done and passed" }, { users: [admin] })
  const state = new Map<string, string>()
  const day = 86_400_000
  const target = `rack@127.0.0.1:${s.port}`
  const first = await runCheck([target, "--selftest-max-age", "30d"], { now: () => 0, state })
  assert.equal(first.code, 0, first.out)
  const later = await runCheck([target, "--selftest-max-age", "30d"], { now: () => 31 * day, state })
  assert.equal(later.code, 1)
  assert.match(later.out, /no new self-test result for 31 days \(limit 30 days\)/)
  const started = await runCheck([target, "--selftest-max-age", "30d", "--start-selftest", "-u", "admin", "-p", "pw", "--json"], { now: () => 31 * day, state })
  assert.equal(started.code, 0, started.out)
  assert.match(started.out, /started a quick self-test/)
  assert.deepEqual(s.writes, ["INSTCMD test.battery.start.quick"])
  // not again within the max age
  await runCheck([target, "--selftest-max-age", "30d", "--start-selftest", "-u", "admin", "-p", "pw"], { now: () => 32 * day, state })
  assert.equal(s.writes.length, 1)
  s.setVars({ ...ON_LINE, "ups.test.result": "Done and passed (new)" })
  const fresh = await runCheck([target, "--selftest-max-age", "30d"], { now: () => 33 * day, state })
  assert.equal(fresh.code, 0, fresh.out)
})

test("nutctl check against the simulated UPS (serve --demo --scenario lowbatt): OK, then CRITICAL at OB LB", async () => {
  const port = await freePort()
  const setup = demoSetup([{ host: "127.0.0.1", port }])
  const sim = { ...setup, ups: setup.ups.map((u) => ({ ...u, port: "sim:bx1600mi?scenario=lowbatt&speed=20" })) }
  const upsd = await startUpsd(sim, createConsola({ level: 0 }))
  try {
    const target = `bx1600mi@127.0.0.1:${port}`
    const ok = await eventually(async () => {
      const r = await runCheck([target])
      return r.code === 0 ? r : undefined
    }, "the simulated UPS on line")
    assert.match(ok.out, /^UPS OK - bx1600mi@127\.0\.0\.1:\d+: online/)
    // the scenario: mains lost after 10 s, low battery 10 s later (at speed 20: about 1 s)
    const crit = await eventually(async () => {
      const r = await runCheck([target])
      return r.code === 2 ? r : undefined
    }, "OB LB from the scenario")
    assert.match(crit.out, /^UPS CRITICAL - bx1600mi@127\.0\.0\.1:\d+: on battery and the battery is low/)
  } finally {
    await upsd.stop()
  }
})

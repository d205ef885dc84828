import { test } from "node:test"
import assert from "node:assert/strict"
import { fileURLToPath } from "node:url"
import { ConfigError } from "./errors.ts"
import { memoryConfigFs } from "./fs.ts"
import { loadNutctlConfig, parseNutctlConfig } from "./nutctl-load.ts"
import { issuesOf } from "../../test/support/nutctl-issues.ts"

const EXAMPLE = fileURLToPath(new URL("../../contrib/nutctl.example.yaml", import.meta.url))


test("loadNutctlConfig() accepts contrib/nutctl.example.yaml", async () => {
  const { config, format, warnings } = await loadNutctlConfig(EXAMPLE)
  assert.equal(format, "yaml")
  assert.deepEqual(config.ups["rack"], { driver: "usbhid-ups", port: "auto", desc: "APC Back-UPS BX1600MI", params: { vendorid: "051d", pollinterval: "2" } })
  assert.deepEqual(config.server.listen, [
    { host: "0.0.0.0", port: 3493 },
    { host: "::", port: 3493 },
  ])
  assert.equal(config.users["monuser"]?.upsmon, "secondary")
  assert.deepEqual(config.users["admin"]?.actions, ["SET", "FSD"])
  assert.deepEqual(config.roles.map((r) => [r.name, r.role, r.hosts]), [
    ["nas", "primary", ["truenas*"]],
    ["compute", "secondary", ["pve-compute-*", "/^pve-gpu-[0-9]+$/"]],
  ])
  assert.deepEqual(config.roles[1]?.monitor[0], { system: "rack@10.0.30.10", ups: "rack", host: "10.0.30.10", port: 3493, powerValue: 1, user: "monuser" })
  assert.equal(config.shutdown.hostsync, 15)
  assert.deepEqual(config.executors["proxmox"]?.["token"], { env: "PVE_TOKEN" })
  assert.deepEqual(warnings, [], "the example keeps its secrets out of the file")
})

test("parseNutctlConfig() accepts the short driver names and NUT's long ones", () => {
  const { config } = parseNutctlConfig("ups:\n  a: { driver: dummy, port: a.dev }\n  b: { driver: usbhid-ups }\n  c: { driver: upstream, port: rack@nas:3493 }\n", { file: "c.yaml" })
  assert.deepEqual(Object.values(config.ups).map((u) => [u.driver, u.port]), [
    ["dummy-ups", "a.dev"],
    ["usbhid-ups", "auto"],
    ["upstream", "rack@nas:3493"],
  ])
})

test("parseNutctlConfig() names file, line, key path and what was expected", () => {
  const text = ["ups:", "  rack:", "    driver: apc", "server:", "  maxage: soon", "roles:", "  - hosts: truenas*", "    role: primary", "  - hosts: [pve-*, 42]", "    role: boss"].join("\n")
  assert.deepEqual(issuesOf(text), [
    'nutctl.yaml:3: ups.rack.driver expects one of the drivers usbhid, usbhid-ups, dummy, dummy-ups, upstream, got "apc"',
    'nutctl.yaml:5: server.maxage expects a whole number of seconds, got "soon"',
    "nutctl.yaml:9: roles[1].hosts[1] expects a glob like pve-* or a /regex/, got 42",
    'nutctl.yaml:10: roles[1].role expects primary or secondary, got "boss"',
  ])
})

test("parseNutctlConfig() refuses lowbattery: false instead of ignoring it, and checks the hook section", () => {
  const text = ["shutdown:", "  when:", "    lowbattery: false", "hook:", "  minCharge: 140", "  onError: maybe", "  timeout: 0s"].join("\n")
  assert.deepEqual(issuesOf(text), [
    "nutctl.yaml:3: shutdown.when.lowbattery expects true: low battery always shuts down, as in upsmon (shut down earlier with runtimeBelow or onBatteryFor), got false",
    "nutctl.yaml:5: hook.minCharge expects a charge in percent (0–100), got 140",
    'nutctl.yaml:6: hook.onError expects open or closed, got "maybe"',
    'nutctl.yaml:7: hook.timeout expects a duration above zero, like 3s, got 0',
  ])
})

test("parseNutctlConfig() carries the error fields on ConfigError", () => {
  assert.throws(
    () => parseNutctlConfig("roles:\n  - hosts: 'pve-[1'\n    role: secondary\n", { file: "/etc/nutctl/nutctl.yaml" }),
    (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_INVALID" && e.file === "/etc/nutctl/nutctl.yaml" && e.line === 2 && e.key === "roles[0].hosts[0]" && e.expected === "a glob with balanced [ ] brackets",
  )
})

test("parseNutctlConfig() reports unknown keys, missing keys and bad secrets without echoing them", () => {
  const messages = issuesOf("users:\n  mon:\n    password: { vault: x }\n    pasword: hunter2\nroles:\n  - hosts: a\ncolour: blue\n")
  assert.deepEqual(messages, [
    "nutctl.yaml:3: users.mon.password expects a string, { env: NAME } or { file: PATH }",
    "nutctl.yaml:4: users.mon.pasword is not a known key (check the spelling)",
    "nutctl.yaml:6: roles[0].role is missing; it expects primary or secondary",
    "nutctl.yaml:7: colour is not a known key (check the spelling)",
  ])
  assert.ok(!messages.join("\n").includes("hunter2"))
})

test("parseNutctlConfig() refuses a YAML number for a hex vendor id", () => {
  assert.deepEqual(issuesOf("ups:\n  r:\n    driver: usbhid\n    vendorid: 0764\n"), ['nutctl.yaml:4: ups.r.vendorid expects a quoted hex id like "0764", got 764'])
})

test("parseNutctlConfig() reads TOML and JSON with lines in errors", () => {
  const toml = parseNutctlConfig('[ups.rack]\ndriver = "dummy"\nport = "rack.dev"\n\n[[roles]]\nhosts = "nas"\nrole = "primary"\n', { file: "n.toml" })
  assert.equal(toml.config.ups["rack"]?.driver, "dummy-ups")
  assert.deepEqual(issuesOf('[server]\nmaxconn = "many"\n', "n.toml"), ['n.toml:2: server.maxconn expects a number of connections, got "many"'])
  const json = parseNutctlConfig('{ "users": { "mon": { "password": { "env": "P" }, "upsmon": "slave" } } }', { file: "n.json" })
  assert.equal(json.config.users["mon"]?.upsmon, "secondary")
  assert.deepEqual(issuesOf('{\n  "server": {\n    "allow": ["lan"]\n  }\n}', "n.json"), ['n.json:3: server.allow[0] expects a network like 10.0.10.0/24 or fd00::/8, got "lan"'])
})

test("parseNutctlConfig() reports syntax errors with their line, and unknown extensions", () => {
  assert.throws(
    () => parseNutctlConfig("ups:\n  rack: [1,\n", { file: "n.yaml" }),
    (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_SYNTAX" && e.line === 3 && e.message.startsWith("n.yaml:3: invalid YAML"),
  )
  assert.throws(() => parseNutctlConfig("a = \n", { file: "n.toml" }), (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_SYNTAX" && e.line === 1)
  assert.throws(() => parseNutctlConfig("{}", { file: "n.ini" }), /expects a \.yaml, \.yml, \.toml or \.json file/)
})

test("parseNutctlConfig() treats an empty file as an empty config", () => {
  const { config } = parseNutctlConfig("# nothing yet\n", { file: "n.yaml" })
  assert.deepEqual(config.roles, [])
  assert.deepEqual(config.ups, {})
})

test("loadNutctlConfig() warns about literal secrets in a file others can read, naming key and line", async () => {
  const text = "users:\n  mon:\n    password: hunter2\n    upsmon: secondary\nexecutors:\n  truenas: { apiKey: abc }\n"
  const open = await loadNutctlConfig("/etc/nutctl/nutctl.yaml", { fs: memoryConfigFs({ "/etc/nutctl/nutctl.yaml": { text, mode: 0o644 } }) })
  assert.deepEqual(
    open.warnings.map((w) => [w.key, w.line]),
    [
      ["users.mon.password", 3],
      ["executors.truenas.apiKey", 6],
    ],
  )
  assert.match(open.warnings[0]?.message ?? "", /^\/etc\/nutctl\/nutctl\.yaml:3: users\.mon\.password is a literal secret and the file is world-accessible \(mode 0644\); use/)
  assert.ok(!open.warnings.some((w) => w.message.includes("hunter2")))
  const closed = await loadNutctlConfig("/etc/nutctl/nutctl.yaml", { fs: memoryConfigFs({ "/etc/nutctl/nutctl.yaml": { text, mode: 0o600 } }) })
  assert.deepEqual(closed.warnings, [])
})

test("loadNutctlConfig() warns about executors without settings and users without password", () => {
  const { warnings } = parseNutctlConfig("users:\n  a: { upsmon: primary }\nroles:\n  - hosts: x\n    role: primary\n    shutdown: [truenas]\n", { file: "n.yaml" })
  assert.deepEqual(
    warnings.map((w) => w.message),
    [
      "n.yaml:2: users.a has no password and can never log in",
      "n.yaml:4: roles[0] monitors nothing: its shutdown executors (truenas) never run",
      "n.yaml:6: roles[0].shutdown[0]: executor truenas has no settings under executors:",
    ],
  )
  assert.deepEqual(warnings.map((w) => w.line), [2, 4, 6])
})

test("loadNutctlConfig() names a missing file", async () => {
  await assert.rejects(loadNutctlConfig("/etc/nutctl/nutctl.yaml", { fs: memoryConfigFs({}) }), (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_NOT_FOUND" && e.message === "Cannot read /etc/nutctl/nutctl.yaml: no such file")
})

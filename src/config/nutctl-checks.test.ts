import { test } from "node:test"
import assert from "node:assert/strict"
import { ConfigError } from "./errors.ts"
import { memoryConfigFs } from "./fs.ts"
import { loadNutctlConfig, parseNutctlConfig } from "./nutctl-load.ts"
import { issuesOf, warningsOf } from "../../test/support/nutctl-issues.ts"



const EXEC = "executors:\n  command: { command: /bin/true }\n"

test("shutdown.minsupplies above a role's power values is refused, naming the role", () => {
  const text = ["roles:", "  - { hosts: a, role: primary, monitor: [rack@localhost], shutdown: [command] }", "  - hosts: b", "    role: secondary", "    monitor: [{ system: rack@nas, powervalue: 2 }]", "    shutdown: [command]", "shutdown:", "  minsupplies: 2", EXEC].join("\n")
  assert.deepEqual(issuesOf(text), ["nutctl.yaml:8: shutdown.minsupplies expects at most the sum of roles[0].monitor power values (1), got 2"])
  // every role reaches it: fine; a role that monitors nothing runs no monitor, so it has nothing to reach
  assert.doesNotThrow(() => parseNutctlConfig(text.replace("minsupplies: 2", "minsupplies: 1"), { file: "n.yaml" }))
  assert.doesNotThrow(() => parseNutctlConfig(`roles:\n  - { hosts: a, role: primary }\nshutdown: { minsupplies: 3 }\n`, { file: "n.yaml" }))
})

test("power values of 0 under the default MINSUPPLIES 1 are refused: the host would go down at once", () => {
  assert.deepEqual(issuesOf(["roles:", "  - hosts: a", "    role: primary", "    monitor:", "      - { system: rack@localhost, powervalue: 0 }", "    shutdown: [command]", EXEC].join("\n")), [
    "nutctl.yaml:4: roles[0].monitor power values add up to 0, below shutdown.minsupplies (1 by default): the monitor would shut this host down at once; give a supply powervalue 1 or more, or set shutdown.minsupplies: 0",
  ])
  const { warnings } = parseNutctlConfig(`roles:\n  - { hosts: a, role: primary, monitor: [{ system: r@h, powervalue: 0 }], shutdown: [command] }\nshutdown: { minsupplies: 0 }\n${EXEC}`, { file: "n.yaml" })
  assert.deepEqual(warnings.map((w) => w.message), ["n.yaml:3: shutdown.minsupplies is 0: no role's monitor ever shuts its host down"])
})

test("a role that monitors but has no shutdown executors is a warning, as upsmon.conf without SHUTDOWNCMD", () => {
  assert.deepEqual(warningsOf("roles:\n  - hosts: a\n    role: secondary\n    monitor: [rack@nas]\n"), ["nutctl.yaml:2: roles[0] has no shutdown: executors: this host will not shut itself down"])
})

test("unknown keys in shutdown:, shutdown.when: and http: are refused", () => {
  const text = ["shutdown:", "  hostsyncc: 15s", "  when:", "    runtimebelow: 5m", "http:", "  listen: 127.0.0.1:9199", "  auth: { reeds: private }", "  colour: red"].join("\n")
  assert.deepEqual(issuesOf(text), [
    "nutctl.yaml:2: shutdown.hostsyncc is not a known key (check the spelling)",
    "nutctl.yaml:4: shutdown.when.runtimebelow is not a known key (check the spelling)",
    "nutctl.yaml:7: http.auth.reeds is not a known key (check the spelling)",
    "nutctl.yaml:8: http.colour is not a known key (check the spelling)",
  ])
  // every key the http section's readers use loads
  const ok = parseNutctlConfig(
    'http:\n  listen: "[::1]:9199"\n  auth: { reads: private, tokens: [{ token: { env: T }, user: admin }] }\n  metrics: { variables: [battery.charge], statuses: "OL,OB", onRegex: "^on$", offRegex: "^off$", namespace: nut, deviceInfo: false, serverParam: false }\nusers:\n  admin: { password: { env: P } }\n',
    { file: "n.yaml" },
  )
  assert.equal(ok.config.http.listen, "[::1]:9199")
  assert.deepEqual(ok.config.http.metrics.statuses, ["OL", "OB"])
  assert.equal(parseNutctlConfig("http: { listen: false }\n", { file: "n.yaml" }).config.http.listen, false)
  assert.equal(parseNutctlConfig("ups: {}\n", { file: "n.yaml" }).config.http.auth.reads, "public")
})

test("the http section is validated at load time, with file, line and key", () => {
  const messages = issuesOf(["http:", '  listen: "127.0.0.1:99999"', "  auth:", "    tokens: oops", "  metrics: { onRegex: \"(\" }"].join("\n"))
  assert.deepEqual(messages, [
    'nutctl.yaml:2: http.listen expects an address like 0.0.0.0:9199, [::1]:9199, or false, got "127.0.0.1:99999"',
    "nutctl.yaml:4: http.auth.tokens expects a list of { token, user }",
    'nutctl.yaml:5: http.metrics.onRegex expects a valid regular expression, got "("',
  ])
  assert.deepEqual(warningsOf("http:\n  auth:\n    tokens:\n      - { token: { env: T }, user: nobody }\n"), ["nutctl.yaml:4: http.auth.tokens[0]: user nobody is not under users: or has no password: the token is ignored"])
})

test("UPS driver options are checked at load time with the driver's own parser; unknown ones are warnings", () => {
  assert.deepEqual(issuesOf("ups:\n  rack: { driver: usbhid, pollinterval: fast }\n"), ['nutctl.yaml:2: ups.rack.pollinterval expects a whole number ≥ 1, got "fast"'])
  assert.deepEqual(issuesOf("ups:\n  rack:\n    driver: usbhid\n    Serial: '[x'\n    pollfreq: 0\n"), ['nutctl.yaml:4: ups.rack.Serial expects a valid regular expression, got "[x"', "nutctl.yaml:5: ups.rack.pollfreq expects a whole number ≥ 1, got 0"])
  assert.deepEqual(issuesOf("ups:\n  d:\n    driver: dummy\n    port: d.dev\n    mode: forever\n"), ['nutctl.yaml:5: ups.d.mode expects one of dummy, dummy-once, dummy-loop, repeater, got "forever"'])
  assert.deepEqual(warningsOf("ups:\n  rack:\n    driver: usbhid\n    pollintervall: 2\n    prot: auto\n    override.battery.charge.low: 30\n"), [
    "nutctl.yaml:4: ups.rack.pollintervall is not an option usbhid-ups knows (check the spelling: NUT's usbhid-ups refuses it)",
    "nutctl.yaml:5: ups.rack.prot is not an option usbhid-ups knows (check the spelling: NUT's usbhid-ups refuses it)",
  ])
})

test("durations where zero makes no sense are refused; finaldelay 0 is fine", () => {
  const text = ["shutdown:", "  pollfreq: 0", "  pollfreqalert: 0s", "  hostsync: 0", "  deadtime: 0ms", "  finaldelay: 0", "  when: { runtimeBelow: 0, onBatteryFor: 0 }"].join("\n")
  assert.deepEqual(issuesOf(text), [
    "nutctl.yaml:2: shutdown.pollfreq expects a duration above zero, like 5s, got 0",
    "nutctl.yaml:3: shutdown.pollfreqalert expects a duration above zero, like 5s, got 0",
    "nutctl.yaml:4: shutdown.hostsync expects a duration above zero, like 15s, got 0",
    "nutctl.yaml:5: shutdown.deadtime expects a duration above zero, like 15s, got 0",
    "nutctl.yaml:7: shutdown.when.runtimeBelow expects auto, a duration above zero or null (off), got 0",
  ])
  assert.deepEqual(warningsOf("shutdown: { deadtime: 5s, pollfreq: 10s }\n"), [
    "nutctl.yaml:1: shutdown.deadtime (5 s) is shorter than the poll interval (10 s): a UPS on battery counts as dead, hence critical, after one late poll (upsmon advises deadtime ≥ 3 × pollfreq)",
  ])
})

test("empty passwords and unknown actions are warnings naming file, line and key, never the secret", async () => {
  const text = ["users:", '  mon: { password: "", upsmon: secondary }', "  admin:", "    password: hunter2", "    actions: [SET, FDS]", "roles:", "  - hosts: a", "    role: secondary", '    monitor: [{ system: rack@nas, user: x, password: "" }]', "    shutdown: [command]", EXEC].join("\n")
  const { warnings } = await loadNutctlConfig("/etc/nutctl/r2.yaml", { fs: memoryConfigFs({ "/etc/nutctl/r2.yaml": { text, mode: 0o644 } }) })
  assert.deepEqual(
    warnings.map((w) => [w.line, w.key, w.message.replace(/ and the file is .*/, "")]),
    [
      [2, "users.mon.password", "/etc/nutctl/r2.yaml:2: users.mon.password is empty: the user can never log in"],
      [4, "users.admin.password", "/etc/nutctl/r2.yaml:4: users.admin.password is a literal secret"],
      [5, "users.admin.actions", "/etc/nutctl/r2.yaml:5: users.admin.actions: unknown action FDS (expected SET or FSD)"],
      [9, "roles[0].monitor[0].password", "/etc/nutctl/r2.yaml:9: roles[0].monitor[0].password is empty: the server will refuse the login"],
    ],
  )
  assert.ok(!warnings.some((w) => w.message.includes("hunter2")))
})

test("duplicate keys in JSON are refused with their line, as YAML and TOML refuse them", () => {
  const json = '{\n  "server": {\n    "maxage": 15,\n    // again\n    "maxage": 30\n  },\n  "roles": [{ "hosts": "a", "role": "primary", "hosts": "b" }]\n}\n'
  assert.throws(
    () => parseNutctlConfig(json, { file: "n.json" }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.code === "CONFIG_SYNTAX" &&
      e.issues.map((i) => i.message).join("\n") === 'n.json:5: server.maxage is given twice (first on line 3); the second would silently win\nn.json:7: roles[0].hosts is given twice (first on line 7); the second would silently win',
  )
  // equal keys in different objects, and braces inside strings, are fine
  assert.doesNotThrow(() => parseNutctlConfig('{ "ups": { "x": { "driver": "usbhid", "desc": "}\\"{" }, "y": { "driver": "usbhid", "desc": "b" } } }', { file: "n.json" }))
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { findKeyLine } from "./key-line.ts"

const yaml = `# cluster
ups:
  rack:
    driver: usbhid
server: { listen: ["0.0.0.0:3493"], maxage: 15 }
roles:
- hosts: "truenas*"
  role: primary
  monitor: [rack@localhost]
- hosts:
    - pve-1
    - pve-2
  role: secondary
  monitor:
    - rack@10.0.0.1
    - { system: rack@10.0.0.2, user: mon }
`

test("findKeyLine() finds nested YAML keys and sequence items", () => {
  assert.equal(findKeyLine(yaml, ["ups", "rack", "driver"], "yaml"), 4)
  assert.equal(findKeyLine(yaml, ["roles", 0, "hosts"], "yaml"), 7)
  assert.equal(findKeyLine(yaml, ["roles", 1], "yaml"), 10)
  assert.equal(findKeyLine(yaml, ["roles", 1, "role"], "yaml"), 13)
  assert.equal(findKeyLine(yaml, ["roles", 1, "hosts", 1], "yaml"), 12)
  assert.equal(findKeyLine(yaml, ["roles", 1, "monitor", 1, "user"], "yaml"), 16)
})

test("findKeyLine() stops at flow collections and at the deepest key it found", () => {
  assert.equal(findKeyLine(yaml, ["server", "maxage"], "yaml"), 5)
  assert.equal(findKeyLine(yaml, ["roles", 0, "monitor", 0], "yaml"), 9)
  assert.equal(findKeyLine(yaml, ["roles", 0, "shutdown"], "yaml"), 7, "missing key: the line of roles[0]")
  assert.equal(findKeyLine(yaml, ["nothing"], "yaml"), undefined)
})

test("findKeyLine() does not leave the block of the parent key", () => {
  const text = "a:\n  x: 1\nb:\n  y: 2\n"
  assert.equal(findKeyLine(text, ["a", "y"], "yaml"), 1)
  assert.equal(findKeyLine(text, ["b", "y"], "yaml"), 4)
})

test("findKeyLine() walks JSON", () => {
  const json = '{\n  "ups": { "rack": { "driver": "x" } },\n  "roles": [\n    { "hosts": "a" },\n    {\n      "hosts": 42\n    }\n  ]\n}\n'
  assert.equal(findKeyLine(json, ["roles", 1, "hosts"], "json"), 6)
  assert.equal(findKeyLine(json, ["ups", "rack", "driver"], "json"), 2)
  assert.equal(findKeyLine(json, ["roles", 5], "json"), 3)
})

test("findKeyLine() finds TOML keys under tables and arrays of tables", () => {
  const toml = 'title = "x"\n[server]\nmaxage = 1\n\n[[roles]]\nhosts = "a"\n\n[[roles]]\nrole = "b"\nhosts = 1\n[ups.rack]\ndriver = "x"\n'
  assert.equal(findKeyLine(toml, ["server", "maxage"], "toml"), 3)
  assert.equal(findKeyLine(toml, ["roles", 1, "hosts"], "toml"), 10)
  assert.equal(findKeyLine(toml, ["roles", 0, "hosts"], "toml"), 6)
  assert.equal(findKeyLine(toml, ["ups", "rack", "driver"], "toml"), 12)
})

test("findKeyLine() does not take a key inside another key's flow mapping for a top-level key", () => {
  const lines = ["# cluster", "ups:", "  rack: { driver: usbhid }", "users:", "  mon: { password: { env: P }, upsmon: primary }", "executors:", "  command: { command: /bin/true }", "hook: {}", "http: {}", "server: {}", "# roles", "roles: [ { hosts: a, role: primary, shutdown: [command] } ]", "", "shutdown: { push: yes }", ""]
  const text = lines.join("\n")
  assert.equal(findKeyLine(text, ["shutdown", "push"], "yaml"), 14)
  assert.equal(findKeyLine(text, ["shutdown"], "yaml"), 14)
  assert.equal(findKeyLine(text, ["roles", 0, "shutdown"], "yaml"), 12)
  // an empty `shutdown:` on line 9, after a flow role on line 8
  const empty = ["ups:", "  rack: { driver: usbhid }", "users:", "  mon: { password: x, upsmon: primary }", "executors:", "  command: { command: /bin/true }", "hook: {}", "roles: [ { hosts: a, role: primary, shutdown: [command] } ]", "shutdown:", ""].join("\n")
  assert.equal(findKeyLine(empty, ["shutdown"], "yaml"), 9)
})

test("findKeyLine() takes only keys at the container's own indent, not deeper ones of the same name", () => {
  const text = ["roles:", "  - hosts: a", "    role: primary", "    shutdown:", "      - command", "shutdown:", "  push: yes", ""].join("\n")
  assert.equal(findKeyLine(text, ["shutdown", "push"], "yaml"), 7)
  assert.equal(findKeyLine(text, ["roles", 0, "shutdown"], "yaml"), 4)
  // a flow item: only its own keys, not those of mappings nested in it
  const flow = ["roles:", "  - { hosts: a, monitor: [{ system: x@y, user: mon }] }", "  - { hosts: b, user: z }", ""].join("\n")
  assert.equal(findKeyLine(flow, ["roles", 0, "user"], "yaml"), 2, "missing key: the line of roles[0]")
  assert.equal(findKeyLine(flow, ["roles", 1, "user"], "yaml"), 3)
  assert.equal(findKeyLine("server: { tls: { key: x }, maxage: 1 }\nkey: 2\n", ["key"], "yaml"), 2)
})

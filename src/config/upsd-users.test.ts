import { test } from "node:test"
import assert from "node:assert/strict"
import { fixture } from "../../test/support/fixture.ts"
import { ConfigError } from "./errors.ts"
import { parseUpsdUsers } from "./upsd-users.ts"

function rights(text: string) {
  return parseUpsdUsers(text).users.map((u) => ({ name: u.name, password: u.password, actions: [...u.actions].sort(), instcmds: [...u.instcmds].sort() }))
}

test("parseUpsdUsers() reads the sandbox users with NUT's meaning", () => {
  const { users, warnings } = parseUpsdUsers(fixture("nut-wire/sandbox-etc/upsd.users"))
  assert.deepEqual(warnings, [])
  const byName = new Map(users.map((u) => [u.name, u]))
  assert.deepEqual([...(byName.get("admin")?.actions ?? [])], ["set", "fsd"])
  assert.deepEqual([...(byName.get("admin")?.instcmds ?? [])], ["all"])
  assert.deepEqual([...(byName.get("monpri")?.actions ?? [])].sort(), ["fsd", "login", "master", "primary"])
  assert.deepEqual([...(byName.get("monsec")?.actions ?? [])], ["login"])
  assert.equal(byName.get("setonly")?.password, "pass words")
  assert.deepEqual([...(byName.get("setonly")?.instcmds ?? [])], ["beeper.enable"])
})

test("parseUpsdUsers() reads TrueNAS' upsmon master/slave users", () => {
  const { users } = parseUpsdUsers(fixture("truenas/nut-etc-example/upsd.users"))
  assert.deepEqual(
    users.map((u) => [u.name, u.password, [...u.actions].sort().join(" ")]),
    [
      ["upsmon", "fixmepass", "fsd login master primary"],
      ["monslave", "pvesecret", "login"],
    ],
  )
})

test("parseUpsdUsers() accepts upsmon = primary, several values per line and any key case", () => {
  assert.deepEqual(rights("[u]\n PASSWORD = p\n upsmon = PRIMARY\n Actions = SET FSD\n instcmds = Beeper.Enable beeper.disable\n instcmds = LOAD.OFF\n"), [
    { name: "u", password: "p", actions: ["fsd", "login", "master", "primary", "set"], instcmds: ["beeper.disable", "beeper.enable", "load.off"] },
  ])
})

test("parseUpsdUsers() grants only login to upsmon secondary, and primary wins over secondary", () => {
  assert.deepEqual(rights("[a]\n password = x\n upsmon secondary\n[b]\n password = y\n upsmon slave\n upsmon master\n").map((u) => u.actions), [
    ["login"],
    ["fsd", "login", "master", "primary"],
  ])
})

test("parseUpsdUsers() ignores duplicate sections and duplicate passwords", () => {
  const { users, warnings } = parseUpsdUsers("[a]\n password = one\n password = two\n[a]\n password = three\n actions = SET\n")
  assert.equal(users.length, 1)
  assert.equal(users[0]?.password, "one")
  assert.equal(users[0]?.actions.size, 0)
  assert.deepEqual(
    warnings.map((w) => w.line),
    [3, 4],
  )
  assert.match(warnings[1]?.message ?? "", /ignoring duplicate user a \(first defined on line 1\)/)
})

test("parseUpsdUsers() warns about unknown keys, allowfrom, bad upsmon types and users without password", () => {
  const { users, warnings } = parseUpsdUsers("password = orphan\n[a]\n colour = blue\n allowfrom = localhost\n upsmon boss\n")
  assert.equal(users[0]?.password, undefined)
  assert.deepEqual(
    warnings.map((w) => w.message),
    [
      "upsd.users:1: ignoring password outside a [user] section",
      "upsd.users:3: unrecognized user setting colour",
      "upsd.users:4: allowfrom in upsd.users is no longer used",
      "upsd.users:5: unknown upsmon type boss (expected primary or secondary)",
      "upsd.users:2: user a has no password and can never log in",
    ],
  )
})

test("parseUpsdUsers() reports an unescaped # in a quoted password with its line", () => {
  assert.throws(
    () => parseUpsdUsers('[a]\n password = "pa#ss"\n', "/etc/nut/upsd.users"),
    (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_SYNTAX" && e.file === "/etc/nut/upsd.users" && e.line === 2 && !e.message.includes("pa#ss"),
  )
})

test("parseUpsdUsers() refuses a [user header without its ] instead of giving its lines to the previous user", () => {
  const text = "[viewer]\n password = v\n upsmon secondary\n[admin\n password = a\n actions = SET FSD\n instcmds = ALL\n"
  assert.throws(
    () => parseUpsdUsers(text),
    (e: unknown) => e instanceof ConfigError && e.line === 4 && e.issues.length === 1 && e.message === 'upsd.users:4: "[admin" is not a section header (missing "]")',
  )
})

test("parseUpsdUsers() warns about an empty password without showing any password", () => {
  const { users, warnings } = parseUpsdUsers('[open]\n password = ""\n upsmon secondary\n[shut]\n password = s3cret\n')
  assert.equal(users[0]?.password, "")
  assert.deepEqual(
    warnings.map((w) => [w.line, w.key, w.message]),
    [[2, "password", "upsd.users:2: user open has an empty password: anyone who knows the name can log in"]],
  )
})

test("parseUpsdUsers() warns about unknown action names (upsd stores them and grants nothing)", () => {
  const { users, warnings } = parseUpsdUsers("[admin]\n password = a\n actions = SET FDS\n actions = fsd login\n")
  assert.deepEqual(warnings.map((w) => w.message), ["upsd.users:3: unknown action FDS (expected SET or FSD)"])
  assert.deepEqual([...(users[0]?.actions ?? [])].sort(), ["fds", "fsd", "login", "set"])
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { defineCommand, type ArgsDef } from "citty"
import { argProblem, checkArgv } from "./_argv-check.ts"

const setArgs: ArgsDef = {
  target: { type: "positional", required: true },
  assignment: { type: "positional", required: false },
  user: { type: "string", alias: "u" },
  "password-file": { type: "string" },
  "data-dir": { type: "string", alias: ["state-dir"] },
  wait: { type: "boolean", default: true },
  http: { type: "string" },
  list: { type: "boolean", alias: "l" },
  json: { type: "boolean" },
}

test("argProblem() accepts what citty understands: values, =, negations, aliases, bundles, --, negative numbers", () => {
  for (const args of [
    ["rack@host", "battery.charge.low=20", "-u", "admin", "--password-file", "/etc/pw", "--no-wait"],
    ["rack@host", "--user=admin", "--no-http", "-l"],
    ["rack@host", "-lu", "admin", "--passwordFile", "/etc/pw"],
    ["rack@host", "-1"],
    ["rack@host", "--state-dir", "/var/lib/nutctl"],
    ["--json", "--", "-rack-"],
  ]) {
    assert.equal(argProblem(setArgs, args), undefined, args.join(" "))
  }
})

test("argProblem() names an unknown option and surplus arguments", () => {
  assert.equal(argProblem(setArgs, ["rack@host", "--no-wiat"]), "Unknown option --no-wiat")
  assert.equal(argProblem(setArgs, ["rack@host", "--bogus=1"]), "Unknown option --bogus")
  assert.equal(argProblem(setArgs, ["rack@host", "-x"]), "Unknown option -x")
  assert.equal(argProblem(setArgs, ["rack@host", "-lx"]), "Unknown option -x")
  assert.equal(argProblem(setArgs, ["a", "b", "c", "d"]), "Unexpected arguments: c d")
  // a value flag's value is not a positional
  assert.equal(argProblem(setArgs, ["a", "-u", "admin", "b", "c"]), "Unexpected argument: c")
})

test("checkArgv() walks subcommands, and an unknown one is a problem", async () => {
  const leaf = defineCommand({ meta: { name: "check" }, args: { config: { type: "string" } }, run() {} })
  const config = defineCommand({ meta: { name: "config" }, subCommands: { check: leaf } })
  const root = defineCommand({ meta: { name: "nutctl" }, subCommands: { config: () => Promise.resolve(config) } })
  const ok = await checkArgv(root, ["config", "check", "--config", "/etc/nutctl.yaml"])
  assert.equal(ok.problem, undefined)
  assert.equal(ok.command, leaf)
  assert.equal(ok.parent, config)
  assert.equal((await checkArgv(root, ["config", "chekc"])).problem, "Unknown command chekc")
  assert.equal((await checkArgv(root, ["nosuch"])).problem, "Unknown command nosuch")
  assert.equal((await checkArgv(root, ["config", "check", "--confg", "x"])).problem, "Unknown option --confg")
  assert.equal((await checkArgv(root, ["config", "check", "--help"])).problem, undefined)
})

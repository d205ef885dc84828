/** The node: capabilities: POWERDOWNFLAG bytes and mode as upsmon's fopen("w") leaves them, NOTIFYCMD's environment. */
import assert from "node:assert/strict"
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { POWERDOWNFLAG_CONTENT, clearPowerDownFlag, nodeFlagFile, nodeShellRunner, powerDownFlagStatus, writePowerDownFlag } from "./index.ts"

const dir = mkdtempSync(join(tmpdir(), "nutctl-node-io-"))
after(() => rmSync(dir, { recursive: true, force: true }))

test("writePowerDownFlag() on nodeFlagFile writes exactly upsmon's 20 bytes, mode 0666 less the umask", async () => {
  const flag = join(dir, "killpower")
  writeFileSync(flag, "something longer that gets truncated\n")
  await writePowerDownFlag(nodeFlagFile, flag)
  assert.deepEqual(readFileSync(flag), Buffer.from("upsmon-shutdown-file", "latin1"))
  assert.equal(POWERDOWNFLAG_CONTENT.length, 20)
  const umask = process.umask()
  assert.equal(statSync(flag).mode & 0o777, 0o666 & ~umask)
  assert.equal(await powerDownFlagStatus(nodeFlagFile, flag), "set")
  assert.equal(await clearPowerDownFlag(nodeFlagFile, flag), "set")
  assert.equal(await powerDownFlagStatus(nodeFlagFile, flag), "absent")
})

test("powerDownFlagStatus() accepts the magic followed by anything (upsmon compares the prefix), and nothing else", async () => {
  const flag = join(dir, "prefix")
  writeFileSync(flag, "upsmon-shutdown-file\n")
  assert.equal(await powerDownFlagStatus(nodeFlagFile, flag), "set")
  writeFileSync(flag, "upsmon-shutdown")
  assert.equal(await powerDownFlagStatus(nodeFlagFile, flag), "foreign")
  assert.equal(await clearPowerDownFlag(nodeFlagFile, flag), "foreign")
  assert.equal(readFileSync(flag, "utf8"), "upsmon-shutdown", "a foreign file is left alone")
})

test("nodeShellRunner() adds the notification's variables to the given environment", async () => {
  const out = join(dir, "env")
  const run = nodeShellRunner({ PATH: process.env.PATH, KEEP: "yes" })
  const result = await run(`printf '%s %s %s' "$NOTIFYTYPE" "$UPSNAME" "$KEEP" > '${out}'; exit 4`, { NOTIFYTYPE: "ONBATT", UPSNAME: "ups@host" })
  assert.deepEqual(result, { exitCode: 4 })
  assert.equal(readFileSync(out, "utf8"), "ONBATT ups@host yes")
})

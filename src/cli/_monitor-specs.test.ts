/**
 * The reload key of the cluster monitor: SIGHUP rebuilds the monitor when anything it is built from
 * changed, and a password file rewritten in place is such a change even though the config is not.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { createConsola } from "consola"
import { memoryConfigFs, parseNutctlConfig } from "../config/index.ts"
import { clusterRole } from "./_cluster-monitor.ts"
import { clusterSpec, secretDigests } from "./_monitor-specs.ts"

const log = createConsola({ level: -999 })

const YAML = `
ups:
  rack: { driver: dummy, port: rack.dev }
users:
  monsec: { password: { file: /etc/nutctl/monsec.pw }, upsmon: secondary }
  admin: { password: { env: ADMIN_PW }, actions: [set] }
roles:
  - { hosts: "pve-*", role: secondary, monitor: ["rack@127.0.0.1:3493"], shutdown: [marker] }
executors:
  marker: { type: command, command: "true" }
`
const loaded = parseNutctlConfig(YAML, { file: "/etc/nutctl/nutctl.yaml" })

async function keyWith(password: string | undefined, adminPw = "adm1n"): Promise<string> {
  const fs = memoryConfigFs(password === undefined ? {} : { "/etc/nutctl/monsec.pw": password })
  const spec = await clusterSpec({ cluster: clusterRole(loaded, "pve-1"), log, dryRun: true, wall: false, env: (n) => (n === "ADMIN_PW" ? adminPw : undefined), fs })
  return spec.key
}

test("a password file rewritten in place changes the key; the same content keeps it", async () => {
  const before = await keyWith("s3cret\n")
  assert.equal(await keyWith("s3cret\n"), before, "nothing changed: SIGHUP leaves the monitor alone")
  assert.notEqual(await keyWith("rotated\n"), before, "a rotated password: SIGHUP rebuilds the monitor")
  assert.notEqual(await keyWith("s3cret\n", "other"), before, "an environment secret counts too")
})

test("the key holds digests, never a secret's value", async () => {
  const key = await keyWith("s3cret-value\n", "adm1n-value")
  assert.ok(!key.includes("s3cret-value"))
  assert.ok(!key.includes("adm1n-value"))
  assert.match(key, /[0-9a-f]{64}/)
})

test("a secret that cannot be read is 'missing' in the key, not an error (building the monitor reports it)", async () => {
  const key = await keyWith(undefined)
  assert.match(key, /"missing"/)
  assert.notEqual(key, await keyWith("s3cret\n"))
})

test("secretDigests finds references at any depth, once each", async () => {
  const fs = memoryConfigFs({ "/a": "A" })
  const d = await secretDigests({ x: [{ file: "/a" }, { y: { file: "/a" } }], z: { env: "E" }, plain: "pw" }, () => undefined, fs)
  assert.deepEqual(Object.keys(d), ['{"env":"E"}', '{"file":"/a"}'])
  assert.equal(d['{"env":"E"}'], "missing")
  assert.equal(d['{"file":"/a"}']?.length, 64)
})

import assert from "node:assert/strict"
import { test } from "node:test"
import { configureExecutor, ExecutorConfigError } from "../../src/shutdown/index.ts"
import proxmox from "./index.ts"

const TOKEN = "root@pam!nutctl=5d1f0c2e-8b7a-4c3d-9e6f-a1b2c3d4e5f6"

test("proxmoxConfigSchema fills PVE's defaults and reads durations in seconds or with units", async () => {
  const c = await configureExecutor(proxmox, { token: TOKEN, guestTimeout: "3m", pollInterval: 5, fingerprint: "aa:".repeat(31) + "aa" }, "t")
  assert.equal(c.url, "https://127.0.0.1:8006")
  assert.equal(c.guestTimeout, 180_000)
  assert.equal(c.pollInterval, 5000)
  assert.equal(c.fingerprint, "AA:".repeat(31) + "AA")
  assert.deepEqual([c.ha, c.scope, c.forceAfter, c.concurrency, c.localFallback, c.skipLock], ["auto", "cluster", true, 8, true, false])
})

test("proxmoxConfigSchema names the key and what it expects", async () => {
  await assert.rejects(configureExecutor(proxmox, { token: "root@pam!nutctl=NOT-A-UUID", ha: "shuffle", fingerprint: "AA:BB" }, "nutctl.yaml executors.proxmox"), (e: unknown) => {
    assert.ok(e instanceof ExecutorConfigError)
    assert.deepEqual(e.issues.map((i) => i.key).sort(), ["fingerprint", "ha", "token"])
    assert.match(e.message, /token: USER@REALM!TOKENID=SECRET with the secret a lowercase UUID/)
    return true
  })
  await assert.rejects(configureExecutor(proxmox, { token: TOKEN, url: "ftp://x" }, "t"), /url: an http\(s\):\/\/ URL/)
})

test("proxmoxConfigSchema: ceph is auto by default, off, or a list of PVE's flag names", async () => {
  assert.equal((await configureExecutor(proxmox, { token: TOKEN }, "t")).ceph, "auto")
  assert.equal((await configureExecutor(proxmox, { token: TOKEN, ceph: "off" }, "t")).ceph, "off")
  assert.deepEqual((await configureExecutor(proxmox, { token: TOKEN, ceph: ["noout", "norebalance"] }, "t")).ceph, ["noout", "norebalance"])
  await assert.rejects(configureExecutor(proxmox, { token: TOKEN, ceph: ["noout", "no-out"] }, "nutctl.yaml executors.proxmox"), /ceph/)
  await assert.rejects(configureExecutor(proxmox, { token: TOKEN, ceph: [] }, "t"), /ceph/)
  await assert.rejects(configureExecutor(proxmox, { token: TOKEN, ceph: true }, "t"), /ceph: auto, off, or a list of Ceph flags/)
})

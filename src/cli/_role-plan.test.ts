import assert from "node:assert/strict"
import { test } from "node:test"
import { memoryConfigFs } from "../config/index.ts"
import { runConfigCheck } from "./config.ts"

const CONFIG = [
  "users:",
  "  mon: { password: pw, upsmon: secondary }",
  "roles:",
  "  - { name: nas, hosts: truenas, role: primary, monitor: [rack@localhost], shutdown: [truenas] }",
  "  - { name: compute, hosts: 'pve-*', role: secondary, monitor: [rack@truenas], shutdown: [shutdowncmd, nas-local] }",
  "executors:",
  "  truenas: { url: 'wss://nas.lan', apiKey: { file: /etc/nutctl/truenas.key } }",
  "  shutdowncmd: { type: command, command: '/sbin/shutdown -h +0' }",
  "  nas-local: { type: nope }",
].join("\n")

async function check(hostname: string, files: Record<string, string> = {}) {
  const out: string[] = []
  const err: string[] = []
  const code = await runConfigCheck(
    { config: "/etc/nutctl/nutctl.yaml", hostname },
    { fs: memoryConfigFs({ "/etc/nutctl/nutctl.yaml": { text: CONFIG, mode: 0o600 }, ...files }), env: () => undefined, localHostname: "truenas", out: (l) => out.push(l), err: (l) => err.push(l) },
  )
  return { code, out: out.join("\n"), err: err.join("\n") }
}

test("config check --hostname shows the primary's resolved plan with its steps and the point of no return", async () => {
  const r = await check("truenas", { "/etc/nutctl/truenas.key": "1-secret" })
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /plan: 4 steps, about .*; point of no return: truenas\/poweroff/)
  assert.match(r.out, /1\. truenas\/wait-secondaries +~15m00s \(timeout\) +Wait until the secondaries logged out/)
  assert.match(r.out, /2\. truenas\/poweroff +⚑ ~2\.0s \(estimate\) +Power off TrueNAS at nas\.lan \(system\.shutdown\)/)
  assert.match(r.out, /3\. truenas\/wait-off .*~45s \(estimate\) +Wait until TrueNAS at nas\.lan stops answering/)
  assert.match(r.out, /4\. truenas\/kill-power .*INSTCMD shutdown\.return/)
  assert.doesNotMatch(r.out, /1-secret/)
})

test("config check --hostname reports an executor plugin this build lacks, and plans the others", async () => {
  const r = await check("pve-7")
  assert.equal(r.code, 1)
  assert.match(r.err, /executors\.nas-local: Cannot load executor nas-local: this nutctl has no executor plugin nope \(built in: command, proxmox, truenas/)
  assert.match(r.out, /1\. shutdowncmd\/shutdowncmd ⚑ ~2m00s \(timeout\) +Run \/sbin\/shutdown -h \+0/)
})

test("config check notes a primary's secret that is not on this machine without failing another host's check", async () => {
  const r = await check("truenas")
  assert.equal(r.code, 1, "on this machine a missing secret is an error (the secret check says so)")
  assert.match(r.out, /executor truenas: not planned \(a secret is missing/)
})

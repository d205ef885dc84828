import { test } from "node:test"
import assert from "node:assert/strict"
import { fixture, fixturePath } from "../../test/support/fixture.ts"
import { memoryConfigFs, nodeConfigFs, type ConfigFs } from "../config/index.ts"
import { runConfigCheck, type ConfigCheckOptions } from "./config.ts"
import { DEFAULT_CLUSTER_CONFIG } from "./_paths.ts"

const CLUSTER = [
  "ups:",
  "  rack: { driver: usbhid, desc: APC }",
  "users:",
  "  pri: { password: { file: /etc/nutctl/pri.pw }, upsmon: primary }",
  "  mon: { password: { env: MON_PW }, upsmon: secondary }",
  "roles:",
  "  - { name: nas, hosts: 'truenas*', role: primary, monitor: [rack@localhost], shutdown: [truenas] }",
  "  - { name: compute, hosts: ['pve-compute-*'], role: secondary, monitor: [rack@truenas], shutdown: [proxmox] }",
  "executors:",
  "  truenas: { url: 'wss://truenas.lan', apiKey: { file: /etc/nutctl/truenas.key } }",
  "  proxmox: { token: { env: PVE_TOKEN } }",
].join("\n")

async function check(options: ConfigCheckOptions, io: { fs: ConfigFs; env?: Record<string, string>; host?: string }) {
  const out: string[] = []
  const err: string[] = []
  const code = await runConfigCheck(options, {
    fs: io.fs,
    env: (n) => io.env?.[n],
    localHostname: io.host ?? "truenas",
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  })
  return { code, out: out.join("\n"), err: err.join("\n") }
}

const clusterFs = (extra: Record<string, string | { text: string; mode: number }> = {}) =>
  memoryConfigFs({ "/etc/nutctl/nutctl.yaml": { text: CLUSTER, mode: 0o600 }, ...extra })

test("runConfigCheck() validates the default config and shows every role pattern", async () => {
  const r = await check({ hostname: "laptop" }, { fs: clusterFs() })
  assert.equal(r.code, 0)
  assert.match(r.out, new RegExp(`^${DEFAULT_CLUSTER_CONFIG} \\(yaml\\): valid`))
  assert.match(r.out, /nas {6}primary {4}truenas\*/)
  assert.match(r.out, /compute {2}secondary {2}pve-compute-\*/)
  assert.match(r.out, /host laptop: no role matches; only read-only commands/)
})

test("runConfigCheck() shows the role of another host without resolving its secrets", async () => {
  const r = await check({ hostname: "pve-compute-02" }, { fs: clusterFs() })
  assert.equal(r.code, 0)
  assert.match(r.out, /host pve-compute-02: role compute \(secondary, matched "pve-compute-\*"\)/)
  assert.match(r.out, /monitor rack@truenas \(power 1\) as mon/)
  assert.match(r.out, /shutdown: proxmox/)
  assert.match(r.out, /secrets: not checked \(pve-compute-02 is not this machine\)/)
})

test("runConfigCheck() resolves this machine's secrets and fails when one is missing", async () => {
  const ok = await check({}, { fs: clusterFs({ "/etc/nutctl/pri.pw": "p\n", "/etc/nutctl/truenas.key": "1-k" }), env: { MON_PW: "m" }, host: "truenas.lan" })
  assert.equal(ok.code, 0, ok.err)
  assert.match(ok.out, /host truenas\.lan: role nas/)
  assert.match(ok.out, /server: 1 UPS, 2 users, listen 127\.0\.0\.1:3493, \[::1\]:3493/)
  assert.match(ok.out, /secrets: resolved/)

  const missing = await check({}, { fs: clusterFs({ "/etc/nutctl/pri.pw": "p\n" }), host: "truenas" })
  assert.equal(missing.code, 1)
  assert.match(missing.err, /error: \/etc\/nutctl\/nutctl\.yaml: users\.mon\.password: environment variable MON_PW is not set/)
  assert.match(missing.err, /Cannot read \/etc\/nutctl\/truenas\.key: no such file \(executors\.truenas\.apiKey/)
  assert.match(missing.out, /secrets: 2 missing/)
})

test("runConfigCheck() prefers --config, then $NUTCTL_CONFIG", async () => {
  const fs = memoryConfigFs({ "/srv/a.yaml": "roles: []\n", "/srv/b.toml": "[server]\nmaxage = 'x'\n" })
  assert.equal((await check({ config: "/srv/a.yaml" }, { fs })).code, 0)
  const bad = await check({}, { fs, env: { NUTCTL_CONFIG: "/srv/b.toml" } })
  assert.equal(bad.code, 1)
  assert.equal(bad.err, 'error: /srv/b.toml:2: server.maxage expects a whole number of seconds, got "x"')
})

test("runConfigCheck() fails with the file name when the config is missing", async () => {
  const r = await check({}, { fs: memoryConfigFs({}) })
  assert.equal(r.code, 1)
  assert.equal(r.err, `error: Cannot read ${DEFAULT_CLUSTER_CONFIG}: no such file`)
})

test("runConfigCheck() --nut-config checks a NUT directory alone", async () => {
  const r = await check({ nutConfig: fixturePath("truenas/nut-etc-example") }, { fs: nodeConfigFs })
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /\(NUT config, MODE=netserver\): valid/)
  assert.match(r.out, /ups: ups \(usbhid-ups, port auto\)/)
  assert.match(r.out, /upsd: listen 0\.0\.0\.0:3493, \[::0\]:3493, MAXAGE 15/)
  assert.match(r.out, /users: upsmon \(upsmon primary\), monslave \(upsmon secondary\)/)
  assert.match(r.out, /upsmon: MONITOR ups@localhost:3493 as upsmon \(primary, power 1\)/)
})

test("runConfigCheck() --nut-config reports a bad NUT file with file, line and key", async () => {
  const fs = memoryConfigFs({ "/etc/nut/ups.conf": fixture("nut-wire/sandbox-etc/ups.conf"), "/etc/nut/upsd.conf": "LISTEN 127.0.0.1\nMAXAGE soon\n" })
  const r = await check({ nutConfig: "/etc/nut" }, { fs })
  assert.equal(r.code, 1)
  assert.match(r.err, /error: \/etc\/nut\/upsd\.conf:2: MAXAGE expects a number of seconds, got "soon"/)
})

test("runConfigCheck() --nut-config shows why no UPS is left: every section's warning with its line", async () => {
  const fs = memoryConfigFs({ "/etc/nut/ups.conf": "[a]\n driver = dummy-ups\n[b]\n port = b.dev\n", "/etc/nut/upsd.conf": "", "/etc/nut/upsd.users": { text: "[m]\n password = p\n", mode: 0o600 } })
  const r = await check({ nutConfig: "/etc/nut" }, { fs })
  assert.equal(r.code, 1)
  assert.match(r.err, /warning: \/etc\/nut\/ups\.conf:1: ignoring incomplete configuration for UPS \[a\]: no port\n/)
  assert.match(r.err, /warning: \/etc\/nut\/ups\.conf:3: ignoring incomplete configuration for UPS \[b\]: no driver\n/)
  assert.match(r.err, /error: \/etc\/nut\/ups\.conf: expects at least one complete \[ups\] section/)
})

test("runConfigCheck() --nut-config reports a missing dummy-ups data file with ups.conf's port line", async () => {
  const fs = memoryConfigFs({ "/etc/nut/ups.conf": "[rack]\n driver = dummy-ups\n port = missing.dev\n", "/etc/nut/upsd.conf": "", "/etc/nut/upsd.users": { text: "[m]\n password = p\n", mode: 0o600 } })
  const r = await check({ nutConfig: "/etc/nut" }, { fs })
  assert.equal(r.code, 1)
  assert.equal(r.err, "error: /etc/nut/ups.conf:3: port: dummy-ups data file /etc/nut/missing.dev: no such file (the driver of [rack] cannot start without it)")
})

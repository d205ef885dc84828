import { test } from "node:test"
import assert from "node:assert/strict"
import { monitorLogin } from "./monitor-login.ts"
import { parseNutctlConfig } from "./nutctl-load.ts"

test("monitorLogin() takes the entry's user, else the first user whose upsmon matches the role", () => {
  const { config } = parseNutctlConfig(
    [
      "users:",
      "  admin: { password: a, actions: [SET] }",
      "  pri: { password: { file: /pri.pw }, upsmon: primary }",
      "  sec: { password: s, upsmon: secondary }",
      "roles:",
      "  - { hosts: nas, role: primary, monitor: [rack@localhost] }",
      "  - { hosts: pve-*, role: secondary, monitor: [rack@nas, { system: rack@nas2, user: admin, password: { env: X } }] }",
      "  - { hosts: lone, role: secondary, monitor: [{ system: r@h, user: ghost }] }",
    ].join("\n"),
    { file: "n.yaml" },
  )
  const [nas, pve, lone] = config.roles
  assert.ok(nas && pve && lone)
  assert.deepEqual(monitorLogin(config, nas, nas.monitor[0]!), { user: "pri", password: { file: "/pri.pw" } })
  assert.deepEqual(monitorLogin(config, pve, pve.monitor[0]!), { user: "sec", password: "s" })
  assert.deepEqual(monitorLogin(config, pve, pve.monitor[1]!), { user: "admin", password: { env: "X" } })
  assert.deepEqual(monitorLogin(config, lone, lone.monitor[0]!), { user: "ghost", password: undefined })
})

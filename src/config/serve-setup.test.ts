import { test } from "node:test"
import assert from "node:assert/strict"
import { fixture } from "../../test/support/fixture.ts"
import { ConfigError } from "./errors.ts"
import { memoryConfigFs } from "./fs.ts"
import { parseNutctlConfig } from "./nutctl-load.ts"
import { buildServeSetup } from "./serve-setup.ts"
import { parseUpsdUsers } from "./upsd-users.ts"

const FILE = "/etc/nutctl/nutctl.yaml"

test("buildServeSetup() builds the same users as the equivalent upsd.users", async () => {
  const loaded = parseNutctlConfig(
    [
      "ups:",
      "  crit: { driver: dummy, port: crit.dev, desc: crit test }",
      "users:",
      "  admin: { password: adminpass, actions: [SET, FSD], instcmds: [ALL] }",
      "  monpri: { password: { env: PRI }, upsmon: primary }",
      "  monsec: { password: { file: /etc/nutctl/monsec.pw }, upsmon: secondary }",
      '  setonly: { password: "pass words", actions: set, instcmds: beeper.enable }',
    ].join("\n"),
    { file: FILE },
  )
  const setup = await buildServeSetup(loaded, { env: (n) => (n === "PRI" ? "pripass" : undefined), fs: memoryConfigFs({ "/etc/nutctl/monsec.pw": "secpass\n" }) })
  const nut = parseUpsdUsers(fixture("nut-wire/sandbox-etc/upsd.users")).users
  assert.deepEqual(setup.users, nut)
  assert.deepEqual(setup.ups, [{ name: "crit", driver: "dummy-ups", port: "crit.dev", desc: "crit test", params: {}, baseDir: "/etc/nutctl" }])
  assert.deepEqual(setup.server.listen, [
    { host: "127.0.0.1", port: 3493 },
    { host: "::1", port: 3493 },
  ])
  assert.equal(setup.allowNoDevice, false)
})

test("buildServeSetup() maps server settings, * listen and a CERTFILE-style PEM", async () => {
  const loaded = parseNutctlConfig(
    "server:\n  listen: '*:3493'\n  allow: [10.0.0.0/8]\n  maxage: 30\n  maxconn: 10\n  trackingdelay: 60\n  allowNoDevice: true\n  tls: { certfile: upsd.pem, disableWeak: true }\n",
    { file: FILE },
  )
  const setup = await buildServeSetup(loaded, { env: () => undefined, fs: memoryConfigFs({ "/etc/nutctl/upsd.pem": fixture("tls/upsd.pem") }) })
  assert.deepEqual(setup.server.listen, [
    { host: "0.0.0.0", port: 3493 },
    { host: "::", port: 3493 },
  ])
  assert.deepEqual(setup.server.allow, ["10.0.0.0/8"])
  assert.deepEqual([setup.server.maxAge, setup.server.maxConn, setup.server.trackingDelay, setup.allowNoDevice], [30, 10, 60, true])
  assert.equal(setup.server.tls?.disableWeak, true)
  assert.equal(setup.server.tls?.key.trim(), fixture("tls/key.pem").trim())
})

test("buildServeSetup() resolves separate cert and key secrets", async () => {
  const loaded = parseNutctlConfig("server:\n  tls: { cert: { file: /c.pem }, key: { file: /k.pem } }\n", { file: FILE })
  const setup = await buildServeSetup(loaded, { env: () => undefined, fs: memoryConfigFs({ "/c.pem": fixture("tls/cert.pem"), "/k.pem": fixture("tls/key.pem") }) })
  assert.equal(setup.server.tls?.cert, fixture("tls/cert.pem").replace(/\n$/, ""))
})

test("buildServeSetup() reports every secret it cannot resolve", async () => {
  const loaded = parseNutctlConfig("users:\n  a: { password: { env: A } }\n  b: { password: { file: /b.pw } }\n", { file: FILE })
  await assert.rejects(buildServeSetup(loaded, { env: () => undefined, fs: memoryConfigFs({}) }), (e: unknown) => {
    assert.ok(e instanceof ConfigError)
    assert.deepEqual(
      e.issues.map((i) => [i.code, i.key]),
      [
        ["CONFIG_SECRET", "users.a.password"],
        ["CONFIG_SECRET", "users.b.password"],
      ],
    )
    return true
  })
})

test("buildServeSetup() treats an empty password (literal, file or variable) as none: the user can never log in", async () => {
  const loaded = parseNutctlConfig('users:\n  a: { password: "" }\n  b: { password: { file: /etc/nutctl/b.pw } }\n  c: { password: { env: C } }\n  d: { password: { env: D } }\n', { file: FILE })
  const setup = await buildServeSetup(loaded, { env: (n) => (n === "C" ? "" : n === "D" ? "dpass" : undefined), fs: memoryConfigFs({ "/etc/nutctl/b.pw": "\n" }) })
  assert.deepEqual(setup.users.map((u) => [u.name, u.password]), [
    ["a", undefined],
    ["b", undefined],
    ["c", undefined],
    ["d", "dpass"],
  ])
  assert.deepEqual(setup.warnings.map((w) => w.message), [
    `${FILE}:2: users.a.password is empty: the user can never log in`,
    `${FILE}: users.b.password: file /etc/nutctl/b.pw is empty: the user can never log in`,
    `${FILE}: users.c.password: environment variable C is empty: the user can never log in`,
  ])
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { ConfigError } from "./errors.ts"
import { memoryConfigFs } from "./fs.ts"
import { parseNutctlConfig } from "./nutctl-load.ts"
import { isSecretRef, literalSecrets, resolveSecret, resolveSecrets, type SecretSources } from "./secrets.ts"
import type { ConfigWarning } from "./types.ts"

function sources(files: Parameters<typeof memoryConfigFs>[0], env: Record<string, string> = {}): SecretSources & { warnings: ConfigWarning[] } {
  const warnings: ConfigWarning[] = []
  return { env: (n) => env[n], fs: memoryConfigFs(files), warn: (w) => warnings.push(w), warnings }
}
const place = { file: "nutctl.yaml", key: "users.mon.password" }

test("resolveSecret() returns literals, env values and file contents without the trailing newline", async () => {
  const src = sources({ "/etc/nutctl/mon.pw": "s3cret\n" }, { MON_PW: "from-env" })
  assert.equal(await resolveSecret("literal", src, place), "literal")
  assert.equal(await resolveSecret({ env: "MON_PW" }, src, place), "from-env")
  assert.equal(await resolveSecret({ file: "/etc/nutctl/mon.pw" }, src, place), "s3cret")
  assert.deepEqual(src.warnings, [])
})

test("resolveSecret() names the variable or file and the key, never a value", async () => {
  const src = sources({})
  await assert.rejects(resolveSecret({ env: "PVE_TOKEN" }, src, place), (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_SECRET" && e.message === "nutctl.yaml: users.mon.password: environment variable PVE_TOKEN is not set")
  await assert.rejects(
    resolveSecret({ file: "/etc/nutctl/none.pw" }, src, place),
    (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_SECRET" && e.message === "Cannot read /etc/nutctl/none.pw: no such file (users.mon.password in nutctl.yaml)",
  )
})

test("resolveSecret() warns when a secret file is readable by others", async () => {
  const src = sources({ "/k": { text: "key", mode: 0o644 } })
  await resolveSecret({ file: "/k" }, src, place)
  assert.equal(src.warnings[0]?.key, "users.mon.password")
  assert.match(src.warnings[0]?.message ?? "", /^\/k holds passwords and is world-accessible/)
})

test("resolveSecrets() replaces every reference in an executor's settings", async () => {
  const src = sources({ "/etc/nutctl/truenas.key": "1-abc\n" }, { PVE_TOKEN: "root@pam!nutctl=uuid" })
  const out = await resolveSecrets({ url: "https://x", token: { env: "PVE_TOKEN" }, nested: [{ apiKey: { file: "/etc/nutctl/truenas.key" } }], count: 4 }, src, { file: "f", key: "executors.x" })
  assert.deepEqual(out, { url: "https://x", token: "root@pam!nutctl=uuid", nested: [{ apiKey: "1-abc" }], count: 4 })
  await assert.rejects(resolveSecrets({ a: [{ t: { env: "NOPE" } }] }, src, { file: "f", key: "executors.x" }), /executors\.x\.a\[0\]\.t: environment variable NOPE is not set/)
})

test("isSecretRef() only matches { env } and { file } alone", () => {
  assert.equal(isSecretRef({ env: "A" }), true)
  assert.equal(isSecretRef({ file: "/a" }), true)
  assert.equal(isSecretRef({ env: "A", file: "/a" }), false)
  assert.equal(isSecretRef({ env: 1 }), false)
  assert.equal(isSecretRef("x"), false)
})

test("literalSecrets() lists literal passwords, TLS keys and executor secrets", () => {
  const { config } = parseNutctlConfig(
    [
      "users:",
      "  a: { password: lit }",
      "  b: { password: { env: B } }",
      "server:",
      "  tls: { cert: CERT, key: KEY }",
      "roles:",
      "  - hosts: x",
      "    role: secondary",
      "    monitor: [{ system: r@h, user: a, password: p }]",
      "executors:",
      "  proxmox: { url: u, token: t, tokenFile: { file: /f } }",
    ].join("\n"),
    { file: "n.yaml" },
  )
  assert.deepEqual(literalSecrets(config), [
    ["users", "a", "password"],
    ["server", "tls", "key"],
    ["roles", 0, "monitor", 0, "password"],
    ["executors", "proxmox", "token"],
  ])
})

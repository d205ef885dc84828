import { test } from "node:test"
import assert from "node:assert/strict"
import { fixture } from "../../test/support/fixture.ts"
import { ConfigError } from "./errors.ts"
import { tlsFromPem } from "./pem.ts"

test("tlsFromPem() splits upsd's CERTFILE bundle into certificate and key", () => {
  const tls = tlsFromPem(fixture("tls/upsd.pem"), "upsd.pem")
  assert.equal(tls.cert.trim(), fixture("tls/cert.pem").trim())
  assert.equal(tls.key.trim(), fixture("tls/key.pem").trim())
  assert.equal(tls.disableWeak, undefined)
})

test("tlsFromPem() refuses a file without a key, and never quotes the file", () => {
  assert.throws(
    () => tlsFromPem(fixture("tls/cert.pem"), "/etc/nut/upsd.pem"),
    (e: unknown) => e instanceof ConfigError && e.key === "CERTFILE" && e.message === "/etc/nut/upsd.pem: CERTFILE expects a PEM file that also holds the PRIVATE KEY",
  )
  assert.throws(() => tlsFromPem(fixture("tls/key.pem"), "k.pem"), /CERTIFICATE block/)
  assert.throws(() => tlsFromPem(fixture("tls/cert.pem") + "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n-----END ENCRYPTED PRIVATE KEY-----\n", "e.pem"), /unencrypted private key/)
})

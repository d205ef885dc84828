/**
 * upsd's CERTFILE (OpenSSL builds) is one PEM file with the certificate chain and the private
 * key; split it into the two halves TLS APIs want.
 */
import { configIssue, ConfigError } from "./errors.ts"
import type { TlsSettings } from "../server/index.ts"

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g

/**
 * Split a PEM bundle into TlsSettings.
 * @param file the PEM file, for messages (its content never appears in one)
 * @throws ConfigError when the certificate or the key is missing, or the key is encrypted
 */
export function tlsFromPem(pem: string, file: string, disableWeak = false): TlsSettings {
  const certs: string[] = []
  const keys: string[] = []
  let encrypted = false
  for (const m of pem.matchAll(BLOCK)) {
    const label = m[1] ?? ""
    if (label === "CERTIFICATE") certs.push(m[0])
    else if (label === "ENCRYPTED PRIVATE KEY") encrypted = true
    else if (label.endsWith("PRIVATE KEY")) keys.push(m[0])
  }
  const fail = (expected: string): never => {
    throw new ConfigError([configIssue({ file, key: "CERTFILE", expected, message: `${file}: CERTFILE expects ${expected}` })])
  }
  if (certs.length === 0) fail("a PEM file with a CERTIFICATE block")
  // upsd never asks for a key passphrase either, so an encrypted key cannot work there.
  if (keys.length === 0) fail(encrypted ? "an unencrypted private key (this one is encrypted)" : "a PEM file that also holds the PRIVATE KEY")
  const key = keys[0] as string
  return { cert: certs.join("\n") + "\n", key: key + "\n", ...(disableWeak ? { disableWeak } : {}) }
}

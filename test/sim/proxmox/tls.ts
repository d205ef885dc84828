/**
 * Throw-away certificates for the HTTPS simulator, made like a PVE cluster's: a cluster CA
 * ("Proxmox Virtual Environment") signing a node certificate whose SANs cover localhost and
 * 127.0.0.1. Uses the openssl CLI (test-only; Node cannot issue certificates by itself).
 */
import { execFileSync } from "node:child_process"
import { X509Certificate } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A CA and a leaf signed by it, with the leaf's SHA-256 fingerprint in PVE's `AA:BB:…` form. */
export interface SimCertificates {
  readonly caPem: string
  readonly key: string
  readonly cert: string
  readonly fingerprint: string
}

/** Create a CA + node certificate in a temporary directory (removed again). */
export function makeSimCertificates(): SimCertificates {
  const dir = mkdtempSync(join(tmpdir(), "pve-sim-tls-"))
  try {
    const run = (...args: string[]): void => void execFileSync("openssl", args, { cwd: dir, stdio: "pipe" })
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3", "-subj", "/CN=Proxmox Virtual Environment/OU=sim/O=PVE Cluster Manager CA")
    run("req", ...ec, "-keyout", "node.key", "-out", "node.csr", "-subj", "/CN=pve1.sim/OU=PVE Cluster Node/O=Proxmox Virtual Environment")
    writeFileSync(join(dir, "ext.cnf"), "subjectAltName=DNS:localhost,DNS:pve1,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "node.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "node.pem", "-days", "3", "-extfile", "ext.cnf")
    const cert = readFileSync(join(dir, "node.pem"), "utf8")
    return { caPem: readFileSync(join(dir, "ca.pem"), "utf8"), key: readFileSync(join(dir, "node.key"), "utf8"), cert, fingerprint: new X509Certificate(cert).fingerprint256 }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// Real upsc (NSS build, "try TLS" by default) against nutctl with upsd.conf CERTFILE: the STARTTLS
// handshake succeeds and the data arrives over TLS.
import { test } from "node:test"
import assert from "node:assert/strict"
import { copyFileSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fixturePath } from "../support/fixture.ts"
import { startNutctlUpsd } from "../support/nutctl-upsd.ts"
import { hasRealNut } from "../support/real-nut.ts"
import { run } from "../support/run.ts"

test("upsc negotiates STARTTLS with nutctl configured with CERTFILE", { skip: hasRealNut() ? false : "needs Debian's nut-client (.ci/run installs it)" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-tls-"))
  copyFileSync(fixturePath("nut-ddl/APC__Back-UPS_BVK750M2___usbhid-ups__2.8.3.1__01.dev"), join(dir, "bvk.dev"))
  copyFileSync(fixturePath("tls/upsd.pem"), join(dir, "upsd.pem"))
  chmodSync(join(dir, "upsd.pem"), 0o600)
  writeFileSync(join(dir, "ups.conf"), "[bvk]\n\tdriver = dummy-ups\n\tport = bvk.dev\n")
  writeFileSync(join(dir, "upsd.conf"), `LISTEN 127.0.0.1 3493\nCERTFILE ${join(dir, "upsd.pem")}\n`)
  writeFileSync(join(dir, "upsd.users"), "", { mode: 0o600 })
  const upsd = await startNutctlUpsd(dir, { waitFor: ["bvk"] })
  try {
    const r = await run("upsc", [`bvk@127.0.0.1:${upsd.port}`, "ups.status"])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, "OL\n")
    assert.match(r.stderr, /SSL handshake done successfully/)
    assert.match(r.stderr, /Connected to NUT server 127\.0\.0\.1 in SSL/)
  } finally {
    await upsd.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { checkSecretFileMode } from "./file-mode.ts"

test("checkSecretFileMode() is quiet for private files and unknown modes", () => {
  assert.equal(checkSecretFileMode("a", 0o600), undefined)
  assert.equal(checkSecretFileMode("a", 0o400), undefined)
  assert.equal(checkSecretFileMode("a", undefined), undefined)
})

test("checkSecretFileMode() warns about group access unless allowed, and always about world access", () => {
  assert.equal(checkSecretFileMode("/etc/nutctl/nutctl.yaml", 0o640)?.message, "/etc/nutctl/nutctl.yaml holds passwords and is group-accessible (mode 0640); chmod 600 it")
  assert.equal(checkSecretFileMode("upsd.users", 0o640, { allowGroup: true }), undefined)
  assert.equal(checkSecretFileMode("upsd.users", 0o444, { allowGroup: true })?.message, "upsd.users holds passwords and is world-accessible (mode 0444); chmod 640 it")
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { checkDriverFiles } from "./driver-files.ts"
import { memoryConfigFs } from "./fs.ts"
import type { UpsDefinition } from "./types.ts"

const ups = (name: string, driver: string, port: string): UpsDefinition => ({ name, driver, port, params: {}, baseDir: "/etc/nut", source: { file: "/etc/nut/ups.conf", line: 1, portLine: 3 } })

test("checkDriverFiles() reports unreadable dummy-ups files in plain words and skips what nutctl does not read", async () => {
  const denied = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" })
  const fs = {
    ...memoryConfigFs({ "/etc/nut/ok.dev": "" }),
    async readText(path: string) {
      if (path === "/etc/nut/locked.dev") throw denied
      return memoryConfigFs({ "/etc/nut/ok.dev": "" }).readText(path)
    },
  }
  const issues = await checkDriverFiles(
    [
      ups("ok", "dummy-ups", "ok.dev"),
      ups("gone", "dummy", "gone.seq"),
      ups("locked", "dummy-ups", "locked.dev"),
      ups("repeater", "dummy-ups", "ups@nas"),
      ups("ext", "dummy-ups", "ext.dev"),
      ups("usb", "usbhid-ups", "auto"),
    ],
    { nutctl_external: "ext" },
    fs,
  )
  assert.deepEqual(
    issues.map((i) => [i.code, i.message]),
    [
      ["CONFIG_NOT_FOUND", "/etc/nut/ups.conf:3: port: dummy-ups data file /etc/nut/gone.seq: no such file (the driver of [gone] cannot start without it)"],
      ["CONFIG_UNREADABLE", "/etc/nut/ups.conf:3: port: dummy-ups data file /etc/nut/locked.dev: permission denied (the driver of [locked] cannot start without it)"],
    ],
  )
})

#!/usr/bin/env node
// postinstall: put the patched hidraw addons from native/ over node-hid's prebuilds, so source runs
// (tsx, deno, bun) load node-hid without libusb, exactly like the binary does. node-hid 3.4.0's
// HID_hidraw prebuild lists libusb-1.0.so.0 as NEEDED but uses none of its symbols; on a host
// without libusb (Debian minbase, many PVE/TrueNAS installs) the unpatched addon fails with
// ERR_DLOPEN_FAILED. native/README.md says how the copies were made.
import { copyFileSync, existsSync, readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const prebuilds = path.join(root, "node_modules", "node-hid", "prebuilds")

if (!existsSync(prebuilds)) {
  // e.g. `npm ci --omit=optional` or a tree without node-hid: nothing to patch.
  console.log("use-patched-hid: node-hid is not installed, nothing to do")
} else {
  for (const arch of ["x64", "arm64"]) {
    const from = path.join(root, "native", `hid_hidraw-linux-${arch}.node`)
    const to = path.join(prebuilds, `HID_hidraw-linux-${arch}`, "node-napi-v4.node")
    if (!existsSync(from) || !existsSync(to)) continue
    if (readFileSync(from).equals(readFileSync(to))) continue
    copyFileSync(from, to)
    console.log(`use-patched-hid: ${path.relative(root, to)} <- ${path.relative(root, from)}`)
  }
}

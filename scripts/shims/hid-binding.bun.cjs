// Stands in for `pkg-prebuilds/bindings` inside the Bun binary (scripts/build.mjs aliases it).
// node-hid asks pkg-prebuilds to probe prebuild paths on disk at run time, which a single binary
// does not have. These literal require()s let `bun build --compile` embed the patched addons
// (native/, libusb removed from NEEDED); at run time Bun writes the one for this arch to $TMPDIR
// and dlopens it, so $TMPDIR must allow exec (see docs/packaging.md).
"use strict"

module.exports = function loadBinding(_basePath, options) {
  if (process.platform !== "linux" || options.name !== "HID_hidraw") {
    throw new Error(`Cannot load node-hid: nutctl embeds only the Linux hidraw addon, not ${options.name} for ${process.platform}-${process.arch}`)
  }
  if (process.arch === "arm64") return require("../../native/hid_hidraw-linux-arm64.node")
  if (process.arch === "x64") return require("../../native/hid_hidraw-linux-x64.node")
  throw new Error(`Cannot load node-hid: no embedded hidraw addon for linux-${process.arch}`)
}

// Entry for a throw-away binary that proves node-hid's addon is embedded and loads without
// node_modules or libusb (scripts/smoke-binary.sh builds it with scripts/build.mjs --entry=…).
// It works before src/ wires HID, so the packaging recipe is checked on every CI run.
import { HIDAsync, devices, devicesAsync } from "node-hid"

const sync = devices()
const async = await devicesAsync()
let openError = ""
try {
  const h = await HIDAsync.open("/nonexistent/hidraw-probe")
  await h.close()
} catch (err) {
  openError = err instanceof Error ? err.message : String(err)
}
if (!Array.isArray(sync) || !Array.isArray(async) || openError === "") {
  console.error(`hid-probe: unexpected result ${JSON.stringify({ sync, async, openError })}`)
  process.exitCode = 1
} else {
  console.log(`hid-probe: ok (${sync.length} HID devices; open of a bad path fails with: ${openError})`)
}

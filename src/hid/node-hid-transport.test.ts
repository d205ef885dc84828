// The node-hid transport against a stand-in node-hid and sysfs (no USB here), plus the real addon's
// error paths: this machine has no hidraw devices, so opening one must fail cleanly.
import assert from "node:assert/strict"
import { test } from "node:test"
import { createNodeHidOpener, isLikelyUps, type NodeHidApi, type NodeHidDevice, type NodeHidHandle, type SysfsAccess } from "./node-hid-transport.ts"
import { HidTransportError } from "./transport.ts"

const BX: NodeHidDevice = {
  vendorId: 0x051d,
  productId: 0x0002,
  path: "/dev/hidraw0",
  manufacturer: "American Power Conversion",
  product: "Back-UPS BX1600MI FW:294201G -302201G",
  serialNumber: "9B2206A00000",
  release: 0x0106,
  interface: 0,
  usagePage: 0x84,
}
const MOUSE: NodeHidDevice = { vendorId: 0x046d, productId: 0xc077, path: "/dev/hidraw1", product: "USB Optical Mouse", release: 0x7200, interface: 0, usagePage: 0x01 }

/** sysfs of one APC on bus 1 behind /dev/hidraw0 (device descriptor string indexes 1, 2, 3). */
function fakeSysfs(): SysfsAccess {
  const usb = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2"
  const hid = `${usb}/1-2:1.0/0003:051D:0002.0001`
  const descriptor = new Uint8Array(18)
  descriptor.set([1, 2, 3], 14)
  const text = (s: string): Uint8Array => new TextEncoder().encode(`${s}\n`)
  const files: Record<string, Uint8Array> = {
    [`${hid}/report_descriptor`]: Uint8Array.of(0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x85, 0x16, 0x09, 0x02, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02, 0xc0),
    [`${usb}/busnum`]: text("1"),
    [`${usb}/descriptors`]: descriptor,
    [`${usb}/manufacturer`]: text("American Power Conversion"),
    [`${usb}/product`]: text("Back-UPS BX1600MI FW:294201G -302201G"),
    [`${usb}/serial`]: text("9B2206A00000"),
  }
  const links: Record<string, string> = { "/dev/ups": "/dev/hidraw0", "/sys/class/hidraw/hidraw0/device": hid }
  return {
    readFile: async (path) => {
      const real = path.replace("/sys/class/hidraw/hidraw0/device", hid)
      return files[real] ?? Promise.reject(new Error(`ENOENT: no such file or directory, open '${path}'`))
    },
    realpath: async (path) => links[path] ?? path,
  }
}

/** A node-hid stand-in whose handle answers with `answers` or throws hidapi's texts. */
function fakeNodeHid(behaviour: { open?: string; get?: string; read?: Uint8Array[] } = {}): NodeHidApi & { written: number[][] } {
  const written: number[][] = []
  const handle: NodeHidHandle = {
    close: async () => {},
    read: async () => behaviour.read?.shift() ?? new Uint8Array(0),
    getFeatureReport: async (id) => {
      if (behaviour.get !== undefined) throw new Error(`could not get feature report from device: ${behaviour.get}`)
      return Uint8Array.of(id, 0x64)
    },
    sendFeatureReport: async (data) => {
      written.push(data)
      return data.length
    },
    getDeviceInfo: async () => BX,
  }
  return {
    written,
    devicesAsync: async () => [BX, { ...BX, usagePage: 0xff86 }, MOUSE],
    HIDAsync: {
      open: async (path) => {
        if (behaviour.open !== undefined) throw new Error(`cannot open device with path ${path}: Failed to open a device with path '${path}': ${behaviour.open}`)
        return handle
      },
    },
  }
}

const isCode = (code: string, message?: RegExp) => (e: unknown) => e instanceof HidTransportError && e.code === code && (message === undefined || message.test(e.message))

test("createNodeHidOpener().list() keeps one entry per path, UPS-like ones only, with the USB bus from sysfs", async () => {
  const opener = createNodeHidOpener({ loadNodeHid: async () => fakeNodeHid(), sysfs: fakeSysfs() })
  const devices = await opener.list()
  assert.equal(devices.length, 1)
  assert.deepEqual(devices[0], {
    vendorId: 0x051d,
    productId: 0x0002,
    manufacturer: "American Power Conversion",
    product: "Back-UPS BX1600MI FW:294201G -302201G",
    serial: "9B2206A00000",
    release: 0x0106,
    path: "/dev/hidraw0",
    bus: "001",
    interface: 0,
  })
  const all = await createNodeHidOpener({ upsOnly: false, loadNodeHid: async () => fakeNodeHid(), sysfs: fakeSysfs() }).list()
  assert.deepEqual(all.map((d) => d.path), ["/dev/hidraw0", "/dev/hidraw1"])
})

test("isLikelyUps() takes the Power Device pages and UPS vendors", () => {
  assert.equal(isLikelyUps({ vendorId: 0x1234, usagePage: 0x84 }), true)
  assert.equal(isLikelyUps({ vendorId: 0x0764, usagePage: 0xff01 }), true)
  assert.equal(isLikelyUps({ vendorId: 0x046d, usagePage: 0x01 }), false)
})

test("NodeHidTransport reads the descriptor and device strings from sysfs, reports through node-hid", async () => {
  const hid = fakeNodeHid({ read: [new Uint8Array(0), Uint8Array.of(0x16, 0x0c, 0x00)] })
  const opener = createNodeHidOpener({ loadNodeHid: async () => hid, sysfs: fakeSysfs() })
  const t = await opener.openPath("/dev/ups") // a symlink to /dev/hidraw0: enumeration data still found
  assert.equal(t.info.serial, "9B2206A00000")
  assert.equal((await t.reportDescriptor()).length, 17)
  assert.deepEqual(await t.getFeatureReport(0x0c, 2), Uint8Array.of(0x0c, 0x64))
  assert.equal(await t.sendFeatureReport(Uint8Array.of(0x40, 0x01)), 2)
  assert.deepEqual(hid.written, [[0x40, 0x01]])
  assert.equal(await t.readInput(750), undefined) // hidapi's empty buffer on a timeout
  assert.deepEqual(await t.readInput(750), Uint8Array.of(0x16, 0x0c, 0x00))
  assert.equal(await t.indexedString(2), "Back-UPS BX1600MI FW:294201G -302201G")
  assert.equal(await t.indexedString(4), undefined) // iDeviceChemistry needs a control transfer hidraw cannot make
  await t.close()
})

test("NodeHidTransport maps hidapi failures to HidTransportError codes with readable messages", async () => {
  const open = (reason: string) => createNodeHidOpener({ loadNodeHid: async () => fakeNodeHid({ open: reason }), sysfs: fakeSysfs() }).open({ vendorId: 0x051d, productId: 2, path: "/dev/hidraw0" })
  await assert.rejects(open("Permission denied"), isCode("io", /^Cannot open HID device 051d:0002 at \/dev\/hidraw0: permission denied \(run as root or install the udev rule\)$/))
  await assert.rejects(open("Device or resource busy"), isCode("busy", /usbhid-ups/))
  await assert.rejects(open("No such file or directory"), isCode("not-found"))
  const get = async (reason: string) => {
    const t = await createNodeHidOpener({ loadNodeHid: async () => fakeNodeHid({ get: reason }), sysfs: fakeSysfs() }).openPath("/dev/hidraw0")
    return t.getFeatureReport(0x0c, 2)
  }
  await assert.rejects(get("ioctl (GFEATURE): No such device"), isCode("disconnected", /^Cannot read HID report 0x0c from \/dev\/hidraw0: device disconnected$/))
  await assert.rejects(get("ioctl (GFEATURE): Connection timed out"), isCode("timeout"))
  // a STALL is "no data", as NUT treats it
  assert.equal((await get("ioctl (GFEATURE): Broken pipe")).length, 0)
})

test("createNodeHidOpener() reports a node-hid that does not load as unsupported", async () => {
  const opener = createNodeHidOpener({ loadNodeHid: async () => Promise.reject(new Error("libudev.so.1: cannot open shared object file")) })
  await assert.rejects(opener.list(), isCode("unsupported", /^Cannot use USB HID devices: node-hid did not load \(libudev/))
})

test("the real node-hid enumerates and fails cleanly on paths that are not hidraw devices", async () => {
  const opener = createNodeHidOpener()
  assert.ok(Array.isArray(await opener.list()))
  await assert.rejects(opener.openPath("/nonexistent/hidraw-nutctl"), isCode("not-found", /^Cannot open HID device at \/nonexistent\/hidraw-nutctl: no such device$/))
  await assert.rejects(opener.openPath("/dev/null"), isCode("unsupported", /not a hidraw device/))
})

/**
 * `nutctl driver list` and `nutctl driver explore`: find USB HID UPSes and dump one the way
 * `usbhid-ups -x explore` does, for a bug report or a new fixture (see _hid-explore.ts). Both work
 * on real devices (node-hid, hidraw) and on simulated ones (`--port sim:bx1600mi`).
 * Capabilities (io, files, clock, the HID opener) can be injected through citty's `data`.
 */
import { writeFile } from "node:fs/promises"
import { defineCommand } from "citty"
import { DeviceCriteriaError, createDeviceMatcher, type DeviceCriteria } from "../drivers/index.ts"
import {
  HidTransportError,
  SimError,
  createNodeHidOpener,
  isSimPort,
  openSimPort,
  systemClock,
  type HidDeviceInfo,
  type HidTransport,
  type NodeHidOpener,
  type NodeHidOpenerOptions,
  type SimClock,
} from "../hid/index.ts"
import { VERSION } from "../version.ts"
import { usbhidExploreMapping } from "./_explore-mapping.ts"
import { exploreHidDevice } from "./_hid-explore.ts"
import { EXIT, runCli, type CliEnv, type ExitCode } from "./_io.ts"
import { UsageError } from "./_target.ts"

/** What the driver commands take from citty's `data` besides CliEnv's io/readFile (tests). */
export interface DriverCliData {
  readonly writeFile?: (path: string, text: string) => Promise<void>
  readonly clock?: SimClock
  /** Replaces node-hid. */
  readonly createHidOpener?: (options: NodeHidOpenerOptions) => NodeHidOpener
}

const SIM_HINT = "No UPS at hand? nutctl driver explore --port sim:bx1600mi explores the built-in simulated APC Back-UPS BX1600MI."

const matchArgs = {
  vendorid: { type: "string", description: "USB vendor id regex, as ups.conf (e.g. 051d)", valueHint: "HEX" },
  productid: { type: "string", description: "USB product id regex (e.g. 0002)", valueHint: "HEX" },
  serial: { type: "string", description: "Serial number regex", valueHint: "REGEX" },
  vendor: { type: "string", description: "Manufacturer string regex", valueHint: "REGEX" },
  product: { type: "string", description: "Product string regex", valueHint: "REGEX" },
  bus: { type: "string", description: "USB bus regex (e.g. 001)", valueHint: "REGEX" },
} as const

/** `nutctl driver list`. */
export const driverList = defineCommand({
  meta: { name: "list", description: "List the USB HID devices that look like UPSes (exit 1 when there is none)" },
  args: {
    all: { type: "boolean", description: "List every HID device, not only Power Device / UPS-vendor ones" },
  },
  run: ({ args, data }) =>
    runDriverCli("driver list", data, async (cli, deps) => {
      const opener = deps.createHidOpener({ upsOnly: args.all !== true })
      const devices = await opener.list()
      if (devices.length === 0) {
        cli.io.err(`No USB HID ${args.all === true ? "device" : "UPS"} found. Is the UPS plugged in, and is /dev/hidraw* readable (run as root or install the udev rule)? NUT's usbhid-ups, if running, detaches it from hidraw.\n${SIM_HINT}\n`)
        return EXIT.REFUSED
      }
      const rows = devices.map((d) => [d.path, `${hex4(d.vendorId)}:${hex4(d.productId)}`, d.bus ?? "-", d.manufacturer ?? "-", d.product ?? "-", d.serial ?? "-"])
      const table = [["PATH", "VID:PID", "BUS", "MANUFACTURER", "PRODUCT", "SERIAL"], ...rows]
      const widths = table[0]?.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length))) ?? []
      cli.io.out(table.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")).join("\n") + "\n")
      return EXIT.OK
    }),
})

/** `nutctl driver explore`. */
export const driverExplore = defineCommand({
  meta: {
    name: "explore",
    description: "Dump a HID UPS like usbhid-ups -x explore: device, descriptor, every path with its value (paste it into an issue)",
  },
  args: {
    port: { type: "string", description: "/dev/hidrawN, sim:bx1600mi, sim:<fixture base>[?scenario=…], or auto (default: the first UPS found)", valueHint: "PORT" },
    ...matchArgs,
    save: { type: "string", description: "Also write BASE.reports.txt and BASE.rdesc.hex (then port = sim:BASE simulates this device)", valueHint: "BASE" },
    listen: { type: "string", description: "Also record interrupt reports for this many seconds", valueHint: "SECONDS" },
  },
  run: ({ args, data }) =>
    runDriverCli("driver explore", data, async (cli, deps) => {
      const listenMs = args.listen === undefined ? 0 : Number(args.listen) * 1000
      if (!(listenMs >= 0) || !Number.isFinite(listenMs)) throw new UsageError(`--listen ${args.listen}: expected a number of seconds`)
      const { transport, port, note } = await openTarget(args, cli, deps)
      if (note !== undefined) cli.io.err(note + "\n")
      try {
        const dump = await exploreHidDevice(transport, { port, version: VERSION, mapping: usbhidExploreMapping, listenMs, clock: deps.clock })
        cli.io.out(dump.text)
        if (args.save !== undefined && args.save !== "") {
          await deps.writeFile(`${args.save}.reports.txt`, dump.text)
          await deps.writeFile(`${args.save}.rdesc.hex`, dump.rdescHex)
          cli.io.err(`Saved ${args.save}.reports.txt and ${args.save}.rdesc.hex; simulate this device with port = sim:${args.save}\n`)
        }
      } finally {
        await transport.close()
      }
      return EXIT.OK
    }),
})

/**
 * `nutctl driver run -a UPS`: a drop-in for a NUT driver binary (`usbhid-ups -a UPS`): runs that
 * ups.conf section's driver and serves NUT's driver socket, so a real upsd can use it.
 */
export const driverRun = defineCommand({
  meta: { name: "run", description: "Run a ups.conf section's driver and serve NUT's driver socket for a real upsd (like usbhid-ups -a UPS)" },
  args: {
    a: { type: "string", description: "The ups.conf section to drive", valueHint: "UPS", required: true },
    "nut-config": { type: "string", description: "Directory of ups.conf (default: $NUT_CONFPATH or /etc/nut)", valueHint: "DIR" },
    statepath: { type: "string", description: "Socket directory (default: $NUT_STATEPATH, ups.conf statepath, /run/nut)", valueHint: "DIR" },
    verbose: { type: "boolean", alias: "v", description: "Log debug details" },
  },
  async run({ args }) {
    const { createLog } = await import("./_log.ts")
    const { runDriverSocket } = await import("./_driver-run.ts")
    const log = createLog({ verbose: args.verbose === true })
    const abort = new AbortController()
    process.once("SIGINT", () => abort.abort())
    process.once("SIGTERM", () => abort.abort())
    try {
      await runDriverSocket({
        ups: args.a,
        confDir: args["nut-config"] ?? (process.env["NUT_CONFPATH"] || "/etc/nut"),
        statePath: args.statepath ?? (process.env["NUT_STATEPATH"] || undefined),
        log,
        signal: abort.signal,
      })
    } catch (e) {
      log.error((e as Error).message)
      process.exitCode = 1
    }
  },
})

export default defineCommand({
  meta: { name: "driver", description: "UPS drivers: list HID devices, explore one (usbhid-ups -x explore), run one for a real upsd" },
  subCommands: { list: driverList, explore: driverExplore, run: driverRun },
})

// --- Internal helpers ---

interface DriverDeps {
  readonly writeFile: (path: string, text: string) => Promise<void>
  readonly clock: SimClock
  readonly createHidOpener: (options: NodeHidOpenerOptions) => NodeHidOpener
}

/** runCli with the driver commands' extra capabilities, and their errors mapped to exit codes. */
function runDriverCli(name: string, data: unknown, body: (cli: CliEnv, deps: DriverDeps) => Promise<ExitCode>): Promise<ExitCode> {
  const given = (typeof data === "object" && data !== null ? data : {}) as DriverCliData
  const deps: DriverDeps = {
    writeFile: given.writeFile ?? ((path, text) => writeFile(path, text)),
    clock: given.clock ?? systemClock,
    createHidOpener: given.createHidOpener ?? createNodeHidOpener,
  }
  return runCli(name, data, async (cli) => {
    try {
      return await body(cli, deps)
    } catch (error) {
      if (error instanceof DeviceCriteriaError || (error instanceof SimError && error.code === "SIM_BAD_PORT")) throw new UsageError(error.message)
      if (!(error instanceof HidTransportError)) throw error
      cli.io.err(`Error: ${error.message}\n`)
      return EXIT.UNREACHABLE
    }
  })
}

/** The device `--port` / the match options name, opened. */
async function openTarget(
  args: { port?: string | undefined } & { [K in keyof DeviceCriteria]?: string | undefined },
  cli: CliEnv,
  deps: DriverDeps,
): Promise<{ transport: HidTransport; port: string; note?: string }> {
  const port = args.port ?? "auto"
  if (isSimPort(port)) {
    const sim = await openSimPort(port, { clock: deps.clock, readText: cli.readFile })
    return { transport: await sim.opener.open(sim.ups.info), port }
  }
  const given = (["vendorid", "productid", "serial", "vendor", "product", "bus"] as const).flatMap((k) => {
    const value = args[k]
    return value === undefined ? [] : [[k, value] as const]
  })
  const match = createDeviceMatcher(Object.fromEntries(given))
  if (port !== "auto") return { transport: await deps.createHidOpener({ upsOnly: false }).openPath(port), port }
  // with explicit criteria any HID device may match (as in ups.conf), else only UPS-like ones
  const opener = deps.createHidOpener({ upsOnly: given.length === 0 })
  const found = (await opener.list()).filter(match)
  const first = found[0]
  if (first === undefined) {
    const what = given.length === 0 ? "" : ` matching ${given.map(([k, v]) => `${k}=${v}`).join(" ")}`
    throw new HidTransportError("not-found", "auto", `Cannot find a USB HID UPS${what}: nutctl driver list --all shows the HID devices there are. ${SIM_HINT}`)
  }
  const note = found.length > 1 ? `${found.length} devices match; exploring ${describe(first)} (choose another with --port or --serial)` : undefined
  return { transport: await opener.open(first), port: first.path, ...(note !== undefined ? { note } : {}) }
}

function describe(d: HidDeviceInfo): string {
  return [`${hex4(d.vendorId)}:${hex4(d.productId)}`, d.product, d.serial && `serial ${d.serial}`, `at ${d.path}`].filter(Boolean).join(" ")
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0")
}

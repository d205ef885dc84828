// `port = sim:…`: which simulated UPS a driver (or `nutctl driver explore`) gets.
//
//   sim:<name>[?<key>=<value>&…]     a built-in device (EMBEDDED_SIM_DEVICES: bx1600mi)
//   sim:<base>[?…]                   fixture files <base>.rdesc.hex and <base>.reports.txt (optional;
//                                    it may carry the descriptor as `# rdesc:` lines instead, as an
//                                    explore dump does); <base> is a path prefix, relative to the
//                                    config's directory. `sim:./bx1600mi` means files, not the built-in.
// Keys (values URL-encoded where needed):
//   scenario=<built-in name | file>  run a scenario (BUILTIN_SCENARIOS, or a text/JSON file)
//   speed=<factor>                   run time faster: speed=60 makes the scenario's minutes seconds
//   drain=<%/min>, recharge=<%/min>  battery drain on battery / charge rate on mains
//   vendorid=<hex>, productid=<hex>, manufacturer=…, product=…, serial=…   what enumeration says
//
// A `*.reports.txt` may describe its device in comments (written by `nutctl driver explore --save`):
//   # device: vendorid=051d productid=0002 release=0106 manufacturer="American Power Conversion" product="…" serial="…"
//   # string 4: PbAc
// Without them the vendor is guessed from the vendor usage pages (0xff86 APC 051d:0002, 0xff01
// CyberPower 0764:0501, 0xffff Eaton/MGE 0463:ffff, else 0000:0000) and the product is <base>'s
// file name.
import { decodeField } from "../codec.ts"
import { parseHexBytes, parseReportRecords, type ReportBytesRecord } from "../fixture-format.ts"
import { parseReportDescriptor } from "../parser.ts"
import type { HidDeviceInfo, HidOpener } from "../transport.ts"
import type { ParsedDescriptor } from "../types.ts"
import { ALL_USAGE_NAMES } from "../usage-names.ts"
import { scaledClock, type SimClock } from "./clock.ts"
import { embeddedSimDevice, isEmbeddedSimDevice, type EmbeddedSimDevice } from "./embedded.ts"
import { SimError } from "./errors.ts"
import { BUILTIN_SCENARIOS, builtinScenario, parseScenario, type Scenario } from "./scenario.ts"
import { createSimOpener } from "./sim-transport.ts"
import { createSimulatedUps, type SimulatedUps } from "./simulated-ups.ts"
import type { SimDeviceSpec } from "./types.ts"

/** A parsed `sim:` port. */
export interface SimPortSpec {
  readonly port: string
  /** What follows `sim:`, without the query. */
  readonly device: string
  /** Set when `device` names a built-in device. */
  readonly embedded: EmbeddedSimDevice | undefined
  readonly scenario?: string
  /** @default 1 */
  readonly speed: number
  readonly drainRate?: number
  readonly chargeRate?: number
  readonly info: Partial<Pick<HidDeviceInfo, "vendorId" | "productId" | "manufacturer" | "product" | "serial">>
}

/** Capabilities and options of `openSimPort()`. */
export interface OpenSimPortOptions {
  readonly clock: SimClock
  /** Reads a text file (fixtures, scenario files); without it only built-in devices and scenarios work. */
  readonly readText?: (path: string) => Promise<string>
  /** Directory relative fixture and scenario paths resolve against (ups.conf's). */
  readonly baseDir?: string
}

/** A running simulated UPS behind its opener. */
export interface SimPortDevice {
  readonly spec: SimPortSpec
  readonly ups: SimulatedUps
  readonly opener: HidOpener
  /** The device's clock (the given one, sped up by `speed`). */
  readonly clock: SimClock
}

const KEYS = ["scenario", "speed", "drain", "recharge", "vendorid", "productid", "manufacturer", "product", "serial"] as const

/** True for a `sim:` port. */
export function isSimPort(port: string): boolean {
  return port.startsWith("sim:")
}

/** Parses a `sim:` port. @throws SimError SIM_BAD_PORT. */
export function parseSimPort(port: string): SimPortSpec {
  if (!isSimPort(port)) bad(port, 'it does not start with "sim:"')
  const rest = port.slice(4)
  const q = rest.indexOf("?")
  const device = q < 0 ? rest : rest.slice(0, q)
  if (device === "") bad(port, `name a device: sim:bx1600mi, or sim:<path prefix of .rdesc.hex/.reports.txt files>`)
  const params = new Map<string, string>()
  for (const part of q < 0 ? [] : rest.slice(q + 1).split("&")) {
    if (part === "") continue
    const eq = part.indexOf("=")
    const key = (eq < 0 ? part : part.slice(0, eq)).toLowerCase()
    if (!(KEYS as readonly string[]).includes(key)) bad(port, `unknown key "${key}" (keys: ${KEYS.join(", ")})`)
    params.set(key, decode(port, eq < 0 ? "" : part.slice(eq + 1)))
  }
  const positive = (key: string): number | undefined => {
    const text = params.get(key)
    if (text === undefined) return undefined
    const n = Number(text)
    if (text === "" || !(n > 0) || !Number.isFinite(n)) bad(port, `${key}=${text}: expected a number above 0`)
    return n
  }
  const hexId = (key: string): number | undefined => {
    const text = params.get(key)
    if (text === undefined) return undefined
    if (!/^(0x)?[0-9a-f]{1,4}$/i.test(text)) bad(port, `${key}=${text}: expected 4 hex digits such as 051d`)
    return Number.parseInt(text.replace(/^0x/i, ""), 16)
  }
  const info: SimPortSpec["info"] = {
    ...optional("vendorId", hexId("vendorid")),
    ...optional("productId", hexId("productid")),
    ...optional("manufacturer", params.get("manufacturer")),
    ...optional("product", params.get("product")),
    ...optional("serial", params.get("serial")),
  }
  const scenario = params.get("scenario")
  if (scenario === "") bad(port, `scenario= needs a name (${Object.keys(BUILTIN_SCENARIOS).join(", ")}) or a file`)
  return {
    port,
    device,
    embedded: isEmbeddedSimDevice(device) ? device : undefined,
    ...optional("scenario", scenario),
    speed: positive("speed") ?? 1,
    ...optional("drainRate", positive("drain")),
    ...optional("chargeRate", positive("recharge")),
    info,
  }
}

/**
 * Builds the simulated UPS a `sim:` port names, with its opener.
 * @throws SimError SIM_BAD_PORT, SIM_BAD_FIXTURE (unreadable descriptor), SIM_BAD_SCENARIO.
 */
export async function openSimPort(port: string, options: OpenSimPortOptions): Promise<SimPortDevice> {
  const spec = parseSimPort(port)
  const base = spec.embedded !== undefined ? embeddedSimDevice(spec.embedded) : await loadFixtureDevice(spec, options)
  const device: SimDeviceSpec = { ...base, info: { ...base.info, ...spec.info } }
  const scenario = spec.scenario === undefined ? undefined : await loadScenario(spec.scenario, spec, options)
  const clock = scaledClock(options.clock, spec.speed)
  const ups = createSimulatedUps(device, {
    clock,
    ...optional("scenario", scenario),
    ...optional("drainRate", spec.drainRate),
    ...optional("chargeRate", spec.chargeRate),
  })
  return { spec, ups, opener: createSimOpener(ups), clock }
}

// --- Internal helpers ---

async function loadFixtureDevice(spec: SimPortSpec, options: OpenSimPortOptions): Promise<SimDeviceSpec> {
  const read = options.readText
  if (read === undefined) throw new SimError("SIM_BAD_FIXTURE", `Cannot simulate ${spec.port}: no file access here (built-in devices: sim:bx1600mi)`)
  const base = resolvePath(options.baseDir, spec.device)
  let text = ""
  try {
    text = await read(`${base}.reports.txt`)
  } catch {
    // optional: a descriptor alone gives a device with made-up values
  }
  let descriptor: Uint8Array
  try {
    descriptor = parseHexBytes(await read(`${base}.rdesc.hex`))
  } catch (cause) {
    // a saved `nutctl driver explore` paste carries the descriptor in `# rdesc:` comments
    const embedded = [...text.matchAll(/^#\s*rdesc:(.*)$/gm)].map((m) => m[1] ?? "").join(" ")
    if (embedded.trim() === "") throw new SimError("SIM_BAD_FIXTURE", `Cannot simulate ${spec.port}: cannot read ${base}.rdesc.hex: ${message(cause)}`, { cause })
    try {
      descriptor = parseHexBytes(embedded)
    } catch (bad) {
      throw new SimError("SIM_BAD_FIXTURE", `Cannot simulate ${spec.port}: the "# rdesc:" lines of ${base}.reports.txt: ${message(bad)}`, { cause: bad })
    }
  }
  let reports: ReportBytesRecord[]
  try {
    reports = parseReportRecords(text).filter((r): r is ReportBytesRecord => r.kind !== "path")
  } catch (cause) {
    throw new SimError("SIM_BAD_FIXTURE", `Cannot simulate ${spec.port}: ${message(cause)}`, { cause })
  }
  const header = readHeader(text)
  const desc = parseReportDescriptor(descriptor)
  const guess = guessVendor(desc)
  const info: HidDeviceInfo = {
    vendorId: header.vendorId ?? guess.vendorId,
    productId: header.productId ?? guess.productId,
    manufacturer: header.manufacturer ?? guess.manufacturer,
    product: header.product ?? spec.device.split("/").pop() ?? spec.device,
    serial: header.serial,
    release: header.release,
    path: `sim:${spec.device}`,
    interface: 0,
  }
  return { descriptor, reports, info, strings: stringTable(desc, reports, info, header.strings) }
}

async function loadScenario(name: string, spec: SimPortSpec, options: OpenSimPortOptions): Promise<Scenario> {
  if (BUILTIN_SCENARIOS[name] !== undefined) return builtinScenario(name)
  const read = options.readText
  if (read === undefined) return builtinScenario(name) // throws, listing the built-in ones
  const path = resolvePath(options.baseDir, name)
  let text: string
  try {
    text = await read(path)
  } catch (cause) {
    throw new SimError("SIM_BAD_SCENARIO", `Cannot run scenario ${name} on ${spec.port}: no such built-in scenario and cannot read ${path}: ${message(cause)}`, { cause })
  }
  return parseScenario(text, name)
}

interface Header {
  vendorId?: number
  productId?: number
  release?: number
  manufacturer?: string
  product?: string
  serial?: string
  readonly strings: Map<number, string>
}

function readHeader(text: string): Header {
  const header: Header = { strings: new Map() }
  for (const line of text.split(/\r?\n/)) {
    const str = /^#\s*string\s+(\d+):\s?(.*)$/.exec(line)
    if (str !== null) header.strings.set(Number(str[1]), str[2] ?? "")
    const dev = /^#\s*device:(.*)$/.exec(line)
    if (dev === null) continue
    for (const m of (dev[1] ?? "").matchAll(/(\w+)=(?:"([^"]*)"|(\S+))/g)) {
      const key = m[1] ?? ""
      const value = m[2] ?? m[3] ?? ""
      const id = /^[0-9a-f]{1,4}$/i.test(value) ? Number.parseInt(value, 16) : undefined
      if (key === "vendorid" && id !== undefined) header.vendorId = id
      else if (key === "productid" && id !== undefined) header.productId = id
      else if (key === "release" && id !== undefined) header.release = id
      else if (key === "manufacturer") header.manufacturer = value
      else if (key === "product") header.product = value
      else if (key === "serial") header.serial = value
    }
  }
  return header
}

function guessVendor(desc: ParsedDescriptor): { vendorId: number; productId: number; manufacturer: string } {
  const pages = new Set(desc.fields.flatMap((f) => [...f.pathNodes, f.usage].map((u) => Math.floor(u / 0x10000))))
  if (pages.has(0xff86)) return { vendorId: 0x051d, productId: 0x0002, manufacturer: "American Power Conversion" }
  if (pages.has(0xff01)) return { vendorId: 0x0764, productId: 0x0501, manufacturer: "CPS" }
  if (pages.has(0xffff)) return { vendorId: 0x0463, productId: 0xffff, manufacturer: "EATON" }
  return { vendorId: 0, productId: 0, manufacturer: "nutctl simulator" }
}

/**
 * String descriptors for the indexes the device's i* fields point at: explicit `# string` lines
 * first, then iManufacturer / iProduct / iSerialNumber from the device info, iDeviceChemistry "PbAc".
 */
function stringTable(desc: ParsedDescriptor, reports: readonly ReportBytesRecord[], info: HidDeviceInfo, explicit: ReadonlyMap<number, string>): Map<number, string> {
  const table = new Map(explicit)
  const sources: ReadonlyArray<readonly [string, string | undefined]> = [
    ["iManufacturer", info.manufacturer],
    ["iProduct", info.product],
    ["iSerialNumber", info.serial],
    ["iDeviceChemistry", "PbAc"],
    ["iOEMInformation", info.manufacturer],
  ]
  for (const [name, text] of sources) {
    const usage = ALL_USAGE_NAMES.usage(name)
    if (text === undefined || usage === undefined) continue
    for (const field of desc.fields) {
      if (field.usage !== usage) continue
      const bytes = reports.find((r) => r.kind === "get" && r.reportId === field.reportId)?.bytes
      const v = bytes === undefined ? undefined : decodeField(bytes, field)
      if (v?.available && v.raw > 0 && !table.has(v.raw)) table.set(v.raw, text)
    }
  }
  return table
}

function resolvePath(baseDir: string | undefined, path: string): string {
  if (path.startsWith("/") || baseDir === undefined || baseDir === "") return path
  return `${baseDir.replace(/\/+$/, "")}/${path}`
}

function decode(port: string, text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return bad(port, `"${text}" is not URL-encoded text`)
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function bad(port: string, detail: string): never {
  throw new SimError("SIM_BAD_PORT", `Cannot use port "${port}": ${detail}`)
}

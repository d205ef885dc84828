// Simulated devices built into the binary (`port = sim:<name>`), so nutctl can be tried without a
// UPS and without fixture files.
//
// bx1600mi: APC Back-UPS BX1600MI. Its own descriptor was never published whole; the BK650M2-CH's
// matches every BX fragment quoted in nut#1208 / nut#2347 byte for byte
// (test/fixtures/hid/README.md), so that descriptor and its recorded reports are the stand-in.
// Where the BX differs and the descriptor's ranges allow, the BX's values replace the BK650M2's —
// the same values the embedded dummy-ups demo publishes (src/drivers/demo/bx1600mi.ts). The
// transfer points stay at the BK650M2's 160/278 V: the descriptor's ranges (160..196, 256..278)
// cannot hold the BX's 145/295.
import { parseHexBytes, parseReportRecords, type ReportBytesRecord, type ReportRecord } from "../fixture-format.ts"
import { BK650M2_CH_RDESC_HEX, BK650M2_CH_REPORTS } from "./bk650m2-ch.generated.ts"
import type { SimDeviceSpec } from "./types.ts"

const BX1600MI_PRODUCT = "Back-UPS BX1600MI FW:294201G -302201G"
const BX1600MI_SERIAL = "9B2206A00000"

/** Report answers where the BX1600MI stand-in differs from the BK650M2-CH recording. */
const BX1600MI_REPORTS = `
get 0x0f 3 : 0f e8 08   # PowerSummary.RunTimeToEmpty 2280 s
get 0x11 2 : 11 0a      # RemainingCapacityLimit 10 %
get 0x16 3 : 16 0c 00   # PresentStatus ACPresent + BatteryPresent: "OL" (BX fragment, nut#1208), not the BK650M2's OL+DISCHRG
get 0x17 3 : 17 78 00   # PowerSummary.RemainingTimeLimit 120 s
get 0x18 2 : 18 02      # AudibleAlarmControl: enabled
get 0x21 2 : 21 06      # Battery.Test: no test initiated
get 0x23 3 : 23 e8 08   # Battery.RunTimeToEmpty 2280 s
get 0x24 3 : 24 78 00   # Battery.RemainingTimeLimit 120 s
get 0x25 3 : 25 60 09   # Battery.ConfigVoltage 24.00 V (exponent 5)
get 0x26 3 : 26 aa 0a   # Battery.Voltage 27.30 V
get 0x30 2 : 30 e6      # Input.ConfigVoltage 230 V
get 0x31 3 : 31 ea 00   # Input.Voltage 234 V
get 0x35 2 : 35 01      # APCSensitivity: medium
get 0x50 2 : 50 0e      # PercentLoad 14 %
get 0x52 3 : 52 84 03   # ConfigActivePower 900 W
get 0x78 2 : 78 02      # UPS.AudibleAlarmControl: enabled
get 0x7a 2 : 7a 0c      # UPS.PresentStatus: OL
get 0x7b 3 : 7b 49 54   # UPS.ManufacturerDate 2022/02/09
int 0x16 3 : 16 0c 00
`

/** Names `sim:<name>` resolves to a built-in device. */
export const EMBEDDED_SIM_DEVICES = ["bx1600mi"] as const
export type EmbeddedSimDevice = (typeof EMBEDDED_SIM_DEVICES)[number]

/** True when `name` is a built-in device. */
export function isEmbeddedSimDevice(name: string): name is EmbeddedSimDevice {
  return (EMBEDDED_SIM_DEVICES as readonly string[]).includes(name)
}

/** The spec of a built-in device, its path being `sim:<name>`. */
export function embeddedSimDevice(name: EmbeddedSimDevice): SimDeviceSpec {
  switch (name) {
    case "bx1600mi":
      return {
        descriptor: parseHexBytes(BK650M2_CH_RDESC_HEX),
        reports: mergeReports(parseReportRecords(BK650M2_CH_REPORTS), parseReportRecords(BX1600MI_REPORTS)),
        info: {
          vendorId: 0x051d,
          productId: 0x0002,
          manufacturer: "American Power Conversion",
          product: BX1600MI_PRODUCT,
          serial: BX1600MI_SERIAL,
          release: 0x0106,
          path: "sim:bx1600mi",
          interface: 0,
        },
        // iManufacturer 1, iProduct 2, iSerialNumber 3, iDeviceChemistry 4 (the BK650M2's indexes)
        strings: new Map([
          [1, "American Power Conversion"],
          [2, BX1600MI_PRODUCT],
          [3, BX1600MI_SERIAL],
          [4, "PbAc"],
        ]),
      }
  }
}

/** `base` with every record of an id that `over` has replaced by `over`'s records of that kind. */
function mergeReports(base: readonly ReportRecord[], over: readonly ReportRecord[]): ReportBytesRecord[] {
  const bytes = (records: readonly ReportRecord[]): ReportBytesRecord[] => records.filter((r): r is ReportBytesRecord => r.kind !== "path")
  const replaced = new Set(bytes(over).map((r) => `${r.kind} ${r.reportId}`))
  return [...bytes(base).filter((r) => !replaced.has(`${r.kind} ${r.reportId}`)), ...bytes(over)]
}

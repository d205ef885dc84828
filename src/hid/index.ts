// The HID core: report descriptor parser, report codec, usage tables. Pure TypeScript on
// Uint8Array, no node: imports — the transport (node-hid) and the simulator sit on top of it.
//
// Buffers: byte 0 is the report id (0 when the device has no report ids), field bit offsets
// count from byte 1 — the node-hid/hidapi layout, NUT's buffer layout and the fixture format.
//
// Intentional divergences from NUT's hidparser.c/libhid.c (everything else follows NUT):
// - Push/Pop and Usage Minimum/Maximum are implemented (NUT ignores them); range usages get
//   `nutObject: false` since NUT would not name them.
// - Variable fields past the usage list repeat the last usage (HID 1.11 §6.2.2.8); NUT makes them
//   unnamed continuations. Path look-ups take the first match either way; `nutObject` marks
//   what NUT lists (71 objects for the BK650M2-CH, as its log says).
// - Bit offsets, Report Size/Count and flags keep their full width (NUT: 8 bits, so its BK650M2
//   id 0x20 buffer is 33 bytes where the spec says 47; `nutReportLength()` reproduces NUT's).
// - Input, Output and Feature reports of one id are separate reports (NUT: one buffer per id).
// - Fields whose bits did not arrive in a short answer are "unavailable", not read as the zero
//   fill / stale bytes of NUT's buffer.
// - `logicalMaxAssumed` holds only for ranges set by the repaired LogMax item (NUT's flag, once
//   set, sticks to every later item).
// - Unit Exponent items outside 0..15 are read as signed bytes (NUT: value | 0xF0).
// - Powers of ten are exact: 13.5 V writes as 1350 where NUT's 0.1·0.1 product truncates to 1349.
// - `findField()` matches whole paths; NUT compares only the query's length (a prefix match).
// - `parsePath()` rejects an unknown token; NUT drops it and looks up the shorter path.

/** Field table, report sizes, warnings: the parser's result types. */
export {
  HID_WARNING_CODES,
  REPORT_TYPE_CODES,
  REPORT_TYPES,
  type HidField,
  type HidReport,
  type HidWarning,
  type HidWarningCode,
  type MainItemFlags,
  type ParsedDescriptor,
  type ReportType,
} from "./types.ts"
/** Typed errors of the write path and of fixture files. */
export { HID_ERROR_CODES, HidError, type HidErrorCode } from "./errors.ts"
/** `parseReportDescriptor(bytes, { usageNames })` → `{ fields, reports, usesReportIds, warnings }`; never throws. */
export { MAX_FIELDS, MAX_FIELDS_PER_ITEM, MAX_REPORT_BITS, parseReportDescriptor, type ParseOptions } from "./parser.ts"
/** Low-level item reader (prefix, data, long items) for dumps such as `driver explore`. */
export { readItems, type HidItem, type TruncatedItem } from "./items.ts"
/** Field values out of reports (`decodeField`) and into a copy of a buffered report (`patchReport`). */
export {
  MAX_NUMERIC_BITS,
  decodeField,
  fitsField,
  nutCanWrite,
  nutLogical,
  patchReport,
  readBits,
  readBytes,
  signedRaw,
  writeBits,
  type FieldUnavailableReason,
  type FieldValue,
} from "./codec.ts"
/** NUT's logical ⇄ physical conversion and unit exponents (see scaling.ts for what it does and does not do). */
export {
  NUT_UNIT_EXPONENTS,
  logicalToPhysical,
  physicalToLogical,
  scaleExponent,
  toLogical,
  toPhysical,
  unitName,
} from "./scaling.ts"
/** Look-ups and report checks: find a field by NUT path, decode a whole report, short/long answers, NUT lengths. */
export {
  checkReport,
  decodeReport,
  fieldsOfReport,
  findField,
  findReport,
  nutReportLength,
  padReport,
  type FindFieldOptions,
  type ReportCheck,
} from "./reports.ts"
/** Subdriver descriptor repairs (NUT's *_fix_report_desc): rewrite a report's logical range. */
export { selectsField, withLogicalRange, type FieldSelector } from "./descriptor-fixes.ts"
/** NUT path notation: names, `[n]` index nodes, `%08x` for unnamed usages. */
export { INDEX_NODE_BASE, formatNode, formatPath, isIndexNode, parsePath, samePath } from "./path.ts"
/** Usage ⇄ name tables as NUT prints them: standard pages only (explore), per vendor, or all. */
export {
  ALL_USAGE_NAMES,
  APC_USAGE_NAMES,
  CYBERPOWER_USAGE_NAMES,
  MGE_USAGE_NAMES,
  STANDARD_USAGE_NAMES,
  createUsageNames,
  type UsageNames,
} from "./usage-names.ts"
/** The raw usage tables (Power Device 0x84, Battery System 0x85, APC 0xFF86, CyberPower 0xFF01, Eaton/MGE 0xFFFF). */
export { BATTERY_SYSTEM_USAGES, POWER_DEVICE_USAGES } from "./usages/standard.ts"
export { APC_USAGES, CYBERPOWER_USAGES, MGE_USAGES } from "./usages/vendor.ts"
export type { UsageTable } from "./usages/table.ts"
/** The field table in the *.fields.txt layout. */
export { formatFields } from "./format.ts"
/** Readers of the fixture formats (`*.rdesc.hex`, `*.reports.txt`), for tests and the simulator. */
export { parseHexBytes, parseReportRecords, type PathRecord, type ReportBytesRecord, type ReportRecord } from "./fixture-format.ts"
/** Device access contract: node-hid (hidraw) or the simulated UPS. */
export { HID_TRANSPORT_ERROR_CODES, HidTransportError, type HidDeviceInfo, type HidOpener, type HidTransport, type HidTransportErrorCode } from "./transport.ts"
/** node-hid (hidraw) implementation of the contract; node-hid is imported lazily, on first use. */
export {
  UPS_VENDOR_IDS,
  createNodeHidOpener,
  isLikelyUps,
  type NodeHidApi,
  type NodeHidDevice,
  type NodeHidHandle,
  type NodeHidOpener,
  type NodeHidOpenerOptions,
  type SysfsAccess,
} from "./node-hid-transport.ts"
/** The simulated UPS behind the same contract: `sim:` ports, scenarios, a clock seam. */
export { openSimPort, isSimPort, parseSimPort, type OpenSimPortOptions, type SimPortDevice, type SimPortSpec } from "./sim/sim-port.ts"
export { createSimulatedUps, HUNG_TIMEOUT_MS, INPUT_QUEUE_LIMIT, SimulatedUps } from "./sim/simulated-ups.ts"
export { createSimOpener, SimTransport } from "./sim/sim-transport.ts"
export {
  BUILTIN_SCENARIOS,
  SCENARIO_ACTIONS,
  builtinScenario,
  parseDuration,
  parseScenario,
  type Scenario,
  type ScenarioAction,
  type ScenarioActionKind,
  type ScenarioStep,
  type SelfTestResult,
} from "./sim/scenario.ts"
export { TEST_RESULTS, type SimDeviceSpec, type SimEvent, type SimHandle, type SimQuirks, type SimState, type SimulatedUpsOptions, type UpsModelState } from "./sim/types.ts"
export { EMBEDDED_SIM_DEVICES, embeddedSimDevice, isEmbeddedSimDevice, type EmbeddedSimDevice } from "./sim/embedded.ts"
export { scaledClock, systemClock, type SimClock } from "./sim/clock.ts"
export { SIM_ERROR_CODES, SimError, type SimErrorCode } from "./sim/errors.ts"

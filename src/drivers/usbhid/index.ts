// NUT's usbhid-ups: subdriver tables (APC, CyberPower, Eaton/MGE, generic), the mapping engine and
// the driver runtime on an injected HidOpener.
//
// Layers: define-subdriver.ts (tables as data) → binding.ts (table × descriptor: which field serves
// which row) → mapper.ts (report bytes → NUT texts and status facts, pure) → status.ts (ups.status)
// and writes.ts (SET VAR / INSTCMD → field writes, pure) → device-session.ts (one open device,
// requests under deadlines) → usbhid-driver.ts (polling, interrupts, reconnect; the Driver).
//
// Defaults chosen here (ups.conf options override them):
// - APC Back-UPS BX…MI / BVK…M2 / BK…M2-CH: LB and RB raised while on line are published only after
//   they lasted 3 s, calibrating or not (lbrb_log_delay_sec 3 + lbrb_log_delay_without_calibrating):
//   those firmwares flap both for a second (nut#2347); on battery nothing is delayed.
// - OL + DISCHRG (BK650M2-CH on line, nut#1970): published as NUT 2.8.0 does, `OL DISCHRG`, with one
//   warning; `onlinedischarge_onbattery` makes it `OB DISCHRG`, `onlinedischarge_calibration`
//   `OL DISCHRG CAL`. Neither is a default: the BK reports it on line (OB would start shutdowns),
//   and CAL makes upsmon ignore OB+LB.
// - driver.version "nutctl <version>", driver.version.internal "<version>", driver.version.data
//   "<subdriver title> nutctl" (NUT: "2.8.0", "0.47", "APC HID 0.98"); no driver.version.usb.
// - CyberPower: ups.delay.shutdown 60 / ups.delay.start 120 and pollfreq 12, as newer NUT does.
//
// Deliberate differences from usbhid-ups are commented where they happen; the main ones: interrupt
// reports are published at once; out-of-range values, short and garbage reports are dropped (logged
// once) instead of clamped or read from a stale buffer; unknown enum words and non-numbers are
// INVALID-ARGUMENT instead of writing -1 / 0; positive delays never round down to an immediate cut;
// a write sends the report with the length the device answered; shutdown.return on APC BX writes
// APCDelayBeforeReboot = 1 (NUT PR #3566); Input-only fields are used from interrupt reports.

/** The driver (implements Driver) and its options. */
export { UsbHidDriver, type UsbHidDriverOptions } from "./usbhid-driver.ts"
/** ups.conf options of usbhid-ups, parsed. */
export { parseUsbHidOptions, UsbHidOptionError, USBHID_OPTION_NAMES, type UsbHidOptions } from "./options.ts"
/** Time source of the driver (tests inject a manual clock). */
export { SYSTEM_CLOCK, type UsbHidClock } from "./clock.ts"
/** Device selection like ups.conf vendorid/productid/vendor/product/serial/bus. */
export { createDeviceMatcher, DeviceCriteriaError, type DeviceCriteria } from "./device-match.ts"
/** Authoring a subdriver table. */
export { defineSubdriver, delayFrom, SubdriverDefinitionError, type Subdriver } from "./define-subdriver.ts"
/** Contracts of subdriver rows and conversions. */
export type { CommandRow, Conversion, ConversionContext, SettingRow, StatusFact, StatusRow, SubdriverDefinition, VarRow } from "./types.ts"
/** The built-in subdrivers and how one is chosen for a device. */
export { apcSubdriver, chooseSubdriver, cyberpowerSubdriver, eatonSubdriver, genericSubdriver, isBxFamily, SUBDRIVERS } from "./subdrivers/index.ts"
/** Binding a subdriver to a descriptor, and the pure mapping engine (reports → NUT values). */
export { bindSubdriver, type Binding } from "./binding.ts"
export { HidMapper } from "./mapper.ts"
/** SET VAR / INSTCMD → HID writes. */
export { commandNames, planInstcmd, planSetvar, type WritePlan, type WriteStep } from "./writes.ts"
/** ups.status composition (usbhid-ups 2.8.0 order, onlinedischarge_*, LB/RB debounce). */
export { composeStatus, type ComposedStatus, type OnlineDischarge, type StatusOptions } from "./status.ts"
/** NUT's value conversions. */
export { apcHexDate, beeperStatus, fixed, hidDate, testResult } from "./conversions.ts"

/**
 * Driver names ups.conf may hold: the ones nutctl runs itself, and NUT's own drivers (served by
 * the real driver process's socket). A name in neither list is most likely a typo.
 */
import { SUPPORTED_DRIVERS } from "../drivers/index.ts"

/** Names nutctl's drivers answer to in ups.conf (NUT's, and nutctl's short ones). */
export const NATIVE_DRIVER_NAMES: readonly string[] = [...SUPPORTED_DRIVERS, "dummy", "usbhid"]

/**
 * NUT 2.8 driver binaries: the ones of Debian's nut-server package (/lib/nut), then those of
 * nut-snmp, nut-xml, nut-ipmi, nut-modbus, nut-powerman and drivers newer releases added.
 */
export const NUT_DRIVER_NAMES: ReadonlySet<string> = new Set([
  "al175", "apcsmart", "apcsmart-old", "apcupsd-ups", "bcmxcp", "bcmxcp_usb", "belkin", "belkinunv",
  "bestfcom", "bestfortress", "bestuferrups", "bestups", "blazer_ser", "blazer_usb", "clone", "clone-outlet",
  "dummy-ups", "etapro", "everups", "gamatronic", "genericups", "isbmex", "ivtscd", "liebert", "liebert-esp2",
  "masterguard", "metasys", "mge-shut", "mge-utalk", "microdowell", "microsol-apc", "nutdrv_atcl_usb",
  "nutdrv_qx", "nutdrv_siemens-sitop", "oneac", "optiups", "powercom", "powerpanel", "rhino", "richcomm_usb",
  "riello_ser", "riello_usb", "safenet", "solis", "tripplite", "tripplite_usb", "tripplitesu", "upscode2",
  "usbhid-ups", "victronups",
  "snmp-ups", "netxml-ups", "nut-ipmipsu", "powerman-pdu", "apc_modbus", "generic_modbus", "phoenixcontact_modbus",
  "adelsystem_cbi", "socomec_jbus", "huawei-ups2000", "nutdrv_hashx", "generic_gpio", "hwmon_ina219", "pijuice",
  "asem", "macosx-ups", "sms_ser",
])

/**
 * Why a ups.conf `driver` name looks wrong, or undefined when nutctl runs it or NUT has a driver
 * of that name.
 */
export function unknownDriverProblem(driver: string): string | undefined {
  if (NATIVE_DRIVER_NAMES.includes(driver) || NUT_DRIVER_NAMES.has(driver)) return undefined
  return `driver ${driver} is neither one nutctl runs itself (${SUPPORTED_DRIVERS.join(", ")}) nor a NUT driver name: nutctl will wait for NUT's own ${driver} driver to serve its socket (a typo?)`
}

/**
 * The single catalogue of NUT protocol error codes (NUT 2.8.0 `common/neterr.h`,
 * docs/net-protocol.txt). Only the session turns a NutError into `ERR <code>` on the wire.
 */
export const NUT_ERR_CODES = [
  "ACCESS-DENIED",
  "UNKNOWN-UPS",
  "VAR-NOT-SUPPORTED",
  "CMD-NOT-SUPPORTED",
  "INVALID-ARGUMENT",
  "INSTCMD-FAILED",
  "SET-FAILED",
  "READONLY",
  "TOO-LONG",
  "FEATURE-NOT-SUPPORTED",
  "FEATURE-NOT-CONFIGURED",
  "ALREADY-SSL-MODE",
  "DRIVER-NOT-CONNECTED",
  "DATA-STALE",
  "ALREADY-LOGGED-IN",
  "INVALID-PASSWORD",
  "ALREADY-SET-PASSWORD",
  "INVALID-USERNAME",
  "ALREADY-SET-USERNAME",
  "USERNAME-REQUIRED",
  "PASSWORD-REQUIRED",
  "UNKNOWN-COMMAND",
  "INVALID-VALUE",
  // legacy codes: never emitted by upsd 2.8.0, still understood by clients
  "VAR-UNKNOWN",
  "UNKNOWN-TYPE",
  "UNKNOWN-INSTCMD",
  "MISSING-ARGUMENT",
  "PASSWORD-INCORRECT",
] as const

export type NutErrCode = (typeof NUT_ERR_CODES)[number]

const KNOWN = new Set<string>(NUT_ERR_CODES)

/** True when `code` is one of the NUT protocol error codes. */
export function isNutErrCode(code: string): code is NutErrCode {
  return KNOWN.has(code)
}

/** A protocol-level failure that reaches the client as `ERR <code>`. */
export class NutError extends Error {
  readonly code: NutErrCode
  constructor(code: NutErrCode, options?: ErrorOptions) {
    super(code, options)
    this.name = "NutError"
    this.code = code
  }
  toWire(): string {
    return `ERR ${this.code}`
  }
}

/**
 * The messages libupsclient prints for each code (clients/upsclient.c), so that nutctl's own
 * CLI reads like upsc/upsrw/upscmd. Codes libupsclient does not know print "Unknown error".
 */
export const NUT_ERR_MESSAGES: Readonly<Partial<Record<NutErrCode, string>>> = {
  "VAR-NOT-SUPPORTED": "Variable not supported by UPS",
  "CMD-NOT-SUPPORTED": "Instant command not supported by UPS",
  "ACCESS-DENIED": "Access denied",
  "UNKNOWN-UPS": "Unknown UPS",
  "DRIVER-NOT-CONNECTED": "Driver not connected",
  "DATA-STALE": "Data stale",
  "ALREADY-LOGGED-IN": "Already logged in",
  "INVALID-PASSWORD": "Invalid password",
  "ALREADY-SET-PASSWORD": "Password already set",
  "INVALID-USERNAME": "Invalid username",
  "ALREADY-SET-USERNAME": "Username already set",
  "USERNAME-REQUIRED": "Username required",
  "PASSWORD-REQUIRED": "Password required",
  "UNKNOWN-COMMAND": "Unknown command",
  "INVALID-VALUE": "Invalid value",
  "READONLY": "Read-only variable",
  "TOO-LONG": "New value is too long",
  "SET-FAILED": "Set command failed",
  "INSTCMD-FAILED": "Instant command failed",
  "INVALID-ARGUMENT": "Invalid argument",
  "FEATURE-NOT-SUPPORTED": "Feature not supported by server",
  "FEATURE-NOT-CONFIGURED": "Feature not configured",
  "ALREADY-SSL-MODE": "Already in TLS mode",
}

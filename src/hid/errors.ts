// Typed errors of the HID core. Parsing and decoding never throw (they return warnings and
// "unavailable" results); only programming errors on the write path and unreadable fixture files do.

export const HID_ERROR_CODES = ["HID_INVALID_VALUE", "HID_FIELD_TOO_WIDE", "HID_WRONG_REPORT", "HID_BAD_FIXTURE"] as const
export type HidErrorCode = (typeof HID_ERROR_CODES)[number]

/** A caller mistake on the HID write path, or a fixture file that cannot be read. */
export class HidError extends Error {
  readonly code: HidErrorCode
  constructor(code: HidErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = "HidError"
    this.code = code
  }
}

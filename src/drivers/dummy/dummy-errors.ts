/** Stable codes of {@link DummyDriverError} (match on these, never on the message). */
export const DUMMY_DRIVER_ERROR_CODES = [
  /** The data file cannot be read when the driver starts (dummy-ups exits in that case too). */
  "DUMMY_FILE_UNREADABLE",
] as const

export type DummyDriverErrorCode = (typeof DUMMY_DRIVER_ERROR_CODES)[number]

/** Why the dummy-ups driver could not start. */
export class DummyDriverError extends Error {
  readonly code: DummyDriverErrorCode
  /** The data file, as configured. */
  readonly file: string
  constructor(code: DummyDriverErrorCode, file: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = "DummyDriverError"
    this.code = code
    this.file = file
  }
}

// Typed errors of the simulated UPS's set-up: a `sim:` port, a scenario or a fixture that cannot be
// used. Device-level failures (unplugged, hung) are HidTransportErrors, like a real device's.

export const SIM_ERROR_CODES = ["SIM_BAD_PORT", "SIM_BAD_SCENARIO", "SIM_BAD_FIXTURE"] as const
export type SimErrorCode = (typeof SIM_ERROR_CODES)[number]

/** E.g. `Cannot read scenario outage.txt: line 3: unknown action "flood"`. */
export class SimError extends Error {
  readonly code: SimErrorCode
  constructor(code: SimErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = "SimError"
    this.code = code
  }
}

// Check a UPS section's driver options without starting the driver, so a config check finds
// what the driver would refuse at start: the same parsers the drivers use, plus the option
// names each driver knows (NUT's drivers refuse a section key they do not know).
import { DUMMY_MODES } from "./dummy/index.ts"
import { createDeviceMatcher, DeviceCriteriaError, parseUsbHidOptions, UsbHidOptionError, USBHID_OPTION_NAMES } from "./usbhid/index.ts"

/** One option a driver would refuse. */
export interface DriverOptionProblem {
  /** The option, lower-case as in `params`. */
  readonly option: string
  readonly value: string
  /** What it takes, as a phrase that follows "expects". */
  readonly expected: string
}

/** What a check of a section's options found. */
export interface DriverOptionReport {
  readonly problems: readonly DriverOptionProblem[]
  /** Options the driver does not know (probably misspelt). */
  readonly unknown: readonly string[]
}

/**
 * Keys every NUT driver takes (main.c, upsdrvctl, upsd), whatever the driver: `port`, `desc`,
 * `sdorder`, `sdcommands` (killpower's command chain), `pollinterval` and the rest.
 */
export const GENERIC_DRIVER_OPTIONS: readonly string[] = [
  "driver", "port", "desc", "sdorder", "sdcommands", "nolock", "ignorelb", "synchronous", "pollinterval", "maxstartdelay",
  "maxretry", "retrydelay", "user", "group", "debug_min", "sddelay", "allow_killpower", "chroot",
]

const DRIVER_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  "usbhid-ups": USBHID_OPTION_NAMES,
  "dummy-ups": ["mode", "repeater_disable_strict_start"],
  upstream: [],
}

/**
 * Check the options of a section for `driver` (NUT's name: `usbhid-ups`, `dummy-ups`, or
 * nutctl's `upstream`). Keys are lower-case, values as strings (a bare flag is ""). Drivers
 * nutctl does not run natively are not checked beyond the generic keys' values.
 */
export function checkDriverOptions(driver: string, port: string, params: Readonly<Record<string, string>>): DriverOptionReport {
  const problems: DriverOptionProblem[] = []
  const bad = (option: string, expected: string): void => {
    problems.push({ option, value: params[option] ?? "", expected })
  }
  if (driver === "usbhid-ups") problems.push(...usbHidProblems(port, params))
  else {
    // main.c refuses a pollinterval that is not a positive number, whatever the driver
    const poll = params["pollinterval"]
    if (poll !== undefined && !/^\s*[1-9]\d*\s*$/.test(poll)) bad("pollinterval", "a whole number ≥ 1")
  }
  if (driver === "dummy-ups") {
    // `repeater` (a port like ups@host) is left to the real dummy-ups
    const modes: readonly string[] = [...DUMMY_MODES, "repeater"]
    const mode = params["mode"]
    if (mode !== undefined && !modes.includes(mode)) bad("mode", `one of ${modes.join(", ")}`)
  }
  const known = DRIVER_OPTIONS[driver]
  const unknown =
    known === undefined ? [] : Object.keys(params).filter((k) => !GENERIC_DRIVER_OPTIONS.includes(k) && !known.includes(k) && !k.startsWith("override.") && !k.startsWith("default."))
  return { problems, unknown }
}

/** Run usbhid-ups' own option parser until it accepts what is left: every bad option, not only the first. */
function usbHidProblems(port: string, params: Readonly<Record<string, string>>): DriverOptionProblem[] {
  const out: DriverOptionProblem[] = []
  const rest: Record<string, string> = { ...params }
  for (let tries = 0; tries <= Object.keys(params).length; tries++) {
    try {
      createDeviceMatcher(parseUsbHidOptions(port, rest).criteria)
      return out
    } catch (e) {
      if (e instanceof UsbHidOptionError) out.push({ option: e.option, value: rest[e.option] ?? "", expected: e.expected })
      else if (e instanceof DeviceCriteriaError) out.push({ option: e.option, value: rest[e.option] ?? "", expected: "a valid regular expression" })
      else throw e
      delete rest[e.option]
    }
  }
  return out
}

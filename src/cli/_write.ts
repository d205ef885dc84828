/** What `set` and `cmd` share: the --wait options and how a tracked result becomes output and an exit code. */
import type { WriteOutcome } from "../client/index.ts"
import { EXIT, type CliEnv, type ExitCode } from "./_io.ts"
import { UsageError } from "./_target.ts"

/** `--no-wait`, `--wait-timeout` (citty arg definitions). */
export const writeArgs = {
  wait: {
    type: "boolean",
    default: true,
    description: "Wait for the driver's result through TRACKING, like upsrw/upscmd -w",
    negativeDescription: "Only send it: upsd's OK means it was passed to the driver, not that it worked",
  },
  "wait-timeout": { type: "string", default: "10", description: "Seconds to wait for the driver's result", valueHint: "SECONDS" },
} as const

/** `--wait-timeout` in ms. */
export function waitMs(text: string | undefined): number {
  const seconds = Number(text ?? "10")
  if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--wait-timeout must be a number of seconds, not ${text}`)
  return Math.round(seconds * 1000)
}

/**
 * Print the result word on stdout (`OK`, `SUCCESS`, `FAILED`, `UNKNOWN`, `INVALID-ARGUMENT`,
 * `PENDING`), explain anything but success on stderr, and pick the exit code.
 */
export function reportWrite(cli: CliEnv, outcome: WriteOutcome, context: { readonly what: string; readonly waitedMs: number }): ExitCode {
  const { what, waitedMs } = context
  cli.io.out(outcome.result + "\n")
  switch (outcome.result) {
    case "OK":
    case "SUCCESS":
      return EXIT.OK
    case "PENDING":
      cli.io.err(`No result from the driver within ${waitedMs / 1000} s: the ${what} may still happen (tracking id ${outcome.trackingId ?? "?"})\n`)
      return EXIT.UNREACHABLE
    case "FAILED":
      cli.io.err(`The driver reports that the ${what} failed\n`)
      return EXIT.REFUSED
    case "INVALID-ARGUMENT":
      cli.io.err(`The driver rejected the ${what}: invalid argument\n`)
      return EXIT.REFUSED
    case "UNKNOWN":
      cli.io.err(`The driver did not handle the ${what} (it answered UNKNOWN)\n`)
      return EXIT.REFUSED
  }
}

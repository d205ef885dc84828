/**
 * What the client commands (status, list, get, set, cmd, fsd) share at the process edge: output
 * writers, environment, exit codes and the wording of errors. Tests pass their own through
 * citty's `runCommand(cmd, { rawArgs, data: { io, env, … } })`.
 */
import { readFile } from "node:fs/promises"
import { NutClientError, type ClientClock, type Dialer } from "../client/index.ts"
import { NUT_ERR_MESSAGES, NutError } from "../protocol/index.ts"
import { UsageError } from "./_target.ts"

/** Exit codes of the client commands (README "Exit codes"). */
export const EXIT = {
  OK: 0,
  /** The server refused (ERR …), or the driver reported a failure. */
  REFUSED: 1,
  /** Bad command line. */
  USAGE: 2,
  /** Cannot connect, connection lost, or no answer in time. */
  UNREACHABLE: 3,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Where output goes. */
export interface CliIo {
  out(text: string): void
  err(text: string): void
}

/** Capabilities a command gets; every field can be injected through citty's `data`. */
export interface CliEnv {
  readonly io: CliIo
  readonly env: Readonly<Record<string, string | undefined>>
  readFile(path: string): Promise<string>
  /** Replaces the TCP dialer (tests). */
  readonly dialer?: Dialer
  /** Replaces real time for TRACKING waits (tests). */
  readonly clock?: ClientClock
}

/** The process's environment, with any field overridden by `data` (citty's context data). */
export function cliEnv(data: unknown): CliEnv {
  const given = (typeof data === "object" && data !== null ? data : {}) as Partial<CliEnv>
  return {
    io: given.io ?? { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) },
    env: given.env ?? process.env,
    readFile: given.readFile ?? ((path) => readFile(path, "utf8")),
    ...(given.dialer !== undefined ? { dialer: given.dialer } : {}),
    ...(given.clock !== undefined ? { clock: given.clock } : {}),
  }
}

/**
 * Run a command body: errors become a message on stderr and an exit code; the code is stored in
 * `process.exitCode` (main.ts lets the process end by itself) and returned.
 */
export async function runCli(name: string, data: unknown, body: (cli: CliEnv) => Promise<ExitCode>): Promise<ExitCode> {
  const cli = cliEnv(data)
  let code: ExitCode
  try {
    code = await body(cli)
  } catch (error) {
    const report = describeFailure(error)
    cli.io.err(report.message + "\n")
    if (report.code === EXIT.USAGE) cli.io.err(`Run "nutctl ${name} --help" for usage.\n`)
    code = report.code
  }
  process.exitCode = code
  return code
}

/** Exit code and one-paragraph message for any failure. */
export function describeFailure(error: unknown): { code: ExitCode; message: string } {
  if (error instanceof UsageError) return { code: EXIT.USAGE, message: `Error: ${error.message}` }
  if (error instanceof NutError) return { code: EXIT.REFUSED, message: `Error: ${describeNutError(error)}` }
  if (error instanceof NutClientError) {
    const unreachable = error.code !== "protocol" && error.code !== "invalid-request"
    return { code: unreachable ? EXIT.UNREACHABLE : EXIT.REFUSED, message: `Error: ${error.message}` }
  }
  return { code: EXIT.REFUSED, message: `Error: ${error instanceof Error ? error.message : String(error)}` }
}

const HINTS: Readonly<Partial<Record<NutError["code"], string>>> = {
  "UNKNOWN-UPS": "the server has no UPS of that name (nutctl list HOST shows them)",
  "DRIVER-NOT-CONNECTED": "no driver is serving this UPS on the server (driver not running, or it lost the UPS)",
  "DATA-STALE": "the driver has stopped reporting fresh data (USB or cable trouble, or a hung driver)",
  "ACCESS-DENIED": "check the user, password and its actions/instcmds in upsd.users",
  "VAR-NOT-SUPPORTED": "this UPS does not publish that variable",
  "CMD-NOT-SUPPORTED": "this UPS does not offer that command (nutctl cmd -l UPS lists them)",
  "READONLY": "the variable is not writable (nutctl set UPS lists the writable ones)",
  "TOO-LONG": "the value is longer than the variable allows",
  "INVALID-VALUE": "the value is not one the variable allows (nutctl set UPS shows the options)",
}

/** `Unknown UPS (UNKNOWN-UPS): the server has no UPS of that name …` */
export function describeNutError(error: NutError): string {
  const text = NUT_ERR_MESSAGES[error.code] ?? "Unknown error"
  const hint = HINTS[error.code]
  return `${text} (${error.code})${hint ? `: ${hint}` : ""}`
}

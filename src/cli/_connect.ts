/** Connection and login options shared by the client commands, and how they become a NutClient. */
import { NutClient, type NutClientOptions } from "../client/index.ts"
import type { CliEnv } from "./_io.ts"
import { UsageError, type HostTarget } from "./_target.ts"

/** `--tls`, `--tls-ca`, `--tls-verify`, `--timeout` (citty arg definitions). */
export const connectionArgs = {
  tls: {
    type: "string",
    description: "STARTTLS: off, try (go on in clear text if the server has no TLS, like upsc) or require",
    valueHint: "off|try|require",
    default: "try",
  },
  "tls-ca": { type: "string", description: "Verify the server certificate against this PEM CA file", valueHint: "FILE" },
  "tls-verify": { type: "boolean", description: "Verify the server certificate against the system CAs" },
  timeout: { type: "string", description: "Seconds to wait for each reply", valueHint: "SECONDS", default: "5" },
} as const

/** `-u`, `-p`, `--password-file` (citty arg definitions). */
export const authArgs = {
  user: { type: "string", alias: "u", description: "User name from upsd.users", valueHint: "USER" },
  password: { type: "string", alias: "p", description: "Password (visible to other local users: prefer --password-file or NUTCTL_PASSWORD)", valueHint: "PASS" },
  "password-file": { type: "string", description: "Read the password from the first line of FILE", valueHint: "FILE" },
} as const

interface ConnectionArgValues {
  readonly tls?: string | undefined
  readonly "tls-ca"?: string | undefined
  readonly "tls-verify"?: boolean | undefined
  readonly timeout?: string | undefined
}

interface AuthArgValues {
  readonly user?: string | undefined
  readonly password?: string | undefined
  readonly "password-file"?: string | undefined
}

/** Connect to `target` with the command-line connection options. */
export async function openClient(cli: CliEnv, target: HostTarget, args: ConnectionArgValues): Promise<NutClient> {
  const tls = args.tls ?? "try"
  if (tls !== "off" && tls !== "try" && tls !== "require") throw new UsageError(`--tls must be off, try or require, not ${tls}`)
  const seconds = Number(args.timeout ?? "5")
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not ${args.timeout}`)
  const caFile = args["tls-ca"]
  const ca = caFile === undefined ? undefined : await readOrUsage(cli, caFile, "--tls-ca")
  const options: NutClientOptions = {
    host: target.host,
    port: target.port,
    tls,
    tlsOptions: { verify: args["tls-verify"] === true || ca !== undefined, ...(ca !== undefined ? { ca } : {}) },
    timeoutMs: Math.round(seconds * 1000),
    ...(cli.dialer ? { dialer: cli.dialer } : {}),
    ...(cli.clock ? { clock: cli.clock } : {}),
  }
  return NutClient.connect(options)
}

/**
 * User and password from `-u` and, in this order, `-p`, `--password-file`, `NUTCTL_PASSWORD`.
 * The password is never printed.
 */
export async function resolveCredentials(cli: CliEnv, args: AuthArgValues): Promise<{ user: string; password: string }> {
  const user = args.user
  if (user === undefined || user === "") throw new UsageError("A user is required: -u USER (a user from upsd.users)")
  let password = args.password
  if (password === undefined && args["password-file"] !== undefined) {
    const text = await readOrUsage(cli, args["password-file"], "--password-file")
    password = text.split(/\r?\n/, 1)[0] ?? ""
  }
  password ??= cli.env["NUTCTL_PASSWORD"]
  if (password === undefined || password === "") {
    throw new UsageError("A password is required: -p PASS, --password-file FILE or the NUTCTL_PASSWORD environment variable")
  }
  return { user, password }
}

async function readOrUsage(cli: CliEnv, path: string, option: string): Promise<string> {
  try {
    return await cli.readFile(path)
  } catch (error) {
    throw new UsageError(`Cannot read ${option} ${path}: ${(error as Error).message}`)
  }
}

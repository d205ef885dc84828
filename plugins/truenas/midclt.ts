/**
 * The last resort on the NAS itself: `midclt call system.shutdown …` (midclt talks to the
 * middleware over its unix socket as root, so it works without an API key and without the
 * network). Commands go through an injected runner: tests use a fake, nothing here spawns.
 */
import { TrueNasError } from "./errors.ts"
import { parseTrueNasVersion, takesShutdownReason, type TrueNasVersion } from "./session.ts"

/** Runs a program without a shell. */
export type CommandRunner = (argv: readonly string[], options: { readonly signal: AbortSignal; readonly timeoutMs: number }) => Promise<{ readonly exitCode: number; readonly stdout: string; readonly stderr: string }>

export interface MidcltOptions {
  readonly run: CommandRunner
  /** @default midclt */
  readonly midclt: string
  readonly signal: AbortSignal
  readonly timeoutMs: number
}

/** `midclt call system.version` (undefined when it fails). */
export async function midcltVersion(options: MidcltOptions): Promise<TrueNasVersion | undefined> {
  try {
    const r = await options.run([options.midclt, "call", "system.version"], options)
    if (r.exitCode !== 0) return undefined
    const out = r.stdout.trim()
    return parseTrueNasVersion(out.startsWith('"') ? String(JSON.parse(out)) : out)
  } catch {
    return undefined
  }
}

/** The argv of the shutdown call for a version: 25.04+ takes the reason first, 24.x only options. */
export function midcltShutdownArgs(midclt: string, version: TrueNasVersion | undefined, reason: string, delay: number | undefined): string[] {
  const options = delay === undefined ? [] : [JSON.stringify({ delay })]
  return takesShutdownReason(version) ? [midclt, "call", "system.shutdown", reason, ...options] : [midclt, "call", "system.shutdown", ...options]
}

/**
 * Power the NAS off through midclt. When the version is unknown and the 25.04+ form fails, the
 * 24.x form is tried.
 * @throws TrueNasError TRUENAS_MIDCLT_FAILED
 */
export async function midcltShutdown(options: MidcltOptions & { readonly reason: string; readonly delay: number | undefined }): Promise<string> {
  const version = await midcltVersion(options)
  const tries = version === undefined ? [midcltShutdownArgs(options.midclt, undefined, options.reason, options.delay), midcltShutdownArgs(options.midclt, { major: 24, minor: 10, text: "" }, options.reason, options.delay)] : [midcltShutdownArgs(options.midclt, version, options.reason, options.delay)]
  const failures: string[] = []
  for (const argv of tries) {
    let r: Awaited<ReturnType<CommandRunner>>
    try {
      r = await options.run(argv, options)
    } catch (e) {
      failures.push(`${argv.join(" ")}: ${(e as Error).message}`)
      continue
    }
    if (r.exitCode === 0) return `${argv.join(" ")} → ${r.stdout.trim() || "ok"}`
    failures.push(`${argv.join(" ")}: exit status ${r.exitCode}${r.stderr.trim() ? ` (${r.stderr.trim().split("\n").pop()})` : ""}`)
  }
  throw new TrueNasError("TRUENAS_MIDCLT_FAILED", `Cannot power TrueNAS off with midclt: ${failures.join("; ")}`)
}

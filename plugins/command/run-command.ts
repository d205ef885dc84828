/**
 * Run one shell command line the way upsmon's privileged parent runs SHUTDOWNCMD (`system()`:
 * `/bin/sh -c <line>`, the environment inherited), in a process group of its own so a timeout can
 * stop everything it started.
 */
import { spawn } from "node:child_process"
import type { Clock, ExecutorLog } from "../../src/shutdown/index.ts"

/** How long a command gets between SIGTERM and SIGKILL once it has to stop. */
const KILL_GRACE_MS = 5000
/** Output kept for the log; a shutdown script that prints megabytes must not fill memory. */
const MAX_OUTPUT = 8192

/** The command exited non-zero, was killed, or could not start. */
export class CommandFailedError extends Error {
  readonly code = "COMMAND_FAILED"
  /** Exit code, when it exited. */
  readonly exitCode: number | undefined
  /** Signal name, when it was killed. */
  readonly signal: string | undefined
  constructor(command: string, detail: { exitCode?: number | undefined; signal?: string | undefined; cause?: unknown }) {
    const why = detail.cause !== undefined ? `cannot start (${(detail.cause as Error).message})` : detail.signal !== undefined ? `killed by ${detail.signal}` : `exit status ${detail.exitCode}`
    super(`Cannot run shutdown command ${JSON.stringify(command)}: ${why}`, detail.cause === undefined ? {} : { cause: detail.cause })
    this.name = "CommandFailedError"
    this.exitCode = detail.exitCode
    this.signal = detail.signal
  }
}

export interface RunCommandOptions {
  readonly shell: string
  readonly signal: AbortSignal
  readonly clock: Clock
  readonly log: ExecutorLog
}

/** Run `command`; resolves on exit status 0, rejects with CommandFailedError otherwise. */
export function runCommand(command: string, options: RunCommandOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.shell, ["-c", command], { detached: true, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    const collect = (chunk: string): void => {
      if (output.length < MAX_OUTPUT) output += chunk.slice(0, MAX_OUTPUT - output.length)
    }
    child.stdout?.setEncoding("utf8").on("data", collect)
    child.stderr?.setEncoding("utf8").on("data", collect)
    const stopGroup = (): void => {
      signalGroup(child.pid, "SIGTERM")
      const grace = new AbortController()
      child.once("exit", () => grace.abort())
      options.clock.sleep(KILL_GRACE_MS, grace.signal).then(
        () => signalGroup(child.pid, "SIGKILL"),
        () => {},
      )
    }
    options.signal.addEventListener("abort", stopGroup, { once: true })
    child.once("error", (cause) => {
      options.signal.removeEventListener("abort", stopGroup)
      reject(new CommandFailedError(command, { cause }))
    })
    child.once("close", (exitCode, signal) => {
      options.signal.removeEventListener("abort", stopGroup)
      for (const line of output.split("\n")) if (line.trim() !== "") options.log.info(line)
      if (exitCode === 0) resolve()
      else reject(new CommandFailedError(command, { exitCode: exitCode ?? undefined, signal: signal ?? undefined }))
    })
    if (options.signal.aborted) stopGroup()
  })
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: the group is gone already
  }
}

/**
 * Child processes for interop tests that must not outlive the test file: each one runs in its own
 * process group (upsmon forks a privileged parent, a monitoring child and one child per NOTIFYCMD;
 * all share the group), and every group still alive when the test process exits is SIGKILLed.
 * A test that times out never reaches its `finally`, so the `exit` hook is the last line of defence.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process"

const live = new Set<ProcessGroup>()
let hooked = false

/** A spawned process leading its own process group. */
export interface ProcessGroup {
  readonly child: ChildProcess
  /** Everything the process wrote to stdout and stderr so far (for assertions and failure messages). */
  output(): string
  /** Resolves when the leader has exited (at once if it already has). */
  exited(): Promise<void>
  /** SIGTERM the whole group, SIGKILL it if the leader is still there after `graceMs`; idempotent. */
  stop(graceMs?: number): Promise<void>
}

/** Spawn `command` as the leader of a new process group, stdout and stderr captured. */
export function spawnGroup(command: string, args: readonly string[], options: Omit<SpawnOptions, "detached" | "stdio"> = {}): ProcessGroup {
  if (!hooked) {
    hooked = true
    process.once("exit", () => {
      for (const g of live) signalGroup(g.child, "SIGKILL")
    })
  }
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] })
  let text = ""
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (text += d))
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (text += d))
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => resolve())
    child.once("error", (e) => {
      text += `\n[spawn error] ${e.message}\n`
      resolve()
    })
  })
  const group: ProcessGroup = {
    child,
    output: () => text,
    exited: () => exit,
    async stop(graceMs = 2000) {
      // The leader may be gone while its forks (NOTIFYCMD children, upsmon's parent) are not
      signalGroup(child, "SIGTERM")
      const timer = new Promise<"late">((r) => setTimeout(() => r("late"), graceMs).unref())
      if ((await Promise.race([exit.then(() => "done" as const), timer])) === "late") signalGroup(child, "SIGKILL")
      await exit
      signalGroup(child, "SIGKILL")
      live.delete(group)
    },
  }
  live.add(group)
  return group
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // ESRCH: the whole group is gone already
  }
}

/** What a command-line client printed, and how it exited. */
export interface ClientRun {
  readonly stdout: string
  readonly stderr: string
  /** Exit code, or the signal name when it was killed. */
  readonly code: number | string
}

/** Run a short-lived client to completion (killed after `timeoutMs`). */
export function runClient(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], timeout: options.timeoutMs ?? 15_000, killSignal: "SIGKILL" })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.once("error", reject)
    child.once("close", (code, signal) => resolve({ stdout, stderr, code: code ?? signal ?? "?" }))
  })
}

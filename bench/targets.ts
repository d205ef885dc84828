/**
 * The two servers under test, started side by side on 127.0.0.1 with the same .dev file as UPS `ups`:
 * Debian's upsd 2.8.0 + dummy-ups (test/support/real-nut.ts) and nutctl `serve --nut-config DIR`.
 * Each target knows the PID of the process that owns its listening socket, which is what we measure.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort, startRealNut, waitForPort } from "../test/support/real-nut.ts"
import { NutConn } from "./nut-conn.ts"
import { isAlive, pidListeningOn, pidsWithEnv } from "./proc.ts"

export const REPO_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)))

/** A running server under test. */
export interface Target {
  readonly name: "upsd" | "nutctl"
  /** What was started, for the report. */
  readonly command: string
  readonly port: number
  /** The process that owns the listening socket (the node process, not a wrapper). */
  readonly pid: number
  /** Stop everything this target started. */
  stop(): Promise<void>
  /** Last resort on process exit: SIGKILL what is still running, synchronously. */
  killNow(): void
}

const USERS = "[bench]\n\tpassword = bench\n\tupsmon secondary\n"

/** Real upsd 2.8.0 + dummy-ups serving `devFile` as `ups`. */
export async function startUpsd(devFile: string): Promise<Target> {
  const nut = await startRealNut({ ups: [{ name: "ups", file: devFile, desc: "bench" }], users: USERS })
  // every process of this sandbox (upsd, dummy-ups) carries its NUT_CONFPATH: kill exactly those on exit
  const sandboxPids = pidsWithEnv(`NUT_CONFPATH=${nut.etc}`)
  try {
    const pid = pidListeningOn(nut.port)
    if (pid === undefined) throw new Error(`Cannot find the upsd process listening on 127.0.0.1:${nut.port}`)
    await waitForData(nut.port)
    return {
      name: "upsd",
      command: "/lib/nut/upsd -F + /lib/nut/dummy-ups (Debian 2.8.0)",
      port: nut.port,
      pid,
      stop: () => nut.stop(),
      killNow: () => killAll(sandboxPids),
    }
  } catch (err) {
    await nut.stop()
    throw err
  }
}

export interface NutctlOptions {
  readonly devFile: string
  /**
   * Shell command that starts the server; `{dir}` is replaced by the NUT config directory, and when
   * it is absent ` serve --nut-config <dir>` is appended (so `--nutctl-cmd dist/nutctl` works).
   * @default `node --import tsx src/main.ts serve --nut-config <dir>` (no npx/tsx wrapper process)
   */
  readonly command?: string | undefined
  /** @default 60000 (tsx compiles on first start) */
  readonly startTimeoutMs?: number
}

/** nutctl serving the same .dev through its own dummy-ups driver. */
export async function startNutctl(options: NutctlOptions): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-bench-"))
  const port = await freePort()
  const dev = basename(options.devFile)
  copyFileSync(options.devFile, join(dir, dev))
  writeFileSync(join(dir, "ups.conf"), `[ups]\n\tdriver = dummy-ups\n\tport = ${dev}\n\tdesc = "bench"\n`)
  writeFileSync(join(dir, "upsd.conf"), `LISTEN 127.0.0.1 ${port}\n`)
  writeFileSync(join(dir, "upsd.users"), USERS, { mode: 0o600 })
  const logFile = join(dir, "server.log")
  const logFd = openSync(logFile, "w")

  let child: ChildProcess
  let command: string
  // detached: own process group, so stop() reaches a wrapper's children too (kill -PGID)
  if (options.command) {
    command = options.command.includes("{dir}")
      ? options.command.replaceAll("{dir}", dir)
      : `${options.command} serve --nut-config ${dir} --no-http`
    child = spawn("/bin/sh", ["-c", `exec ${command}`], { cwd: REPO_ROOT, detached: true, stdio: ["ignore", logFd, logFd] })
  } else {
    const args = ["--import", "tsx", "src/main.ts", "serve", "--nut-config", dir, "--no-http"]
    command = `node ${args.join(" ")}`
    child = spawn(process.execPath, args, { cwd: REPO_ROOT, detached: true, stdio: ["ignore", logFd, logFd] })
  }
  closeSync(logFd)
  const pgid = child.pid
  const exited = new Promise<void>((r) => child.once("exit", () => r()))
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (pgid !== undefined) process.kill(-pgid, signal)
    } catch {
      // group already gone
    }
  }
  let serverPid: number | undefined
  const stop = async (): Promise<void> => {
    killGroup("SIGTERM")
    const until = Date.now() + 5000
    while ((child.exitCode === null && child.signalCode === null) || (serverPid !== undefined && isAlive(serverPid))) {
      if (Date.now() > until) {
        killGroup("SIGKILL")
        break
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    await Promise.race([
      waitForPort(port, options.startTimeoutMs ?? 60_000),
      exited.then(() => {
        throw new Error(`nutctl exited (code ${child.exitCode ?? child.signalCode}) before listening`)
      }),
    ])
    serverPid = pidListeningOn(port)
    if (serverPid === undefined) throw new Error(`Cannot find the nutctl process listening on 127.0.0.1:${port}`)
    await waitForData(port)
  } catch (err) {
    const log = readTail(logFile)
    await stop()
    throw new Error(`Cannot start nutctl (${command}): ${(err as Error).message}${log ? `\n--- server output ---\n${log}` : ""}`)
  }
  const pid = serverPid
  return {
    name: "nutctl",
    command: command.replace(dir, "DIR"),
    port,
    pid,
    stop,
    killNow: () => {
      killGroup("SIGKILL")
      killAll([pid])
    },
  }
}

/** Wait until `GET VAR ups ups.status` answers with data (the driver has delivered its dump). */
async function waitForData(port: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs
  let last = ""
  for (;;) {
    const conn = await NutConn.open(port)
    last = await conn.request("GET VAR ups ups.status")
    conn.destroy()
    if (last.startsWith("VAR ")) return
    if (Date.now() > until) throw new Error(`no UPS data on port ${port}: ${last}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
}

function readTail(file: string): string {
  try {
    return readFileSync(file, "utf8").slice(-4000).trim()
  } catch {
    return ""
  }
}

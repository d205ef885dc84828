/**
 * The monitor's capabilities on a real system (node: APIs, which Deno and Bun provide too):
 * `/bin/sh -c` for NOTIFYCMD and CMDSCRIPT, `wall` for WALL, the file system for POWERDOWNFLAG.
 * Only the CLI wires these in; tests pass fakes.
 */
import { spawn } from "node:child_process"
import { open, rm } from "node:fs/promises"
import type { FlagFile, ShellRunner } from "./types.ts"

/**
 * Run commands as upsmon's `system()` does, with the process environment (passed in, since only
 * the CLI reads it) plus the notification's variables. Output goes nowhere, as from a daemon.
 */
export function nodeShellRunner(baseEnv: Readonly<Record<string, string | undefined>>): ShellRunner {
  return (command, env) =>
    new Promise((resolve, reject) => {
      const child = spawn("/bin/sh", ["-c", command], { env: { ...baseEnv, ...env }, stdio: "ignore" })
      child.once("error", reject)
      child.once("close", (code, signal) => resolve({ ...(code === null ? {} : { exitCode: code }), ...(signal === null ? {} : { signal }) }))
    })
}

/** Pipe a message to `wall` (upsmon's WALL), as root this reaches every terminal. */
export function nodeWall(command = "wall"): (message: string) => Promise<void> {
  return (message) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, [], { stdio: ["pipe", "ignore", "ignore"] })
      child.once("error", reject)
      child.once("close", () => resolve())
      child.stdin?.on("error", () => {})
      child.stdin?.end(`${message}\n`)
    })
}

/** POWERDOWNFLAG on the file system. */
export const nodeFlagFile: FlagFile = {
  async read(path) {
    let handle
    try {
      handle = await open(path, "r")
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return undefined
      throw e
    }
    try {
      // pdflag_status reads one line into a SMALLBUF; the magic is all that matters
      const buf = new Uint8Array(512)
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0)
      return new TextDecoder("latin1").decode(buf.subarray(0, bytesRead))
    } finally {
      await handle.close()
    }
  },
  async write(path, content) {
    // fopen(…, "w"): create with 0666 less the umask, or truncate what is there
    const handle = await open(path, "w", 0o666)
    try {
      await handle.writeFile(content, "latin1")
    } finally {
      await handle.close()
    }
  },
  async remove(path) {
    await rm(path, { force: true })
  },
}

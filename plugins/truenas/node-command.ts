/** The real CommandRunner: execFile (no shell), killed at its timeout or on abort. */
import { execFile } from "node:child_process"
import type { CommandRunner } from "./midclt.ts"

export const nodeCommandRunner: CommandRunner = (argv, options) =>
  new Promise((resolve, reject) => {
    const [file, ...args] = argv
    if (file === undefined) {
      reject(new Error("Cannot run an empty command"))
      return
    }
    execFile(file, args, { timeout: options.timeoutMs, signal: options.signal, maxBuffer: 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && typeof (error as { code?: unknown }).code !== "number") {
        reject(error)
        return
      }
      resolve({ exitCode: error ? Number((error as { code?: number }).code) : 0, stdout, stderr })
    })
  })

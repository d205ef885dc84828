/**
 * The real CommandRunner (node:child_process, no shell). Only the daemon uses it; tests inject a
 * fake, because the commands include `shutdown -h now`.
 */
import { execFile } from "node:child_process"
import type { Clock } from "../../src/shutdown/index.ts"
import type { CommandRunner } from "./local.ts"

/** A runner that executes argv[0] from PATH; the timeout runs on `clock`. */
export function createNodeCommandRunner(clock: Clock): CommandRunner {
  return {
    run(argv, options) {
      return new Promise((resolve) => {
        const stop = new AbortController()
        const onAbort = (): void => stop.abort(options.signal?.reason)
        options.signal?.addEventListener("abort", onAbort, { once: true })
        const timer = new AbortController()
        if (options.timeoutMs !== undefined) {
          clock.sleep(options.timeoutMs, timer.signal).then(
            () => stop.abort(new Error(`timed out after ${options.timeoutMs} ms`)),
            () => {},
          )
        }
        execFile(argv[0] as string, argv.slice(1), { signal: stop.signal, maxBuffer: 4 << 20, encoding: "utf8" }, (error, stdout, stderr) => {
          timer.abort()
          options.signal?.removeEventListener("abort", onAbort)
          const code = error === null ? 0 : typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : 127
          resolve({ code, stdout, stderr: error !== null && stderr === "" ? error.message : stderr })
        })
      })
    },
  }
}

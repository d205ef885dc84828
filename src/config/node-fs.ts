import { readFile, stat } from "node:fs/promises"
import type { ConfigFs } from "./fs.ts"

/** ConfigFs on the real file system (node:fs works under Node, Deno and Bun). */
export const nodeConfigFs: ConfigFs = {
  async readText(path) {
    return readFile(path, "utf8")
  },
  async mode(path) {
    // Windows reports synthetic permission bits; treat them as unknown rather than warn on every file.
    if (globalThis.process?.platform === "win32") return undefined
    return (await stat(path)).mode & 0o777
  },
}

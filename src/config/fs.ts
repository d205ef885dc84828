/**
 * The file access config loading needs, passed in as a capability so the parsers stay
 * runtime-neutral and tests can serve files from memory.
 */
export interface ConfigFs {
  /** Read a UTF-8 text file; rejects with the runtime's error (its `code` is `ENOENT`, `EACCES`, …). */
  readText(path: string): Promise<string>
  /** Permission bits of a file (`0o640`), or undefined when the platform has none (Windows). */
  mode(path: string): Promise<number | undefined>
}

/** A ConfigFs over an in-memory map (tests, embedded demo configs). Missing paths reject with ENOENT. */
export function memoryConfigFs(files: Readonly<Record<string, string | { text: string; mode: number }>>): ConfigFs {
  function get(path: string): { text: string; mode: number } {
    const entry = files[path]
    if (entry === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" })
    return typeof entry === "string" ? { text: entry, mode: 0o600 } : entry
  }
  return {
    async readText(path) {
      return get(path).text
    },
    async mode(path) {
      return get(path).mode
    },
  }
}

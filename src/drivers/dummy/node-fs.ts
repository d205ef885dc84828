import { readFile, stat } from "node:fs/promises"

/** Read the data file (node:fs works under Node, Deno and Bun). */
export function readTextFile(path: string): Promise<string> {
  return readFile(path, "utf8")
}

/** Modification time of the data file. */
export async function statFile(path: string): Promise<{ readonly mtimeMs: number }> {
  const s = await stat(path)
  return { mtimeMs: s.mtimeMs }
}

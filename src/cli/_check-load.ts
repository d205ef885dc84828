/**
 * The cluster config for `check` and `hook`, read first and parsed only when it exists: the
 * config code (zod, confbox) is most of a check's start-up, and a node without a config file
 * should not pay for it every minute.
 */
import type { ClusterView } from "./_check-config.ts"

/**
 * Load `file` when it exists. A named file (--config, $NUTCTL_CONFIG) must load; the default
 * path may be missing.
 * @throws Error with the config's messages
 */
export async function readClusterView(file: string, named: boolean, hostname: string, readFile: (path: string) => Promise<string>): Promise<ClusterView | undefined> {
  let text: string
  try {
    text = await readFile(file)
  } catch (e) {
    if (!named && (e as NodeJS.ErrnoException).code === "ENOENT") return undefined
    text = "" // the loader reports the file's problem in its own words
  }
  const { loadClusterView } = await import("./_check-config.ts")
  const fs = {
    readText: async (p: string) => (p === file && text !== "" ? text : readFile(p)),
    mode: async () => undefined,
  }
  return loadClusterView(file, named, hostname, fs)
}

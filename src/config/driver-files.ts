/**
 * Files a ups.conf section needs before its driver can start. dummy-ups reads its `.dev`/`.seq`
 * file when it starts and exits when it cannot (NUT 2.8.0: "Can't open dummy-ups definition
 * file"); it never looks again, so a file that appears later does not help a running driver.
 * `config check` therefore treats a missing file as an error. `serve` does not: like upsd it
 * serves the other UPSes and this one answers DRIVER-NOT-CONNECTED, with the reason logged.
 */
import { isExternalUps } from "../drivers/index.ts"
import { configIssue, readFailure, type ConfigIssue } from "./errors.ts"
import type { ConfigFs } from "./fs.ts"
import { resolveIn } from "./paths.ts"
import type { UpsDefinition } from "./types.ts"

/** Drivers nutctl runs as dummy-ups (simulation from a data file). */
const DUMMY_DRIVERS = new Set(["dummy-ups", "dummy"])

/**
 * One issue per dummy-ups section whose data file cannot be read, naming ups.conf's `port` line.
 * Repeater mode (`port = ups@host`) and UPSes left to NUT's own driver (`nutctl_external`) are
 * not checked.
 */
export async function checkDriverFiles(ups: readonly UpsDefinition[], globals: Readonly<Record<string, string>>, fs: ConfigFs): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = []
  for (const u of ups) {
    if (!DUMMY_DRIVERS.has(u.driver) || u.port.includes("@") || isExternalUps(globals, u.name)) continue
    const path = resolveIn(u.baseDir, u.port)
    try {
      await fs.readText(path)
    } catch (cause) {
      const { reason, notFound } = readFailure(cause)
      const file = u.source?.file ?? "ups.conf"
      const line = u.source?.portLine
      const where = line === undefined ? file : `${file}:${line}`
      issues.push(
        configIssue({
          code: notFound ? "CONFIG_NOT_FOUND" : "CONFIG_UNREADABLE",
          file,
          line,
          key: "port",
          expected: "a readable dummy-ups data file",
          message: `${where}: port: dummy-ups data file ${path}: ${reason} (the driver of [${u.name}] cannot start without it)`,
        }),
      )
    }
  }
  return issues
}

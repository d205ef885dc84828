/**
 * POWERDOWNFLAG as upsmon 2.8.0 handles it (clients/upsmon.c set_pdflag / clear_pdflag /
 * pdflag_status): written with exactly SDMAGIC (`upsmon-shutdown-file`, 20 bytes, no newline)
 * right before the shutdown by any monitor that shuts down with the directive set, primary or
 * secondary; removed at start only when it carries the magic, so a misconfigured path never
 * destroys a file that is not ours. The late shutdown hook (`upsmon -K`, `nutctl killpower`)
 * reads it with `powerDownFlagStatus`.
 */
import { POWERDOWNFLAG_CONTENT } from "./host-machine.ts"
import type { FlagFile } from "./types.ts"

/** `absent`, ours (`set`), or something else in the file (`foreign`: upsmon then disables the flag). */
export type PowerDownFlagStatus = "absent" | "set" | "foreign"

/** pdflag_status: upsmon compares only the first strlen(SDMAGIC) bytes. */
export async function powerDownFlagStatus(fs: FlagFile, path: string): Promise<PowerDownFlagStatus> {
  const text = await fs.read(path)
  if (text === undefined) return "absent"
  return text.startsWith(POWERDOWNFLAG_CONTENT) ? "set" : "foreign"
}

/** set_pdflag: create or truncate the file with the magic. */
export async function writePowerDownFlag(fs: FlagFile, path: string): Promise<void> {
  await fs.write(path, POWERDOWNFLAG_CONTENT)
}

/**
 * clear_pdflag at start: remove the flag when it is ours. Returns `foreign` when the file holds
 * something else; upsmon then logs "does not contain the upsmon magic string - disabling!" and
 * never writes it.
 */
export async function clearPowerDownFlag(fs: FlagFile, path: string): Promise<PowerDownFlagStatus> {
  const status = await powerDownFlagStatus(fs, path)
  if (status === "set") await fs.remove(path)
  return status
}

import type { ConfigWarning } from "./types.ts"

export interface SecretFileModeOptions {
  /**
   * Accept group read. NUT's files must be readable by group `nut` (Debian ships upsd.users as
   * 0640 root:nut, TrueNAS as 0440), and upsd itself only warns about world access
   * (common.c check_perms), so the NUT importer passes true. @default false
   */
  readonly allowGroup?: boolean
  /** What the file holds, for the message. @default "passwords" */
  readonly holds?: string
}

/** Who besides the owner can access a file, as `world-accessible (mode 0644)`; undefined if nobody. */
export function describeOpenMode(mode: number | undefined, options: SecretFileModeOptions = {}): string | undefined {
  if (mode === undefined) return undefined
  const world = (mode & 0o007) !== 0
  const group = (mode & 0o070) !== 0 && !options.allowGroup
  if (!world && !group) return undefined
  return `${world ? "world" : "group"}-accessible (mode 0${(mode & 0o777).toString(8).padStart(3, "0")})`
}

/**
 * Warn when a file holding secrets (passwords, a private key) can be read by others.
 * @param file the path shown in the warning
 * @param mode permission bits, or undefined when unknown (no warning)
 */
export function checkSecretFileMode(file: string, mode: number | undefined, options: SecretFileModeOptions = {}): ConfigWarning | undefined {
  const open = describeOpenMode(mode, options)
  if (open === undefined) return undefined
  return { file, message: `${file} holds ${options.holds ?? "passwords"} and is ${open}; chmod ${options.allowGroup ? "640" : "600"} it` }
}

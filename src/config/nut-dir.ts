/**
 * Read an existing NUT config directory (/etc/nut) the way upsd and upsmon would, so nutctl can
 * be dropped in for them: ups.conf + upsd.conf + upsd.users → ServeSetup, plus upsmon.conf and
 * nut.conf when present.
 */
import type { TlsSettings } from "../server/index.ts"
import { checkDriverFiles } from "./driver-files.ts"
import { ConfigError, configIssue, errnoCode, readIssue, type ConfigIssue } from "./errors.ts"
import { checkSecretFileMode } from "./file-mode.ts"
import type { ConfigFs } from "./fs.ts"
import { parseNutConf, type NutMode } from "./nut-conf.ts"
import { nodeConfigFs } from "./node-fs.ts"
import { baseName, dirOf, resolveIn } from "./paths.ts"
import { tlsFromPem } from "./pem.ts"
import type { ConfigWarning, ServeSetup } from "./types.ts"
import { parseUpsConf } from "./ups-conf.ts"
import { parseUpsdConf, type UpsdConf } from "./upsd-conf.ts"
import { parseUpsdUsers } from "./upsd-users.ts"
import { parseUpsmonConf, type UpsmonConf } from "./upsmon-conf.ts"

export interface LoadNutConfigDirOptions {
  /** File access. @default the real file system */
  readonly fs?: ConfigFs
  /** upsmon's file, relative to the directory or absolute. @default "upsmon.conf" */
  readonly upsmonFile?: string
  /**
   * Also check that the files drivers read at start exist (dummy-ups data files): errors for
   * `config check`. `serve` leaves it to the driver, as upsd serves the other UPSes. @default false
   */
  readonly checkDriverFiles?: boolean
}

/** A NUT config directory, read. */
export interface NutConfigDir {
  readonly dir: string
  /** What a drop-in upsd needs. Its warnings are those of ups.conf, upsd.conf and upsd.users. */
  readonly setup: ServeSetup
  /** upsd.conf settings that have no place in ServeSetup (STATEPATH, DEBUG_MIN, …); undefined without upsd.conf. */
  readonly upsd: UpsdConf | undefined
  /** ups.conf keys before the first section. */
  readonly upsGlobals: Readonly<Record<string, string>>
  readonly upsmon: UpsmonConf | undefined
  /** nut.conf MODE. */
  readonly mode: NutMode | undefined
  /** Every warning of every file. */
  readonly warnings: readonly ConfigWarning[]
  /** The part of `warnings` about upsmon.conf (the monitor reads that file again and shows them itself). */
  readonly upsmonWarnings: readonly ConfigWarning[]
}

/**
 * Load a NUT config directory. ups.conf and upsd.conf are required (upsd will not start
 * without them) unless nut.conf says MODE=netclient; upsd.users, upsmon.conf and nut.conf are
 * optional.
 * @throws ConfigError with every problem found in every file, and every warning
 */
export async function loadNutConfigDir(dir: string, options: LoadNutConfigDirOptions = {}): Promise<NutConfigDir> {
  const fs = options.fs ?? nodeConfigFs
  const issues: ConfigIssue[] = []
  const serverWarnings: ConfigWarning[] = []
  const otherWarnings: ConfigWarning[] = []
  const upsmonWarnings: ConfigWarning[] = []

  /** Read a file; undefined when it is optional and missing, or unreadable (issue recorded). */
  async function read(name: string, required: boolean): Promise<{ path: string; text: string } | undefined> {
    const path = resolveIn(dir, name)
    try {
      return { path, text: await fs.readText(path) }
    } catch (cause) {
      // `--nut-config /etc/nut/ups.conf`: every file would be "missing"; say what is wrong once
      if (errnoCode(cause) === "ENOTDIR" && !name.startsWith("/")) throw notADirectory(dir)
      const issue = readIssue(path, cause)
      if (required || issue.code !== "CONFIG_NOT_FOUND") issues.push(issue)
      return undefined
    }
  }
  /** Run a parser, moving its ConfigError issues into ours. */
  function parse<T>(fn: () => T): T | undefined {
    try {
      return fn()
    } catch (e) {
      if (e instanceof ConfigError) {
        issues.push(...e.issues)
        return undefined
      }
      throw e
    }
  }
  async function checkMode(path: string, into: ConfigWarning[], holds?: string): Promise<void> {
    const w = checkSecretFileMode(path, await fs.mode(path).catch(() => undefined), { allowGroup: true, ...(holds ? { holds } : {}) })
    if (w) into.push(w)
  }

  const nutFile = await read("nut.conf", false)
  const nutConf = nutFile && parse(() => parseNutConf(nutFile.text, nutFile.path))
  if (nutConf) otherWarnings.push(...nutConf.warnings)
  const serverRequired = nutConf?.mode !== "netclient"

  const upsFile = await read("ups.conf", serverRequired)
  const upsConf = upsFile && parse(() => parseUpsConf(upsFile.text, { file: upsFile.path, baseDir: dir }))
  if (upsConf) serverWarnings.push(...upsConf.warnings)

  const upsdFile = await read("upsd.conf", serverRequired)
  const upsd = upsdFile && parse(() => parseUpsdConf(upsdFile.text, upsdFile.path))
  if (upsd) serverWarnings.push(...upsd.warnings)

  const usersFile = await read("upsd.users", false)
  const users = usersFile && parse(() => parseUpsdUsers(usersFile.text, usersFile.path))
  if (usersFile) await checkMode(usersFile.path, serverWarnings)
  if (users) serverWarnings.push(...users.warnings)
  else if (!usersFile && upsdFile) {
    serverWarnings.push({ file: resolveIn(dir, "upsd.users"), message: `${resolveIn(dir, "upsd.users")} does not exist: nobody can log in, SET or run instant commands` })
  }

  let tls: TlsSettings | undefined
  if (upsd?.certFile !== undefined) {
    const pem = await read(upsd.certFile, true)
    if (pem) {
      tls = parse(() => tlsFromPem(pem.text, pem.path, upsd.disableWeakSsl))
      await checkMode(pem.path, serverWarnings, "a private key")
    }
  }

  const upsmonFile = await read(options.upsmonFile ?? "upsmon.conf", options.upsmonFile !== undefined)
  const upsmon = upsmonFile && parse(() => parseUpsmonConf(upsmonFile.text, upsmonFile.path))
  if (upsmonFile) await checkMode(upsmonFile.path, upsmonWarnings)
  if (upsmon) upsmonWarnings.push(...upsmon.warnings)
  otherWarnings.push(...upsmonWarnings)

  const allowNoDevice = upsd?.allowNoDevice ?? false
  if (upsConf && upsConf.ups.length === 0 && !allowNoDevice && serverRequired) {
    // upsd 2.8.0: "Fatal error: at least one UPS must be defined in ups.conf"
    issues.push(
      configIssue({
        file: upsFile?.path ?? "ups.conf",
        expected: "at least one complete [ups] section with driver and port (or ALLOW_NO_DEVICE true in upsd.conf)",
        message: `${upsFile?.path ?? "ups.conf"}: expects at least one complete [ups] section with driver and port (or ALLOW_NO_DEVICE true in upsd.conf)`,
      }),
    )
  }
  if (options.checkDriverFiles && upsConf) issues.push(...(await checkDriverFiles(upsConf.ups, upsConf.globals, fs)))
  if (issues.length > 0) throw new ConfigError(issues, { warnings: [...serverWarnings, ...otherWarnings] })

  const server = upsd?.server ?? parseUpsdConf("").server
  const setup: ServeSetup = {
    ups: upsConf?.ups ?? [],
    server: tls ? { ...server, tls } : server,
    users: users?.users ?? [],
    allowNoDevice,
    warnings: serverWarnings,
    statePath: upsd?.statePath,
    upsGlobals: upsConf?.globals ?? {},
  }
  return {
    dir,
    setup,
    upsd,
    upsGlobals: upsConf?.globals ?? {},
    upsmon,
    mode: nutConf?.mode,
    warnings: [...serverWarnings, ...otherWarnings],
    upsmonWarnings,
  }
}

/** The error for a config "directory" that is a file. */
function notADirectory(dir: string): ConfigError {
  const parent = dirOf(dir)
  return new ConfigError([
    configIssue({
      code: "CONFIG_NOT_FOUND",
      file: dir,
      expected: "a directory",
      message: `${dir} is a file, not a directory: --nut-config takes the directory that holds ${baseName(dir)} and NUT's other files (${parent === "." ? "like /etc/nut" : parent})`,
    }),
  ])
}

/**
 * `nutctl config import DIR`: read what DIR holds and pick the importer. A TrueNAS export
 * (`ups.config.json`: `midclt call ups.config > ups.config.json`) wins over the files TrueNAS
 * rendered beside it, since those are generated from it; otherwise DIR is a NUT config directory.
 */
import type { UpsschedConf } from "../monitor/index.ts"
import { ConfigError, readIssue } from "./errors.ts"
import type { ConfigFs } from "./fs.ts"
import { importNutConfig } from "./import-nut.ts"
import type { ImportOptions, ImportResult } from "./import-result.ts"
import { importTrueNasConfig, parseTrueNasUpsConfig } from "./import-truenas.ts"
import { loadNutConfigDir } from "./nut-dir.ts"
import { parseNutConf } from "./nut-conf.ts"
import { nodeConfigFs } from "./node-fs.ts"
import { resolveIn } from "./paths.ts"

/** The name TrueNAS's settings are looked for under in DIR. */
export const TRUENAS_EXPORT = "ups.config.json"

export interface ImportDirOptions extends ImportOptions {
  /** @default the real file system */
  readonly fs?: ConfigFs
  /** upsmon's file in DIR (relative or absolute). @default upsmon.conf */
  readonly upsmonFile?: string
  /** TrueNAS's `ups.config` JSON elsewhere than DIR/ups.config.json. */
  readonly trueNasFile?: string
}

/**
 * Import DIR.
 * @throws ConfigError when a file that is needed cannot be read or parsed
 */
export async function importConfigDir(dir: string, options: ImportDirOptions): Promise<ImportResult> {
  const fs = options.fs ?? nodeConfigFs
  const read = async (path: string): Promise<string | undefined> => {
    try {
      return await fs.readText(path)
    } catch (cause) {
      const issue = readIssue(path, cause)
      if (issue.code === "CONFIG_NOT_FOUND") return undefined
      throw new ConfigError([issue], { cause })
    }
  }
  const trueNasPath = options.trueNasFile ?? resolveIn(dir, TRUENAS_EXPORT)
  const trueNas = await read(trueNasPath)
  if (trueNas !== undefined) {
    const result = importTrueNasConfig(parseTrueNasUpsConfig(trueNas, trueNasPath), options)
    return { ...result, source: `TrueNAS ups.config (${trueNasPath})` }
  }
  if (options.trueNasFile !== undefined) throw new ConfigError([readIssue(trueNasPath, Object.assign(new Error("ENOENT"), { code: "ENOENT" }))])

  const loaded = await loadNutConfigDir(dir, { fs, ...(options.upsmonFile !== undefined ? { upsmonFile: options.upsmonFile } : {}) })
  const nutText = await read(resolveIn(dir, "nut.conf"))
  const nutConf = nutText === undefined ? undefined : parseNutConf(nutText, resolveIn(dir, "nut.conf")).vars
  const schedPath = resolveIn(dir, "upssched.conf")
  const schedText = await read(schedPath)
  let upssched: UpsschedConf | undefined
  if (schedText !== undefined) {
    // loaded here only: the config barrel is on the start-up path of every command (check runs each minute)
    const { parseUpsschedConf, MonitorConfigError } = await import("../monitor/index.ts")
    try {
      upssched = parseUpsschedConf(schedText, schedPath)
    } catch (e) {
      if (!(e instanceof MonitorConfigError)) throw e
      // upssched would not start either; the import reports its timers as not carried
    }
  }
  return importNutConfig({ dir: loaded, ...(nutConf ? { nutConf } : {}), ...(upssched ? { upssched } : {}) }, options)
}

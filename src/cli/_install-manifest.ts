/**
 * The install manifest: every path `nutctl install` created or replaced (with the backup it made),
 * so `nutctl uninstall` puts the tree back as it was. Written without timestamps, so a second
 * install that changes nothing leaves it byte for byte alone.
 */
import type { Keep } from "./_install-plan.ts"
import type { Platform } from "./_install-units.ts"

/** One path install is responsible for. */
export interface ManifestEntry {
  readonly path: string
  readonly kind: "file" | "dir" | "symlink"
  /** Nothing was there before install. */
  readonly created: boolean
  /** Where the file that was there before now is (`<path>.nutctl-orig`). */
  readonly backup?: string
  readonly keep?: Exclude<Keep, undefined>
}

export interface Manifest {
  readonly platform: Platform
  readonly entries: readonly ManifestEntry[]
}

const TAG = "nutctl-install-manifest"

/** Suffix of the copy install keeps of a file it replaced. */
export const BACKUP_SUFFIX = ".nutctl-orig"

/** Manifest → JSON text (stable order and layout). */
export function formatManifest(manifest: Manifest): string {
  return JSON.stringify({ [TAG]: 1, platform: manifest.platform, entries: manifest.entries }, null, 2) + "\n"
}

/**
 * JSON text → Manifest.
 * @throws Error when the text is not a manifest (hand-edited or cut short)
 */
export function parseManifest(text: string, file: string): Manifest {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw new Error(`Cannot read install manifest ${file}: ${(e as Error).message}`)
  }
  const o = data as { [TAG]?: unknown; platform?: unknown; entries?: unknown }
  if (typeof o !== "object" || o === null || o[TAG] !== 1 || !Array.isArray(o.entries)) throw new Error(`Cannot read install manifest ${file}: not a nutctl install manifest`)
  const entries: ManifestEntry[] = []
  for (const e of o.entries as unknown[]) {
    const r = e as Partial<ManifestEntry>
    if (typeof r?.path !== "string" || !["file", "dir", "symlink"].includes(r.kind as string) || typeof r.created !== "boolean") {
      throw new Error(`Cannot read install manifest ${file}: bad entry ${JSON.stringify(e)}`)
    }
    entries.push({
      path: r.path,
      kind: r.kind as ManifestEntry["kind"],
      created: r.created,
      ...(typeof r.backup === "string" ? { backup: r.backup } : {}),
      ...(r.keep === "config" || r.keep === "state" ? { keep: r.keep } : {}),
    })
  }
  const platform = o.platform === "proxmox" || o.platform === "truenas" ? o.platform : "debian"
  return { platform, entries }
}

/** Old entries first (their `created`/`backup` are the truth about the tree before the first install), then new ones. */
export function mergeManifest(old: Manifest | undefined, platform: Platform, added: readonly ManifestEntry[]): Manifest {
  const entries = [...(old?.entries ?? [])]
  for (const e of added) if (!entries.some((o) => o.path === e.path)) entries.push(e)
  return { platform, entries }
}

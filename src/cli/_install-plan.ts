/**
 * What `nutctl install` puts where, as data: files (with their mode and whether an existing one is
 * kept or replaced), directories, the enable symlink, and the commands that follow a change. The
 * plan is pure; `_install-apply.ts` compares it with the tree and carries out the difference.
 */
import { configSkeleton, skeletonSecrets } from "./_install-skeleton.ts"
import { DEFAULT_PATHS, NUT_UNITS, SERVICE_NAME, SHUTDOWN_HOOK_NAME, serviceUnit, shutdownHookScript, wantsLink, type InstallPaths, type Platform } from "./_install-units.ts"

/** Where a file's bytes come from. */
export type FileSource =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "copy"; readonly from: string }
  /** A random password, made when the file is first written (never printed). */
  | { readonly kind: "secret" }

/** What uninstall does with an item: remove it, or keep it unless --purge. */
export type Keep = "config" | "state" | undefined

export interface PlanFile {
  readonly kind: "file"
  readonly path: string
  readonly mode: number
  readonly source: FileSource
  /** `keep`: written only when missing (config, secrets); `replace`: kept equal to the plan. */
  readonly policy: "keep" | "replace"
  /** A unit file or the enable link: systemd must reload when it changes. */
  readonly unit?: boolean
  readonly keep?: Keep
  /** Only wanted when this file is ours: secrets of the skeleton, not of an admin's own config. */
  readonly dependsOn?: string
  readonly purpose: string
}

export interface PlanDir {
  readonly kind: "dir"
  readonly path: string
  readonly mode: number
  readonly keep?: Keep
}

export interface PlanLink {
  readonly kind: "symlink"
  readonly path: string
  readonly target: string
  readonly unit?: boolean
  readonly purpose: string
}

export type PlanItem = PlanFile | PlanDir | PlanLink

/** A command to run after the files, and when. */
export interface PlanCommand {
  readonly argv: readonly string[]
  /** `units`: a unit file or link changed; `any`: anything changed; `always`. */
  readonly when: "units" | "any" | "always"
  readonly why: string
}

/** Everything install (or uninstall) does on one platform. */
export interface InstallPlan {
  readonly platform: Platform
  readonly items: readonly PlanItem[]
  /** Commands after the files are in place (install) or after they are gone (uninstall). */
  readonly commands: readonly PlanCommand[]
  /** Commands before anything is removed (uninstall). */
  readonly before: readonly PlanCommand[]
  /** Things the admin must know or do (printed at the end). */
  readonly notes: readonly string[]
  /** Where the manifest lives; undefined: nothing is recorded (the hookscript: guests depend on it). */
  readonly manifest: string | undefined
}

export interface DebianPlanOptions {
  readonly platform: "proxmox" | "debian"
  /** The executable to install (the running binary, or --binary). */
  readonly binary: string
  readonly hostname: string
  /** --config FILE: install this cluster config instead of the skeleton. */
  readonly configFrom?: { readonly path: string; readonly text: string } | undefined
  /** NUT units that are enabled on this host (they would hold the UPS and port 3493). */
  readonly enabledNutUnits?: readonly string[]
  readonly paths?: InstallPaths
}

/** The plan for a Proxmox VE node or a plain Debian host. */
export function planDebianInstall(options: DebianPlanOptions): InstallPlan {
  const paths = options.paths ?? DEFAULT_PATHS
  const link = wantsLink(paths)
  const items: PlanItem[] = [
    { kind: "file", path: paths.bin, mode: 0o755, source: { kind: "copy", from: options.binary }, policy: "replace", purpose: "the nutctl binary" },
    { kind: "dir", path: paths.configDir, mode: 0o750, keep: "config" },
    ...configItems(options, paths),
    { kind: "dir", path: paths.stateDir, mode: 0o750, keep: "state" },
    { kind: "file", path: `${paths.unitDir}/${SERVICE_NAME}`, mode: 0o644, source: { kind: "text", text: serviceUnit(options.platform, paths) }, policy: "replace", unit: true, purpose: "the service" },
    { kind: "dir", path: `${paths.unitDir}/multi-user.target.wants`, mode: 0o755 },
    { kind: "symlink", path: link.path, target: link.target, unit: true, purpose: "enables the service at boot (systemctl enable)" },
    { kind: "dir", path: paths.shutdownHookDir, mode: 0o755 },
    { kind: "file", path: `${paths.shutdownHookDir}/${SHUTDOWN_HOOK_NAME}`, mode: 0o755, source: { kind: "text", text: shutdownHookScript(paths) }, policy: "replace", purpose: "killpower at the end of shutdown" },
  ]
  const notes: string[] = []
  const nut = options.enabledNutUnits ?? []
  if (nut.length > 0) {
    notes.push(
      `NUT is enabled here (${nut.join(", ")}): it holds the UPS's USB device and port 3493, and its upsmon would shut this host down a second time. Stop it before nutctl starts: systemctl disable --now ${NUT_UNITS.join(" ")}`,
    )
  }
  if (options.configFrom === undefined) {
    notes.push(`${paths.config} is a skeleton that makes this host the primary of a USB UPS: edit it (hosts, allow:, the secondaries), then run nutctl config check`)
  } else {
    notes.push(`Copy the secret files ${paths.config} refers to (mode 0600) before the service starts; nutctl config check lists what is missing`)
  }
  return {
    platform: options.platform,
    items,
    commands: [
      { argv: ["systemctl", "daemon-reload"], when: "units", why: "load the new unit" },
      { argv: ["systemctl", "restart", SERVICE_NAME], when: "any", why: "(re)start nutctl with the new files" },
    ],
    before: [],
    notes,
    manifest: paths.manifest,
  }
}

/** The plan uninstall follows on Proxmox/Debian (the same items, removed in reverse). */
export function planDebianUninstall(platform: "proxmox" | "debian", paths: InstallPaths = DEFAULT_PATHS): InstallPlan {
  return {
    platform,
    items: [],
    before: [{ argv: ["systemctl", "stop", SERVICE_NAME], when: "always", why: "stop nutctl before its files go" }],
    commands: [{ argv: ["systemctl", "daemon-reload"], when: "units", why: "forget the removed unit" }],
    notes: [],
    manifest: paths.manifest,
  }
}

function configItems(options: DebianPlanOptions, paths: InstallPaths): PlanItem[] {
  if (options.configFrom !== undefined) {
    return [{ kind: "file", path: paths.config, mode: 0o640, source: { kind: "text", text: options.configFrom.text }, policy: "replace", keep: "config", purpose: `the cluster config (from ${options.configFrom.path})` }]
  }
  return [
    { kind: "file", path: paths.config, mode: 0o640, source: { kind: "text", text: configSkeleton({ hostname: options.hostname, configDir: paths.configDir }) }, policy: "keep", keep: "config", purpose: "the cluster config (skeleton)" },
    ...skeletonSecrets(paths.configDir).map(
      (s): PlanFile => ({ kind: "file", path: s.path, mode: 0o600, source: { kind: "secret" }, policy: "keep", keep: "config", dependsOn: paths.config, purpose: `password of ${s.user}` }),
    ),
  ]
}

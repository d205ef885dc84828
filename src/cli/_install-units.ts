/**
 * The systemd side of `nutctl install`: the service unit (Proxmox VE or plain Debian ordering) and
 * the system-shutdown hook that runs `nutctl killpower` (research/executors-reference.md §3,
 * nut-reference.md §3.7). contrib/systemd/ holds the rendered defaults; a test keeps them equal.
 */
import { DEFAULT_CLUSTER_CONFIG, DEFAULT_DATA_DIR } from "./_paths.ts"

/** Where things go on a Debian-family host. */
export interface InstallPaths {
  readonly bin: string
  readonly configDir: string
  readonly config: string
  /** The service's StateDirectory: store, hook marks, and the unpacked HID addon (TMPDIR). */
  readonly stateDir: string
  readonly unitDir: string
  /** systemd-shutdown runs every executable here at the very end (Debian: NUT's nutshutdown). */
  readonly shutdownHookDir: string
  /** What install wrote, so uninstall can put the tree back. */
  readonly manifest: string
}

export const DEFAULT_PATHS: InstallPaths = {
  bin: "/usr/local/bin/nutctl",
  configDir: "/etc/nutctl",
  config: DEFAULT_CLUSTER_CONFIG,
  stateDir: DEFAULT_DATA_DIR,
  unitDir: "/etc/systemd/system",
  shutdownHookDir: "/usr/lib/systemd/system-shutdown",
  manifest: "/var/lib/nutctl/install-manifest.json",
}

export const SERVICE_NAME = "nutctl.service"
export const SHUTDOWN_HOOK_NAME = "nutctl-killpower"

/** First line of every file install writes: uninstall and the admin can tell them apart. */
export const MANAGED_MARK = "Written by `nutctl install`"

/** The platforms install knows. */
export const PLATFORMS = ["proxmox", "debian", "truenas"] as const
export type Platform = (typeof PLATFORMS)[number]

/** nutctl.service for a Proxmox VE node or a plain Debian host. */
export function serviceUnit(platform: "proxmox" | "debian", paths: InstallPaths = DEFAULT_PATHS): string {
  const pve =
    platform === "proxmox"
      ? [
          "# Proxmox VE: start after the cluster file system and the API (the proxmox executor uses it),",
          "# and before pve-guests.service and pve-ha-lrm.service: systemd stops units in reverse order,",
          "# so at shutdown nutctl stays up (serving NUT to the other nodes, answering the hookscript,",
          "# exporting metrics) until every guest is down.",
          "After=pve-cluster.service pveproxy.service",
          "Before=pve-guests.service pve-ha-lrm.service",
        ]
      : []
  return [
    `# ${MANAGED_MARK}; \`nutctl uninstall\` removes it.`,
    "[Unit]",
    "Description=nutctl UPS server and monitor (NUT-compatible)",
    "Wants=network-online.target",
    "After=network-online.target",
    ...pve,
    "",
    "[Service]",
    "Type=simple",
    // the role (primary serves the UPS, secondary only monitors) comes from the hostname
    `ExecStart=${paths.bin} serve --config ${paths.config}`,
    "# systemctl reload: users, allowed networks, MAXAGE/MAXCONN apply without dropping a client",
    "ExecReload=/bin/kill -HUP $MAINPID",
    "# The binary unpacks its HID addon into $TMPDIR and loads it from there; /tmp may be noexec,",
    "# and the shutdown hook finds the addon here when every file system is already read-only.",
    `Environment=TMPDIR=${paths.stateDir}`,
    `Environment=NUTCTL_CONFIG=${paths.config}`,
    `StateDirectory=${paths.stateDir.replace(/^\/var\/lib\//, "")}`,
    "StateDirectoryMode=0750",
    "Restart=on-failure",
    "RestartSec=5s",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n")
}

/** The system-shutdown hook: Debian's nutshutdown, with `nutctl killpower` in place of `upsmon -K && upsdrvctl shutdown`. */
export function shutdownHookScript(paths: InstallPaths = DEFAULT_PATHS): string {
  return [
    "#!/bin/sh",
    `# ${MANAGED_MARK}; \`nutctl uninstall\` removes it.`,
    "# systemd-shutdown runs every executable in this directory at the very end of a shutdown (services",
    "# stopped, file systems read-only) with $1 = halt, poweroff, reboot or kexec. `nutctl killpower`",
    "# does nothing unless the monitor left POWERDOWNFLAG behind; then it tells the UPS to cut the",
    "# power after its delay and to restore it when mains returns (NUT's nutshutdown does the same).",
    `[ -x ${paths.bin} ] || exit 0`,
    "# TMPDIR: the service unpacked the HID addon there; nothing can be written any more.",
    `TMPDIR=${paths.stateDir} exec ${paths.bin} killpower --config ${paths.config}`,
    "",
  ].join("\n")
}

/** The wants symlink `systemctl enable` would create for WantedBy=multi-user.target. */
export function wantsLink(paths: InstallPaths = DEFAULT_PATHS): { path: string; target: string } {
  return { path: `${paths.unitDir}/multi-user.target.wants/${SERVICE_NAME}`, target: `${paths.unitDir}/${SERVICE_NAME}` }
}

/** NUT's own units: they hold the USB device and port 3493 that nutctl replaces. */
export const NUT_UNITS = ["nut-server.service", "nut-monitor.service", "nut-driver.target", "nut-driver-enumerator.service", "nut.target"] as const

/**
 * The config skeleton `nutctl install` writes when there is no cluster config yet: this host as the
 * primary of one USB UPS, two upsmon users whose passwords sit in 0600 files beside it, and
 * SHUTDOWNCMD as the shutdown. It validates as it is; the admin edits hosts and networks.
 */

/** One secret file the skeleton refers to. */
export interface SkeletonSecret {
  readonly user: string
  readonly path: string
}

export interface SkeletonOptions {
  /** This host's name (the primary role's pattern). */
  readonly hostname: string
  /** Directory of the config and its secret files. */
  readonly configDir: string
  /** Where POWERDOWNFLAG goes; null: no killpower (no shutdown hook on this platform). @default /etc/killpower (what NUT and TrueNAS use) */
  readonly powerDownFlag?: string | null
  /** TrueNAS powers off through its own shutdown: `shutdown -P now` is what its UPS service runs. */
  readonly shutdownCommand?: string
}

/** The secret files of the skeleton. */
export function skeletonSecrets(configDir: string): SkeletonSecret[] {
  return [
    { user: "upsmon-primary", path: `${configDir}/upsmon-primary.pw` },
    { user: "upsmon-secondary", path: `${configDir}/upsmon-secondary.pw` },
  ]
}

/** The skeleton's YAML text. */
export function configSkeleton(options: SkeletonOptions): string {
  const [primary, secondary] = skeletonSecrets(options.configDir) as [SkeletonSecret, SkeletonSecret]
  const host = /^[A-Za-z0-9.-]+$/.test(options.hostname) ? options.hostname : "nas"
  return `# nutctl cluster config. Written by \`nutctl install\` because none existed; edit it, then
# \`nutctl config check\` validates it and shows the role each host gets. The same file (and the
# .pw files beside it, mode 0600) goes on every host; each host finds its role by its hostname.

# The UPS this host drives over USB. \`nutctl driver list\` shows what is plugged in.
ups:
  ups:
    driver: usbhid
    port: auto
    desc: "UPS on USB"

# The NUT server (drop-in upsd). Add your LAN to allow:, e.g. 10.0.10.0/24.
server:
  listen: ["0.0.0.0:3493", "[::]:3493"]
  allow: ["127.0.0.0/8", "::1/128"]
  maxage: 15

users:
  ${primary.user}:
    password: { file: ${primary.path} }
    upsmon: primary
  ${secondary.user}:
    password: { file: ${secondary.path} }
    upsmon: secondary

roles:
  - name: primary
    hosts: "${host}"
    role: primary
    monitor: [ups@localhost]
    shutdown: [command]
  # The hosts that only monitor this UPS over the network, e.g. three Proxmox nodes:
  # - name: nodes
  #   hosts: [pve-compute-01, pve-compute-02, pve-compute-03]
  #   role: secondary
  #   monitor: [ups@${host}]
  #   shutdown: [command]

shutdown:
  hostsync: 15s
  finaldelay: 5s
${options.powerDownFlag === null ? "" : `  powerdownflag: ${options.powerDownFlag ?? "/etc/killpower"}\n`}
executors:
  command:
    command: "${options.shutdownCommand ?? "/sbin/shutdown -h +0"}"
`
}

/** A random password for a secret file: 24 characters NUT's parser takes without quoting. */
export function randomPassword(random: (bytes: number) => Uint8Array): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
  return Array.from(random(24), (b) => alphabet[b % alphabet.length]).join("")
}

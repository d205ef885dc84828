/**
 * `nutctl install` on TrueNAS SCALE (research/executors-reference.md §5.4): the root file system is
 * the appliance's (read-only, replaced on every upgrade) and /etc/nut is rendered by the middleware,
 * so nutctl touches none of it. Everything goes on a pool dataset; a POSTINIT Init/Shutdown Script
 * starts it as a transient systemd service; the built-in UPS service must be off (it is NUT: it
 * would hold the USB device and port 3493). The admin makes those two changes through the UI or
 * midclt: install only writes files and says what to do.
 */
import { configSkeleton, skeletonSecrets } from "./_install-skeleton.ts"
import type { InstallPlan, PlanFile, PlanItem } from "./_install-plan.ts"
import { SERVICE_NAME, type InstallPaths } from "./_install-units.ts"

export interface TrueNasPlanOptions {
  /** A directory on a pool dataset, e.g. /mnt/tank/nutctl. */
  readonly prefix: string
  readonly binary: string
  readonly hostname: string
  readonly configFrom?: { readonly path: string; readonly text: string } | undefined
}

/** Paths under the dataset. */
export function trueNasPaths(prefix: string): InstallPaths & { readonly startScript: string } {
  return {
    bin: `${prefix}/bin/nutctl`,
    configDir: `${prefix}/etc`,
    config: `${prefix}/etc/nutctl.yaml`,
    stateDir: `${prefix}/state`,
    unitDir: "",
    shutdownHookDir: "",
    manifest: `${prefix}/state/install-manifest.json`,
    startScript: `${prefix}/nutctl-start.sh`,
  }
}

/** The `--prefix` must be on a pool: the boot pool is the appliance's. */
export function checkTrueNasPrefix(prefix: string | undefined): string | undefined {
  if (prefix === undefined) return "TrueNAS: --prefix DIR is required, a directory on a pool dataset such as /mnt/tank/nutctl (the system's own file systems are read-only and replaced on upgrade)"
  if (!/^\/mnt\/[^/]+\/.+/.test(prefix)) return `TrueNAS: --prefix must be a directory on a pool dataset under /mnt/POOL/, not ${prefix}`
  return undefined
}

/** The POSTINIT script: start nutctl as a transient service unless it already runs. */
export function trueNasStartScript(prefix: string): string {
  const p = trueNasPaths(prefix)
  const unit = SERVICE_NAME.replace(/\.service$/, "")
  return [
    "#!/bin/sh",
    `# Written by \`nutctl install --platform truenas\`; \`nutctl uninstall --platform truenas --prefix ${prefix}\` removes it.`,
    "# TrueNAS runs this at boot as a POSTINIT Init/Shutdown Script. nutctl lives on a pool dataset and",
    "# runs as a transient systemd service: restarted on failure, stopped before the pool is unmounted",
    "# (RequiresMountsFor), and the script returns at once (Init/Shutdown Scripts have a timeout).",
    `if systemctl is-active --quiet ${SERVICE_NAME}; then exit 0; fi`,
    `systemctl reset-failed ${SERVICE_NAME} 2>/dev/null`,
    `exec systemd-run --unit=${unit} --description="nutctl UPS server and monitor" \\`,
    "  --property=Restart=on-failure --property=RestartSec=5s \\",
    `  --property=RequiresMountsFor=${prefix} \\`,
    `  --setenv=TMPDIR=${p.stateDir} --setenv=NUTCTL_CONFIG=${p.config} \\`,
    `  ${p.bin} serve --config ${p.config}`,
    "",
  ].join("\n")
}

/** What the admin does in TrueNAS's UI (or with midclt) after install. */
export function trueNasSteps(prefix: string): string[] {
  const script = trueNasPaths(prefix).startScript
  const create = JSON.stringify({ type: "COMMAND", command: script, when: "POSTINIT", timeout: 10, enabled: true, comment: "nutctl" })
  return [
    "TrueNAS: nutctl changes nothing the middleware manages (/etc/nut, the UPS service, the boot pool). Two steps are yours:",
    "  1. Turn the built-in UPS service off: System → Services → UPS: stop it and untick Start Automatically. It is NUT: while it runs it holds the UPS's USB device and port 3493.",
    `  2. Start nutctl at boot: System → Advanced → Init/Shutdown Scripts → Add: Type Command, Command ${script}, When Post Init, Timeout 10. Or: midclt call initshutdownscript.create '${create}'`,
    `  Then start it now without a reboot: ${script}; check with: ${trueNasPaths(prefix).bin} status`,
    "  Killpower: /usr/lib/systemd/system-shutdown is read-only here, so there is no late hook. Use the truenas executor (roles[].shutdown: [truenas]): with killPower: true (its default) it asks the UPS, through nutctl's server, to cut the power after its delay and restore it when mains returns.",
  ]
}

/** The TrueNAS plan: files under the prefix, no commands. */
export function planTrueNasInstall(options: TrueNasPlanOptions): InstallPlan {
  const p = trueNasPaths(options.prefix)
  const config: PlanItem[] =
    options.configFrom !== undefined
      ? [{ kind: "file", path: p.config, mode: 0o640, source: { kind: "text", text: options.configFrom.text }, policy: "replace", keep: "config", purpose: `the cluster config (from ${options.configFrom.path})` }]
      : [
          {
            kind: "file",
            path: p.config,
            mode: 0o640,
            // TrueNAS's own UPS service runs this SHUTDOWNCMD (ups.config shutdowncmd null)
            source: { kind: "text", text: configSkeleton({ hostname: options.hostname, configDir: p.configDir, powerDownFlag: null, shutdownCommand: "/sbin/shutdown -P now" }) },
            policy: "keep",
            keep: "config",
            purpose: "the cluster config (skeleton)",
          },
          ...skeletonSecrets(p.configDir).map(
            (s): PlanFile => ({ kind: "file", path: s.path, mode: 0o600, source: { kind: "secret" }, policy: "keep", keep: "config", dependsOn: p.config, purpose: `password of ${s.user}` }),
          ),
        ]
  return {
    platform: "truenas",
    items: [
      { kind: "dir", path: options.prefix, mode: 0o750 },
      { kind: "file", path: p.bin, mode: 0o755, source: { kind: "copy", from: options.binary }, policy: "replace", purpose: "the nutctl binary" },
      { kind: "dir", path: p.configDir, mode: 0o750, keep: "config" },
      ...config,
      { kind: "dir", path: p.stateDir, mode: 0o750, keep: "state" },
      { kind: "file", path: p.startScript, mode: 0o755, source: { kind: "text", text: trueNasStartScript(options.prefix) }, policy: "replace", purpose: "POSTINIT script" },
    ],
    commands: [],
    before: [],
    notes: trueNasSteps(options.prefix),
    manifest: p.manifest,
  }
}

/** Uninstall on TrueNAS: the files go; the init script and the UPS service are the admin's. */
export function planTrueNasUninstall(prefix: string): InstallPlan {
  return {
    platform: "truenas",
    items: [],
    commands: [],
    before: [{ argv: ["systemctl", "stop", SERVICE_NAME], when: "always", why: "stop nutctl's transient service before its files go" }],
    notes: [
      `TrueNAS: delete the Init/Shutdown Script that runs ${trueNasPaths(prefix).startScript}, and turn the UPS service back on if you want NUT again.`,
    ],
    manifest: trueNasPaths(prefix).manifest,
  }
}

/**
 * nutctl as a monitor in interop drills: a sandbox directory with an upsmon.conf whose SHUTDOWNCMD
 * only creates a marker file (its mtime says when the host "shut down"), POWERDOWNFLAG inside the
 * sandbox, a NOTIFYCMD that logs NOTIFYTYPE and UPSNAME, and no WALL. Runs `nutctl monitor` (or
 * `nutctl serve` on the same directory) from the checkout, in its own process group.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { spawnGroup, type ProcessGroup } from "./process-group.ts"

const REPO = fileURLToPath(new URL("../../", import.meta.url))

export interface MonitorDirOptions {
  /** `ups@127.0.0.1:port` */
  readonly system: string
  readonly user: string
  readonly password: string
  readonly role: "primary" | "secondary"
  /** @default 10 */
  readonly hostsync?: number
  /** POLLFREQ / POLLFREQALERT, seconds. @default 1 */
  readonly pollFreq?: number
  readonly pollFreqAlert?: number
  /** Extra files for the directory (ups.conf, upsd.conf, upsd.users, .dev …), name → text. */
  readonly files?: Readonly<Record<string, string>>
}

/** A sandbox that a nutctl monitor runs on, and what it left behind. */
export interface MonitorSandbox {
  readonly dir: string
  readonly shutdownMarker: string
  readonly powerdownFlag: string
  /** SHUTDOWNCMD's time (the marker's mtime, ns), or undefined before it ran. */
  shutdownAt(): bigint | undefined
  /** NOTIFYCMD calls: `TYPE UPSNAME` per line. */
  notified(): { type: string; ups: string }[]
  remove(): void
}

/** Write upsmon.conf (and `files`) into a fresh directory. */
export function monitorSandbox(options: MonitorDirOptions): MonitorSandbox {
  const dir = mkdtempSync(join(tmpdir(), `nutctl-monitor-${options.role}-`))
  const shutdownMarker = join(dir, "shutdowncmd.marker")
  const powerdownFlag = join(dir, "killpower")
  const notifyLog = join(dir, "notify.log")
  const notifyScript = join(dir, "notify.sh")
  writeFileSync(notifyScript, `#!/bin/sh\nprintf '%s %s\\n' "$NOTIFYTYPE" "$UPSNAME" >> '${notifyLog}'\n`)
  chmodSync(notifyScript, 0o755)
  const types = ["ONLINE", "ONBATT", "LOWBATT", "FSD", "COMMOK", "COMMBAD", "SHUTDOWN", "REPLBATT", "NOCOMM", "NOPARENT", "CAL"]
  const conf = [
    `MONITOR ${options.system} 1 ${options.user} ${options.password} ${options.role}`,
    "MINSUPPLIES 1",
    `SHUTDOWNCMD "/bin/sh -c 'echo SHUTDOWNCMD >> ${shutdownMarker}'"`,
    `POWERDOWNFLAG ${powerdownFlag}`,
    `NOTIFYCMD "${notifyScript}"`,
    `POLLFREQ ${options.pollFreq ?? 1}`,
    `POLLFREQALERT ${options.pollFreqAlert ?? 1}`,
    `HOSTSYNC ${options.hostsync ?? 10}`,
    "DEADTIME 6",
    "FINALDELAY 0",
    ...types.map((t) => `NOTIFYFLAG ${t} SYSLOG+EXEC`),
  ]
  writeFileSync(join(dir, "upsmon.conf"), conf.join("\n") + "\n", { mode: 0o600 })
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text, { mode: 0o600 })
  return {
    dir,
    shutdownMarker,
    powerdownFlag,
    shutdownAt: () => (existsSync(shutdownMarker) ? statSync(shutdownMarker, { bigint: true }).mtimeNs : undefined),
    notified: () =>
      (existsSync(notifyLog) ? readFileSync(notifyLog, "utf8") : "")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => {
          const [type = "", ups = ""] = l.split(" ")
          return { type, ups }
        }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** `nutctl <command> --nut-config <dir> --no-wall [args]`, from the checkout, in its own process group. */
export function startNutctl(command: "monitor" | "serve", dir: string, args: readonly string[] = []): ProcessGroup {
  // --no-http: parallel tests must not race for :9199
  const http = command === "serve" ? ["--no-http"] : []
  return spawnGroup(process.execPath, ["--import", "tsx", "src/main.ts", command, "--nut-config", dir, "--no-wall", ...http, ...args], { cwd: REPO })
}

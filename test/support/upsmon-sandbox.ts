/**
 * Debian's real upsmon 2.8.0 in a throw-away sandbox: its own NUT_CONFPATH/NUT_STATEPATH/
 * NUT_ALTPIDPATH, fast timers, and a SHUTDOWNCMD that only writes a marker file in the sandbox
 * (nothing here can power anything off). Runs as root with `-u root -F`, in its own process group.
 *
 * Two records of what it notified:
 * - `events()`: the NOTIFYMSG lines upsmon logs on stderr, in the order its monitoring process
 *   raised them (every type's message is set to `NOTIFY <TYPE> …`, so the line names the type);
 * - `notified()`: what NOTIFYCMD saw (NOTIFYTYPE and UPSNAME env). upsmon forks one child per
 *   notification, so events of the same poll (ONBATT + LOWBATT) can land here in either order.
 */
import { randomBytes } from "node:crypto"
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { spawnGroup, type ProcessGroup } from "./process-group.ts"

export const REAL_UPSMON = "/lib/nut/upsmon"

// upsmon 2.8.0's notify types (upsmon.h)
const NOTIFY_TYPES = ["ONLINE", "ONBATT", "LOWBATT", "FSD", "COMMOK", "COMMBAD", "SHUTDOWN", "REPLBATT", "NOCOMM", "NOPARENT", "CAL"] as const
// SHUTDOWN and NOPARENT are formatted without a UPS name
const NO_UPS = new Set<string>(["SHUTDOWN", "NOPARENT"])

export interface UpsmonOptions {
  /** The MONITOR system, `ups@127.0.0.1:port`. */
  readonly system: string
  readonly user: string
  readonly password: string
  readonly role: "primary" | "secondary"
  /** @default 3 */
  readonly hostsync?: number
  /** POLLFREQ / POLLFREQALERT, seconds. @default 1 */
  readonly pollFreq?: number
  readonly pollFreqAlert?: number
}

export interface NotifyRecord {
  readonly type: string
  /** UPSNAME as NOTIFYCMD saw it (empty for SHUTDOWN). */
  readonly ups: string
}

export interface Upsmon {
  readonly dir: string
  /** Written (one line per run) by SHUTDOWNCMD. */
  readonly shutdownMarker: string
  /** upsmon's POWERDOWNFLAG. */
  readonly powerdownFlag: string
  /** Notify types in the order upsmon logged them. */
  events(): string[]
  /** NOTIFYCMD invocations, in the order the forked commands ran. */
  notified(): NotifyRecord[]
  /** True once SHUTDOWNCMD has run. */
  shutDown(): boolean
  /** Everything upsmon wrote to stdout/stderr. */
  log(): string
  stop(): Promise<void>
}

/** Write a sandboxed upsmon.conf and start upsmon on it. */
export function startUpsmon(options: UpsmonOptions): Upsmon {
  const dir = mkdtempSync(join(tmpdir(), `nutctl-upsmon-${options.role}-`))
  const shutdownMarker = join(dir, "shutdowncmd.marker")
  const powerdownFlag = join(dir, "killpower")
  const notifyLog = join(dir, "notify.log")
  const notifyScript = join(dir, "notify.sh")
  writeFileSync(notifyScript, `#!/bin/sh\nprintf '%s %s\\n' "$NOTIFYTYPE" "$UPSNAME" >> '${notifyLog}'\n`)
  chmodSync(notifyScript, 0o755)
  const conf = [
    `MONITOR ${options.system} 1 ${options.user} ${options.password} ${options.role}`,
    "MINSUPPLIES 1",
    `SHUTDOWNCMD "/bin/sh -c 'echo SHUTDOWNCMD >> ${shutdownMarker}'"`,
    `POWERDOWNFLAG ${powerdownFlag}`,
    `NOTIFYCMD "${notifyScript}"`,
    `POLLFREQ ${options.pollFreq ?? 1}`,
    `POLLFREQALERT ${options.pollFreqAlert ?? 1}`,
    `HOSTSYNC ${options.hostsync ?? 3}`,
    "DEADTIME 6",
    "FINALDELAY 0",
    "RUN_AS_USER root",
    ...NOTIFY_TYPES.flatMap((t) => [`NOTIFYMSG ${t} "NOTIFY ${t}${NO_UPS.has(t) ? "" : " %s"}"`, `NOTIFYFLAG ${t} SYSLOG+EXEC`]),
  ]
  writeFileSync(join(dir, "upsmon.conf"), conf.join("\n") + "\n", { mode: 0o600 })
  // upsmon 2.8.0 keeps its PID file in the compiled-in /run/nut as `<argv[0] basename>.pid` and
  // refuses to start while that PID runs: a name of our own lets several upsmons run at once
  const name = `upsmon-nutctl-test-${randomBytes(4).toString("hex")}`
  const env = { ...process.env, NUT_CONFPATH: dir, NUT_STATEPATH: dir, NUT_ALTPIDPATH: dir }
  const group: ProcessGroup = spawnGroup(REAL_UPSMON, ["-F", "-u", "root"], { argv0: name, env })
  return {
    dir,
    shutdownMarker,
    powerdownFlag,
    events: () => [...group.output().matchAll(/^NOTIFY ([A-Z]+)/gm)].map((m) => m[1] ?? ""),
    notified: () =>
      (existsSync(notifyLog) ? readFileSync(notifyLog, "utf8") : "")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => {
          const [type = "", ups = ""] = l.split(" ")
          return { type, ups }
        }),
    shutDown: () => existsSync(shutdownMarker),
    log: () => group.output(),
    async stop() {
      await group.stop()
      rmSync(`/run/nut/${name}.pid`, { force: true })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

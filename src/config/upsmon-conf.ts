/**
 * upsmon.conf (research/nut-reference.md §3.1), parsed completely so the monitor can be built on
 * it. Keywords are case-sensitive upper-case as in upsmon; numeric defaults are upsmon 2.8.0's.
 */
import { configIssue, throwIfIssues, type ConfigIssue } from "./errors.ts"
import { parseCount, parseInteger, parseNutBool, readNutLines } from "./nut-lines.ts"
import type { ConfigWarning } from "./types.ts"
import { parseUpsSystem, type UpsSystem } from "./ups-system.ts"
import { upsmonRole } from "./user-record.ts"

/** Notify types of upsmon 2.8.0, then the ones newer NUT (master) adds. */
export const NOTIFY_TYPES = [
  "ONLINE", "ONBATT", "LOWBATT", "FSD", "COMMOK", "COMMBAD", "SHUTDOWN", "REPLBATT", "NOCOMM", "NOPARENT", "CAL",
  "NOTCAL", "OFF", "NOTOFF", "BYPASS", "NOTBYPASS", "ECO", "NOTECO", "ALARM", "NOTALARM", "OVER", "NOTOVER",
  "TRIM", "NOTTRIM", "BOOST", "NOTBOOST", "OTHER", "NOTOTHER", "SHUTDOWN_HOSTSYNC", "SUSPEND_STARTING",
  "SUSPEND_FINISHED", "SUSPEND_TIMEJUMP_UNEXPECTED",
] as const
export type NotifyType = (typeof NOTIFY_TYPES)[number]

/** NOTIFYFLAG flags; upsmon matches them exactly (upper-case). */
export const NOTIFY_FLAGS = ["SYSLOG", "WALL", "EXEC", "IGNORE"] as const
export type NotifyFlag = (typeof NOTIFY_FLAGS)[number]

/** One MONITOR line. */
export interface MonitorEntry extends UpsSystem {
  /** Power supplies of this machine the UPS feeds; 0 = watch only. */
  readonly powerValue: number
  readonly user: string
  readonly password: string
  readonly role: "primary" | "secondary"
  readonly line: number
}

/** CERTHOST: per-server TLS expectations. */
export interface CertHost {
  readonly host: string
  readonly certName: string
  readonly certVerify: boolean
  readonly forceSsl: boolean
}

/** Everything upsmon.conf says. */
export interface UpsmonConf {
  readonly monitors: readonly MonitorEntry[]
  /** @default 1 */
  readonly minSupplies: number
  readonly shutdownCmd?: string
  readonly notifyCmd?: string
  /** Seconds. @default 5 */
  readonly pollFreq: number
  /** Seconds. @default 5 */
  readonly pollFreqAlert: number
  /** Seconds. @default 15 */
  readonly hostSync: number
  /** Seconds. @default 15 */
  readonly deadTime: number
  /** Seconds. @default 5 */
  readonly finalDelay: number
  /** Seconds. @default 43200 */
  readonly rbWarnTime: number
  /** Seconds. @default 300 */
  readonly noCommWarnTime: number
  /** No default: without it no killpower flag is written. */
  readonly powerDownFlag?: string
  /** Explicit NOTIFYFLAG settings; types not listed keep SYSLOG+WALL. */
  readonly notifyFlags: Readonly<Partial<Record<NotifyType, readonly NotifyFlag[]>>>
  /** Explicit NOTIFYMSG formats (first `%s` is the UPS). */
  readonly notifyMessages: Readonly<Partial<Record<NotifyType, string>>>
  readonly runAsUser?: string
  readonly certPath?: string
  readonly certIdent?: { readonly name: string; readonly password: string }
  readonly certHosts: readonly CertHost[]
  /** @default false */
  readonly certVerify: boolean
  /** @default false */
  readonly forceSsl: boolean
  readonly debugMin?: number
  /** Directives of newer upsmon (OFFDURATION, OVERDURATION, OBLBDURATION, ALARMCRITICAL, POLLFAIL_LOG_THROTTLE_MAX, SHUTDOWNEXIT), as written. */
  readonly newer: Readonly<Record<string, string>>
  readonly warnings: readonly ConfigWarning[]
}

/** One UPS on one server, whichever way it is written. */
function sameSystem(a: UpsSystem, b: UpsSystem): boolean {
  return a.ups === b.ups && a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port
}

const SECONDS = {
  POLLFREQ: "pollFreq",
  POLLFREQALERT: "pollFreqAlert",
  HOSTSYNC: "hostSync",
  DEADTIME: "deadTime",
  FINALDELAY: "finalDelay",
  RBWARNTIME: "rbWarnTime",
  NOCOMMWARNTIME: "noCommWarnTime",
} as const
type SecondsKey = (typeof SECONDS)[keyof typeof SECONDS]

const STRINGS = { SHUTDOWNCMD: "shutdownCmd", NOTIFYCMD: "notifyCmd", POWERDOWNFLAG: "powerDownFlag", RUN_AS_USER: "runAsUser", CERTPATH: "certPath" } as const
type StringKey = (typeof STRINGS)[keyof typeof STRINGS]

const NEWER_NUMBERS = new Set(["OFFDURATION", "OVERDURATION", "OBLBDURATION", "ALARMCRITICAL", "POLLFAIL_LOG_THROTTLE_MAX"])
const TYPE_SET = new Set<string>(NOTIFY_TYPES)
const FLAG_SET = new Set<string>(NOTIFY_FLAGS)

/**
 * Parse upsmon.conf text.
 * @param file name shown in messages
 * @throws ConfigError naming file, line and directive for a bad or missing value
 */
export function parseUpsmonConf(text: string, file = "upsmon.conf"): UpsmonConf {
  const issues: ConfigIssue[] = []
  const warnings: ConfigWarning[] = []
  const monitors: MonitorEntry[] = []
  const seconds: Record<SecondsKey, number> = { pollFreq: 5, pollFreqAlert: 5, hostSync: 15, deadTime: 15, finalDelay: 5, rbWarnTime: 43200, noCommWarnTime: 300 }
  const strings: Partial<Record<StringKey, string>> = {}
  const notifyFlags: Partial<Record<NotifyType, readonly NotifyFlag[]>> = {}
  const notifyMessages: Partial<Record<NotifyType, string>> = {}
  const certHosts: CertHost[] = []
  const newer: Record<string, string> = {}
  let minSupplies = 1
  let minSuppliesLine: number | undefined
  let certIdent: UpsmonConf["certIdent"]
  let certVerify = false
  let forceSsl = false
  let debugMin: number | undefined

  for (const { line, words } of readNutLines(text, file, issues)) {
    const key = words[0] ?? ""
    const arg = words[1]
    const bad = (expected: string, got: string | undefined = arg): void => {
      issues.push(configIssue({ file, line, key, expected, got }))
    }
    const warn = (message: string): void => {
      warnings.push({ file, line, key, message: `${file}:${line}: ${message}` })
    }
    const notifyType = (word: string | undefined): NotifyType | undefined => {
      const t = word?.toUpperCase()
      if (t !== undefined && TYPE_SET.has(t)) return t as NotifyType
      warn(`${key}: unknown notify type ${word ?? "(none)"}, line ignored`)
      return undefined
    }

    if (Object.hasOwn(SECONDS, key)) {
      const n = parseCount(arg)
      if (n === undefined) bad("a number of seconds")
      else seconds[SECONDS[key as keyof typeof SECONDS]] = n
      continue
    }
    if (Object.hasOwn(STRINGS, key)) {
      if (arg === undefined) bad(key === "SHUTDOWNCMD" || key === "NOTIFYCMD" ? "a command (quote it when it has spaces)" : "a value")
      else {
        strings[STRINGS[key as keyof typeof STRINGS]] = arg
        // upsmon 2.8.0 uses only the first word; an unquoted command would lose its arguments.
        if (words.length > 2) warn(`${key}: only "${arg}" is used; quote the whole command`)
      }
      continue
    }
    switch (key) {
      case "MONITOR": {
        // upsmon refuses the old 5-word form (no power value) at startup.
        if (words.length !== 6) {
          bad("<ups>[@<host>[:<port>]] <powervalue> <user> <password> <primary|secondary>", words.length > 6 ? words.slice(6).join(" ") : undefined)
          break
        }
        const [, sys = "", pv, user = "", password = "", roleWord = ""] = words
        const system = parseUpsSystem(sys)
        const powerValue = parseCount(pv)
        const role = upsmonRole(roleWord)
        if (system === undefined) bad("a UPS name like ups@host[:port]", sys)
        else if (powerValue === undefined) bad("a power value (a number, 0 = monitor only)", pv)
        else if (role === undefined) bad("the role primary or secondary (or master/slave)", roleWord)
        else {
          // upsmon ignores a MONITOR line whose name it has seen ("ignoring duplicate UPS"); we
          // also catch other spellings of one UPS (host case, the default port), which upsmon
          // would count twice towards MINSUPPLIES
          const same = monitors.find((m) => sameSystem(m, system))
          if (same !== undefined) {
            const spelled = same.system === system.system ? "" : ` (${same.system})`
            warn(`ignoring duplicate MONITOR ${system.system}: the same UPS as line ${same.line}${spelled}; its power would count twice`)
          } else monitors.push({ ...system, powerValue, user, password, role, line })
        }
        break
      }
      case "MINSUPPLIES": {
        const n = parseCount(arg)
        if (n === undefined) bad("a number of power supplies")
        else {
          minSupplies = n
          minSuppliesLine = line
        }
        break
      }
      case "NOTIFYFLAG": {
        if (words.length < 3) {
          bad("a notify type and flags like SYSLOG+WALL+EXEC", undefined)
          break
        }
        const type = notifyType(arg)
        if (type === undefined) break
        const flags: NotifyFlag[] = []
        for (const f of (words[2] as string).split("+")) {
          if (FLAG_SET.has(f)) flags.push(f as NotifyFlag)
          else warn(`NOTIFYFLAG: invalid flag ${f} (expected SYSLOG, WALL, EXEC or IGNORE, upper-case)`)
        }
        notifyFlags[type] = flags
        break
      }
      case "NOTIFYMSG": {
        if (words.length < 3) {
          bad('a notify type and a quoted message like "UPS %s on battery"', undefined)
          break
        }
        const type = notifyType(arg)
        if (type !== undefined) notifyMessages[type] = words[2] as string
        break
      }
      case "CERTIDENT":
        if (words.length < 3) bad("a certificate name and the database password", undefined)
        else certIdent = { name: arg as string, password: words[2] as string }
        break
      case "CERTHOST": {
        const verify = parseNutBool(words[3])
        const force = parseNutBool(words[4])
        if (words.length < 5 || verify === undefined || force === undefined) bad("<hostname> <certname> <certverify 0|1> <forcessl 0|1>", undefined)
        else certHosts.push({ host: arg as string, certName: words[2] as string, certVerify: verify, forceSsl: force })
        break
      }
      case "CERTVERIFY":
      case "FORCESSL": {
        const b = parseNutBool(arg)
        if (b === undefined) bad("0 or 1")
        else if (key === "CERTVERIFY") certVerify = b
        else forceSsl = b
        break
      }
      case "SHUTDOWNEXIT":
        if (arg === undefined) bad("yes, no or a number of seconds")
        else newer[key] = arg
        break
      default:
        if (NEWER_NUMBERS.has(key)) {
          if (parseInteger(arg) === undefined) bad("a number")
          else newer[key] = arg as string
        } else if (key.toUpperCase() === "DEBUG_MIN") {
          const n = parseCount(arg)
          if (n === undefined) bad("a debug level number")
          else debugMin = n
        } else warn(`unrecognized directive ${key}`)
    }
  }

  // upsmon refuses to start when the configured power cannot reach MINSUPPLIES.
  const total = monitors.reduce((sum, m) => sum + m.powerValue, 0)
  if (issues.length === 0 && total < minSupplies) {
    issues.push(
      configIssue({
        file,
        line: minSuppliesLine,
        key: "MINSUPPLIES",
        expected: `at most the sum of the MONITOR power values (${total})`,
        got: String(minSupplies),
      }),
    )
  }
  throwIfIssues(issues)
  if (strings.shutdownCmd === undefined) warnings.push({ file, key: "SHUTDOWNCMD", message: `${file}: no SHUTDOWNCMD: this host will not shut itself down` })
  return {
    monitors,
    minSupplies,
    ...seconds,
    ...strings,
    notifyFlags,
    notifyMessages,
    ...(certIdent === undefined ? {} : { certIdent }),
    certHosts,
    certVerify,
    forceSsl,
    ...(debugMin === undefined ? {} : { debugMin }),
    newer,
    warnings,
  }
}

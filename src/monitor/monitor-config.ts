/**
 * One MonitorConfig from either source: NUT's upsmon.conf (as src/config's parseUpsmonConf gives
 * it) or a role of nutctl's cluster config. The inputs are described structurally here because the
 * monitor sits below config in the layering (config may import monitor, not the reverse).
 */
import { NOTIFY_DEFAULTS, NOTIFY_TYPES, notifyFlagsOf, notifyTypeOf, type NotifyFlags, type NotifyType } from "./notify-types.ts"
import type { MonitorConfig, SupplyConfig } from "./types.ts"

/** upsmon 2.8.0's defaults, in seconds as upsmon.conf writes them. */
export const UPSMON_DEFAULTS = {
  minSupplies: 1,
  pollFreq: 5,
  pollFreqAlert: 5,
  hostSync: 15,
  deadTime: 15,
  finalDelay: 5,
  rbWarnTime: 43200,
  noCommWarnTime: 300,
} as const

/** The parts of a parsed upsmon.conf the monitor uses (src/config `UpsmonConf` fits). */
export interface UpsmonConfSource {
  readonly monitors: readonly {
    readonly system: string
    readonly ups: string
    readonly host: string
    readonly port: number
    readonly powerValue: number
    readonly user: string
    readonly password: string
    readonly role: "primary" | "secondary"
  }[]
  readonly minSupplies: number
  /** Seconds, like the rest of the durations. */
  readonly pollFreq: number
  readonly pollFreqAlert: number
  readonly hostSync: number
  readonly deadTime: number
  readonly finalDelay: number
  readonly rbWarnTime: number
  readonly noCommWarnTime: number
  readonly shutdownCmd?: string
  readonly notifyCmd?: string
  readonly powerDownFlag?: string
  /** NOTIFYFLAG per type (type names as written; matched case-insensitively). */
  readonly notifyFlags: { readonly [type: string]: readonly string[] | undefined }
  /** NOTIFYMSG per type. */
  readonly notifyMessages: { readonly [type: string]: string | undefined }
}

/** A MonitorConfig from upsmon.conf. NOTIFYFLAG/NOTIFYMSG for types nutctl never raises are dropped. */
export function monitorConfigFromUpsmonConf(conf: UpsmonConfSource): MonitorConfig {
  const supplies: SupplyConfig[] = conf.monitors.map((m) => ({
    system: m.system,
    ups: m.ups,
    host: m.host,
    port: m.port,
    powerValue: m.powerValue,
    role: m.role,
    user: m.user,
    password: m.password,
  }))
  return {
    supplies,
    minSupplies: conf.minSupplies,
    pollFreqMs: conf.pollFreq * 1000,
    pollFreqAlertMs: conf.pollFreqAlert * 1000,
    hostSyncMs: conf.hostSync * 1000,
    deadTimeMs: conf.deadTime * 1000,
    finalDelayMs: conf.finalDelay * 1000,
    rbWarnTimeMs: conf.rbWarnTime * 1000,
    noCommWarnTimeMs: conf.noCommWarnTime * 1000,
    ...notifySettings(conf.notifyFlags, conf.notifyMessages),
    ...optional("notifyCmd", conf.notifyCmd),
    ...optional("shutdownCmd", conf.shutdownCmd),
    ...optional("powerDownFlag", conf.powerDownFlag),
  }
}

/** One `roles[].monitor[]` entry of nutctl's config (src/config `MonitorTarget` fits). */
export interface NutctlMonitorTarget {
  readonly system: string
  readonly ups: string
  readonly host: string
  readonly port: number
  readonly powerValue: number
}

/** The role and shutdown settings a nutctl host monitors with. */
export interface NutctlMonitorSource {
  readonly role: { readonly role: "primary" | "secondary"; readonly monitor: readonly NutctlMonitorTarget[] }
  /** `shutdown:` of the cluster config: hostsync, finaldelay and `when.onBatteryFor` in seconds (already parsed). */
  readonly shutdown?: {
    readonly hostsync?: number | undefined
    readonly finaldelay?: number | undefined
    readonly when?: { readonly onBatteryFor?: number | null | undefined } | undefined
  }
}

/** What nutctl's schema does not carry (yet): upsmon's other settings, in seconds, and the login. */
export interface NutctlMonitorOptions {
  /** @default 1 */
  readonly minSupplies?: number
  /** @default 5 */
  readonly pollFreq?: number
  /** @default 5 */
  readonly pollFreqAlert?: number
  /** @default 15 */
  readonly deadTime?: number
  /** @default 43200 */
  readonly rbWarnTime?: number
  /** @default 300 */
  readonly noCommWarnTime?: number
  readonly notifyFlags?: { readonly [type: string]: readonly string[] | undefined }
  readonly notifyMessages?: { readonly [type: string]: string | undefined }
  readonly notifyCmd?: string
  readonly shutdownCmd?: string
  readonly powerDownFlag?: string
  /** The resolved login for a target (src/config `monitorLogin` + secret resolution). */
  readonly login?: (target: NutctlMonitorTarget) => { readonly user: string; readonly password: string } | undefined
  /**
   * Keep the logins until the shutdown plan has finished (README "Monitor", deliberate
   * differences from upsmon); `nutctl serve/monitor --config` sets it. @default false
   */
  readonly keepLoginDuringShutdown?: boolean
}

/** A MonitorConfig from a nutctl role: every monitored UPS gets the role's primary/secondary. */
export function monitorConfigFromNutctl(source: NutctlMonitorSource, options: NutctlMonitorOptions = {}): MonitorConfig {
  const supplies: SupplyConfig[] = source.role.monitor.map((t) => {
    const login = options.login?.(t)
    return { system: t.system, ups: t.ups, host: t.host, port: t.port, powerValue: t.powerValue, role: source.role.role, ...(login === undefined ? {} : login) }
  })
  const seconds = (v: number | undefined, d: number): number => (v ?? d) * 1000
  const onBatteryFor = source.shutdown?.when?.onBatteryFor
  return {
    supplies,
    minSupplies: options.minSupplies ?? UPSMON_DEFAULTS.minSupplies,
    pollFreqMs: seconds(options.pollFreq, UPSMON_DEFAULTS.pollFreq),
    pollFreqAlertMs: seconds(options.pollFreqAlert, UPSMON_DEFAULTS.pollFreqAlert),
    hostSyncMs: seconds(source.shutdown?.hostsync, UPSMON_DEFAULTS.hostSync),
    deadTimeMs: seconds(options.deadTime, UPSMON_DEFAULTS.deadTime),
    finalDelayMs: seconds(source.shutdown?.finaldelay, UPSMON_DEFAULTS.finalDelay),
    rbWarnTimeMs: seconds(options.rbWarnTime, UPSMON_DEFAULTS.rbWarnTime),
    noCommWarnTimeMs: seconds(options.noCommWarnTime, UPSMON_DEFAULTS.noCommWarnTime),
    ...notifySettings(options.notifyFlags ?? {}, options.notifyMessages ?? {}),
    ...optional("notifyCmd", options.notifyCmd),
    ...optional("shutdownCmd", options.shutdownCmd),
    ...optional("powerDownFlag", options.powerDownFlag),
    ...(onBatteryFor === undefined || onBatteryFor === null ? {} : { onBatteryForMs: onBatteryFor * 1000 }),
    ...(options.keepLoginDuringShutdown === true ? { keepLoginDuringShutdown: true } : {}),
  }
}

/** Stock flags and messages with NOTIFYFLAG / NOTIFYMSG applied. */
export function notifySettings(
  flags: { readonly [type: string]: readonly string[] | undefined },
  messages: { readonly [type: string]: string | undefined },
): Pick<MonitorConfig, "notifyFlags" | "notifyMessages"> {
  const notifyFlags = {} as Record<NotifyType, NotifyFlags>
  const notifyMessages = {} as Record<NotifyType, string>
  for (const t of NOTIFY_TYPES) {
    notifyFlags[t] = NOTIFY_DEFAULTS[t].flags
    notifyMessages[t] = NOTIFY_DEFAULTS[t].message
  }
  for (const [word, value] of Object.entries(flags)) {
    const t = notifyTypeOf(word)
    if (t !== undefined && value !== undefined) notifyFlags[t] = notifyFlagsOf(value)
  }
  for (const [word, value] of Object.entries(messages)) {
    const t = notifyTypeOf(word)
    if (t !== undefined && value !== undefined) notifyMessages[t] = value
  }
  return { notifyFlags, notifyMessages }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string }
}

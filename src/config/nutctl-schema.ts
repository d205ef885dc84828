/**
 * nutctl's own cluster config (DESIGN.md §4), as a zod schema. Every schema-level `error` is a
 * phrase that follows "expects" in a message (`roles[1].hosts expects a glob or /regex/`).
 * `executors` settings are only loosely checked here: each executor plugin validates its own.
 * Checks across sections (MINSUPPLIES against the power values, warnings) are in nutctl-checks.ts.
 */
import { z } from "zod"
import { checkDriverOptions } from "../drivers/index.ts"
// the schema file alone: http/index.ts would load the HTTP server with every config (scripts/check-layers.mjs DEEP_FILES)
import { DEFAULT_HTTP_PORT, httpConfigSchema } from "../http/config.ts"
import { parseUpsSystem } from "./ups-system.ts"
import { upsmonRole } from "./user-record.ts"
import { isCidr, parseDuration, parseListenAddress } from "./values.ts"
import { DEFAULT_NUT_PORT } from "./upsd-conf.ts"
import { compileHostPattern } from "./role.ts"

/** Driver names nutctl runs, by every accepted spelling (NUT's name or the short form). */
export const DRIVER_NAMES = {
  usbhid: "usbhid-ups",
  "usbhid-ups": "usbhid-ups",
  dummy: "dummy-ups",
  "dummy-ups": "dummy-ups",
  // No NUT equivalent binary: NUT mirrors a remote UPS with dummy-ups and `port = ups@host`.
  upstream: "upstream",
} as const
export type DriverName = (typeof DRIVER_NAMES)[keyof typeof DRIVER_NAMES]

/** A secret: a literal string, or a reference resolved at run time. */
export type SecretRef = string | { readonly env: string } | { readonly file: string }

const SECRET_FORMS = "a string, { env: NAME } or { file: PATH }"
const secret = z.union([z.string(), z.strictObject({ env: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })], { error: SECRET_FORMS })

const duration = z.custom<number | string>((v) => parseDuration(v) !== undefined, { error: "a duration like 15s, 2m, 500ms or a number of seconds" }).transform((v) => parseDuration(v) as number)

/** A duration where zero would make the monitor busy-loop or skip a wait. */
const positiveDuration = (example: string) => duration.refine((s) => s > 0, { error: `a duration above zero, like ${example}` })

const seconds = (what: string) => z.number({ error: `a whole number of ${what}` }).int({ error: `a whole number of ${what}` }).nonnegative({ error: `a whole number of ${what}` })

/** A word list: `[SET, FSD]` or `"SET FSD"`. */
const words = z.union([z.string(), z.array(z.string())], { error: 'a list of names, or a string like "SET FSD"' }).transform((v) => (typeof v === "string" ? v.split(/\s+/).filter((w) => w !== "") : v))

/** A single value where a list is expected becomes a one-entry list, so errors point inside it. */
function oneOrMany(v: unknown): unknown {
  return v === undefined || v === null || Array.isArray(v) ? v : [v]
}

const listenAddress = z
  .union([z.string(), z.strictObject({ host: z.string(), port: z.number().int().min(1).max(65535) })], { error: "an address like 0.0.0.0:3493, [::1]:3493 or { host, port }" })
  .transform((v, ctx) => {
    if (typeof v !== "string") return v
    const a = parseListenAddress(v, DEFAULT_NUT_PORT)
    if (a) return a
    ctx.issues.push({ code: "custom", message: "an address like 0.0.0.0:3493, [::1]:3493 or { host, port }", input: v })
    return z.NEVER
  })

const upsParam = z.union([z.string(), z.number(), z.boolean()], { error: "a string, number or boolean driver option" })

const upsEntry = z
  .object({
    driver: z.string({ error: `a driver: ${Object.keys(DRIVER_NAMES).join(", ")}` }).refine((d) => Object.hasOwn(DRIVER_NAMES, d), {
      error: `one of the drivers ${Object.keys(DRIVER_NAMES).join(", ")}`,
    }),
    port: z.string({ error: "a port: auto, sim:<name>, a .dev/.seq file or ups@host" }).optional(),
    desc: z.string({ error: "a description string" }).optional(),
  })
  .catchall(upsParam)
  .superRefine((v, ctx) => {
    if (!Object.hasOwn(DRIVER_NAMES, v.driver)) return // already reported
    const driver = DRIVER_NAMES[v.driver as keyof typeof DRIVER_NAMES]
    if (driver !== "usbhid-ups" && v.port === undefined) {
      ctx.addIssue({ code: "custom", path: ["port"], message: driver === "upstream" ? "the remote UPS as ups@host[:port]" : "a .dev or .seq file", input: undefined })
    }
    if (driver === "upstream" && v.port !== undefined && parseUpsSystem(v.port) === undefined) {
      ctx.addIssue({ code: "custom", path: ["port"], message: "the remote UPS as ups@host[:port]", input: v.port })
    }
    // YAML reads `vendorid: 0764` as the number 764, losing the leading zero of a hex id.
    const reported = new Set<string>()
    for (const k of ["vendorid", "productid"]) {
      if (typeof v[k] === "number") {
        ctx.addIssue({ code: "custom", path: [k], message: 'a quoted hex id like "0764"', input: v[k] })
        reported.add(k)
      }
    }
    // what the driver would refuse at start, with the driver's own parser (unknown names: a warning, nutctl-checks.ts)
    const written = new Map<string, string>()
    const params: Record<string, string> = {}
    for (const [k, val] of Object.entries(v)) {
      if (k === "driver" || k === "port" || k === "desc") continue
      written.set(k.toLowerCase(), k)
      params[k.toLowerCase()] = String(val)
    }
    for (const p of checkDriverOptions(driver, v.port ?? "auto", params).problems) {
      const key = written.get(p.option) ?? p.option
      if (!reported.has(key)) ctx.addIssue({ code: "custom", path: [key], message: p.expected, input: v[key] })
    }
  })
  .transform(({ driver, port, desc, ...rest }) => {
    const params: Record<string, string> = {}
    for (const [k, val] of Object.entries(rest)) params[k.toLowerCase()] = String(val)
    return {
      driver: DRIVER_NAMES[driver as keyof typeof DRIVER_NAMES] as DriverName,
      port: port ?? "auto",
      ...(desc === undefined ? {} : { desc }),
      params,
    }
  })

const tls = z.union(
  [
    z.strictObject({ certfile: z.string(), disableWeak: z.boolean().optional() }),
    z.strictObject({ cert: secret, key: secret, disableWeak: z.boolean().optional() }),
  ],
  { error: "{ certfile: PEM with certificate and key } or { cert, key }, each optionally with disableWeak" },
)

const server = z.strictObject({
  listen: z.preprocess(oneOrMany, z.array(listenAddress, { error: "an address or a list of them" }).min(1, { error: "at least one address" })).optional(),
  allow: z.array(z.string().refine(isCidr, { error: "a network like 10.0.10.0/24 or fd00::/8" }), { error: "a list of networks" }).optional(),
  maxage: seconds("seconds").optional(),
  maxconn: z.number({ error: "a number of connections" }).int().positive({ error: "a positive number of connections" }).optional(),
  trackingdelay: seconds("seconds").optional(),
  allowNoDevice: z.boolean({ error: "true or false" }).optional(),
  tls: tls.optional(),
})

const user = z
  .strictObject({
    password: secret.optional(),
    upsmon: z
      .string()
      .refine((v) => upsmonRole(v) !== undefined, { error: "primary or secondary (or master/slave)" })
      .transform((v) => upsmonRole(v) as "primary" | "secondary")
      .optional(),
    actions: words.optional(),
    instcmds: words.optional(),
  })
  .transform((u) => ({ ...u, actions: u.actions ?? [], instcmds: u.instcmds ?? [] }))

const hostPattern = z.string({ error: "a glob like pve-* or a /regex/" }).superRefine((v, ctx) => {
  const r = compileHostPattern(v)
  if (typeof r === "string") ctx.addIssue({ code: "custom", message: r, input: v })
})

const monitorTarget = z
  .union(
    [
      z.string(),
      z.strictObject({
        system: z.string(),
        user: z.string().optional(),
        password: secret.optional(),
        powervalue: z.number().int().nonnegative().optional(),
      }),
    ],
    { error: "ups@host[:port] or { system, user, password, powervalue }" },
  )
  .transform((v, ctx) => {
    const o = typeof v === "string" ? { system: v } : v
    const sys = parseUpsSystem(o.system)
    if (!sys) {
      ctx.issues.push({ code: "custom", message: "a UPS name like rack@10.0.30.10[:3493]", input: o.system, ...(typeof v === "string" ? {} : { path: ["system"] }) })
      return z.NEVER
    }
    return { ...sys, powerValue: o.powervalue ?? 1, ...("user" in o && o.user !== undefined ? { user: o.user } : {}), ...("password" in o && o.password !== undefined ? { password: o.password } : {}) }
  })

const role = z.strictObject({
  name: z.string().optional(),
  hosts: z.preprocess(oneOrMany, z.array(hostPattern, { error: "a glob like pve-* or a /regex/, or a list of them" }).min(1, { error: "at least one pattern" })),
  role: z.enum(["primary", "secondary"], { error: "primary or secondary" }),
  monitor: z.array(monitorTarget, { error: "a list of ups@host names" }).default([]),
  shutdown: z.array(z.string(), { error: "a list of executor names" }).default([]),
})

const shutdown = z.strictObject({
  when: z
    .strictObject({
      /** OB LB is always critical, as in upsmon: only `true` is accepted, so `false` is not silently ignored. */
      lowbattery: z.literal(true, { error: "true: low battery always shuts down, as in upsmon (shut down earlier with runtimeBelow or onBatteryFor)" }).optional(),
      /**
       * Critical once `battery.runtime` (read with each poll on battery) is below this many seconds;
       * `auto`: below what this host's shutdown plan needs (learned durations × margin). Null: off.
       */
      runtimeBelow: z
        .union([z.literal("auto"), duration, z.null()], { error: "auto, a duration above zero or null (off)" })
        // 0 would never trigger: a silent "off" that reads like a setting
        .refine((v) => v !== 0, { error: "auto, a duration above zero or null (off)" })
        .optional(),
      /** Critical after this many seconds on battery (upssched's usual timer, built in). Null: off. */
      onBatteryFor: z.union([duration, z.null()], { error: "a duration or null" }).optional(),
    })
    .optional(),
  // 0: the primary would not wait for its secondaries, a secondary not for the primary's FSD
  hostsync: positiveDuration("15s").optional(),
  finaldelay: duration.optional(),
  // upsmon.conf's other timers and settings, for the monitor of every role (README "Monitor")
  minsupplies: z.number({ error: "a whole number of power supplies" }).int({ error: "a whole number of power supplies" }).nonnegative({ error: "a whole number of power supplies" }).optional(),
  pollfreq: positiveDuration("5s").optional(),
  pollfreqalert: positiveDuration("5s").optional(),
  // 0: one late answer while on battery would count the UPS as dead, hence critical
  deadtime: positiveDuration("15s").optional(),
  /** POWERDOWNFLAG: written before the shutdown, read by `nutctl killpower`. */
  powerdownflag: z.string({ error: "a file path like /etc/killpower" }).min(1, { error: "a file path like /etc/killpower" }).optional(),
  /** nut.conf's POWEROFF_WAIT: after killpower, wait this long for the power cut, then reboot. */
  poweroffwait: duration.optional(),
  notifycmd: z.string({ error: "a command line" }).min(1, { error: "a command line" }).optional(),
  /** Ask nutctl servers to push status changes (README "Push extension"). */
  push: z.boolean({ error: "true or false" }).optional(),
})

/** `nutctl hook` (the Proxmox guest hookscript): when pre-start refuses; its flags override these. */
const hook = z.strictObject({
  /** Refuse starts below this battery charge (%). */
  minCharge: z.number({ error: "a charge in percent (0–100)" }).min(0, { error: "a charge in percent (0–100)" }).max(100, { error: "a charge in percent (0–100)" }).optional(),
  /** Refuse starts below this runtime. */
  minRuntime: duration.optional(),
  /** When the UPS server cannot be asked: open = start anyway, closed = refuse. */
  onError: z.enum(["open", "closed"], { error: "open or closed" }).optional(),
  /** How long pre-start waits for the UPS server (the start task waits for the hook). */
  timeout: duration.refine((s) => s > 0, { error: "a duration above zero, like 3s" }).optional(),
})

/** The whole config file. */
export const nutctlConfigSchema = z.strictObject({
  ups: z.record(z.string().regex(/^[^\s@[\]]+$/, { error: "a UPS name without spaces, @ or brackets" }), upsEntry, { error: "a mapping of UPS names" }).default({}),
  server: server.default({}),
  users: z.record(z.string().regex(/^\S+$/, { error: "a user name without spaces" }), user, { error: "a mapping of user names" }).default({}),
  roles: z.array(role, { error: "a list of { hosts, role, monitor, shutdown }" }).default([]),
  shutdown: shutdown.default({}),
  // the key names the executor plugin (`command`, …) unless `type` does, so one plugin can appear twice
  executors: z
    .record(z.string(), z.looseObject({ type: z.string({ error: "an executor plugin name like command" }).optional() }), { error: "a mapping of executor names to their settings" })
    .default({}),
  // checked here, not first when serve starts HTTP, so `config check` finds a bad address or token
  http: httpConfigSchema
    .extend({
      listen: z
        .union([z.string(), z.literal(false)], { error: "an address like 0.0.0.0:9199, or false" })
        .refine((v) => v === false || parseListenAddress(v, DEFAULT_HTTP_PORT) !== undefined, { error: "an address like 0.0.0.0:9199, [::1]:9199, or false" })
        .optional(),
    })
    .prefault({}),
  hook: hook.default({}),
})

/** nutctl's config after validation; secrets are still references. */
export type NutctlConfig = z.output<typeof nutctlConfigSchema>
/** One `roles[]` entry. */
export type RoleEntry = NutctlConfig["roles"][number]
/** One `roles[].monitor[]` entry, normalised. */
export type MonitorTarget = RoleEntry["monitor"][number]

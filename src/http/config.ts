/**
 * The `http:` section of nutctl's config, as a zod schema the config loader can embed
 * (`http: httpConfigSchema.default({})`):
 *
 * ```yaml
 * http:
 *   listen: 0.0.0.0:9199            # false: no HTTP server
 *   auth:
 *     reads: public                 # or private: the API, the event stream and the metrics need a user or token
 *     tokens:
 *       - { token: { env: NUTCTL_API_TOKEN }, user: admin }   # acts with admin's NUT rights
 *   metrics:
 *     variables: []                 # exported NUT variables; [] = all (nut_exporter --nut.vars_enable="")
 *     statuses: [OL, OB, LB, …]     # --nut.statuses
 *     onRegex: "^(enable|…)$"       # --nut.on_regex / --nut.off_regex
 *     namespace: network_ups_tools  # --metrics.namespace
 *     deviceInfo: true              # false = --nut.disable_device_info
 *     serverParam: true             # honour ?server= (read another NUT server) like nut_exporter
 * ```
 */
import { z } from "zod"
import { compileGoRegex, DEFAULT_EXPORTER_OPTIONS, NUT_EXPORTER_DEFAULT_STATUSES, NUT_EXPORTER_OFF_REGEX, NUT_EXPORTER_ON_REGEX, type ExporterOptions } from "./exporter.ts"

/** nutctl's HTTP port, nut_exporter's. */
export const DEFAULT_HTTP_PORT = 9199

const secret = z.union([z.string().min(1), z.strictObject({ env: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })], { error: "a string, { env: NAME } or { file: PATH }" })
const words = z.union([z.string(), z.array(z.string())], { error: "a list of names, or a comma-separated string" }).transform((v) => (typeof v === "string" ? v.split(",").map((w) => w.trim()).filter((w) => w !== "") : v))
const regex = z.string({ error: "a regular expression" }).refine(
  (p) => {
    try {
      compileGoRegex(p)
      return true
    } catch {
      return false
    }
  },
  { error: "a valid regular expression" },
)

/** The `http:` section. */
export const httpConfigSchema = z.strictObject({
  listen: z.union([z.string(), z.literal(false)], { error: "an address like 0.0.0.0:9199, or false" }).optional(),
  auth: z
    .strictObject({
      reads: z.enum(["public", "private"], { error: "public or private" }).default("public"),
      tokens: z.array(z.strictObject({ token: secret, user: z.string({ error: "the NUT user whose rights the token carries" }) }), { error: "a list of { token, user }" }).default([]),
    })
    .default({ reads: "public", tokens: [] }),
  metrics: z
    .strictObject({
      variables: words.default([]),
      statuses: words.default([...NUT_EXPORTER_DEFAULT_STATUSES]),
      onRegex: regex.default(NUT_EXPORTER_ON_REGEX),
      offRegex: regex.default(NUT_EXPORTER_OFF_REGEX),
      namespace: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: "a metric name prefix like network_ups_tools" }).default("network_ups_tools"),
      deviceInfo: z.boolean({ error: "true or false" }).default(true),
      serverParam: z.boolean({ error: "true or false" }).default(true),
    })
    .default({ variables: [], statuses: [...NUT_EXPORTER_DEFAULT_STATUSES], onRegex: NUT_EXPORTER_ON_REGEX, offRegex: NUT_EXPORTER_OFF_REGEX, namespace: "network_ups_tools", deviceInfo: true, serverParam: true }),
})

/** The validated `http:` section (token secrets still references). */
export type HttpConfig = z.output<typeof httpConfigSchema>

/** Exporter options from the `metrics:` part. */
export function exporterOptionsFrom(metrics: HttpConfig["metrics"]): ExporterOptions {
  return {
    ...DEFAULT_EXPORTER_OPTIONS,
    namespace: metrics.namespace,
    variables: metrics.variables,
    statuses: metrics.statuses,
    onRegex: compileGoRegex(metrics.onRegex),
    offRegex: compileGoRegex(metrics.offRegex),
    deviceInfo: metrics.deviceInfo,
  }
}

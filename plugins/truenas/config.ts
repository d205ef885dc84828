/**
 * The `executors.truenas` section. The API key arrives resolved (`apiKey: { file: … }` in the
 * config); a plain ws:// URL to a host that is not loopback is refused here already, because
 * TrueNAS (25.04+) revokes a key that arrives over an insecure transport.
 */
import { z } from "zod"

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/

/** Seconds as a number, or `90s`, `2m`, `500ms` → milliseconds. */
const duration = z.union(
  [
    z.number().nonnegative().transform((s) => s * 1000),
    z
      .string()
      .regex(DURATION)
      .transform((text) => {
        const m = DURATION.exec(text) as RegExpExecArray
        return Number(m[1]) * (UNITS[m[2] as string] as number)
      }),
  ],
  { error: "a number of seconds or a duration such as 90s, 2m or 500ms" },
)

/** 32 colon-separated hex bytes, as `openssl x509 -fingerprint -sha256` and TrueNAS's UI show them. */
const FINGERPRINT = /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/

/** Hosts whose traffic never leaves the machine: TrueNAS accepts an API key over plain ws:// from them. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase()
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

export const truenasConfigSchema = z
  .object({
    /** `wss://nas.lan` (then /api/current and /websocket are used), or a full endpoint URL. */
    url: z.url({ protocol: /^wss?$/, error: "a ws:// or wss:// URL like wss://nas.lan" }),
    /** `<id>-<key>` as TrueNAS showed it once. */
    apiKey: z.string({ error: "the API key (use { file: PATH } or { env: NAME })" }).regex(/^\d+-\S+$/, { error: "a TrueNAS API key like 1-AbC… (<id>-<key>)" }),
    /** Pin the NAS's certificate (self-signed by default). */
    fingerprint: z.string().regex(FINGERPRINT, { error: "a SHA-256 fingerprint like AA:BB:…:FF (32 bytes)" }).optional(),
    /** Trust this CA (PEM text; `{ file: PATH }` works) with the usual hostname check. */
    ca: z.string().includes("BEGIN CERTIFICATE", { error: "a PEM certificate" }).optional(),
    /** The reason TrueNAS 25.04+ records in its audit log. */
    reason: z.string().min(1).default("UPS power failure (nutctl)"),
    /** Seconds TrueNAS waits before powering off. @default none */
    delay: z.number().int().nonnegative().optional(),
    /** Connect, log in and answer one call. @default 30 s */
    timeout: duration.default(30_000),
    /** Which API: JSON-RPC at /api/current with /websocket as fallback (auto), or only one. */
    api: z.enum(["auto", "current", "legacy"]).default("auto"),
    /** nutctl runs on the NAS itself: `midclt` is the last resort. @default true for a loopback URL */
    onNas: z.boolean().optional(),
    /** @default midclt */
    midclt: z.string().min(1).default("midclt"),
    /** Wait until the secondaries logged out before the NAS goes off (a primary's plan). @default true */
    waitForSecondaries: z.boolean().default(true),
    /** How long to wait for them; then the NAS goes off anyway (like HOSTSYNC). @default 15m */
    secondariesTimeout: duration.default(900_000),
    /** After the request, wait until the NAS stops answering. @default true unless onNas */
    confirmOff: z.boolean().optional(),
    /** How long powering off may take. @default 10m */
    offTimeout: duration.default(600_000),
    /** How long powering off usually takes, until learned. @default 45s */
    offEstimate: duration.default(45_000),
    /** Ask the UPS to cut power (INSTCMD shutdown.return) at the end, when the monitor offers it. @default true */
    killPower: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    const url = new URL(c.url)
    if (url.protocol === "ws:" && !isLoopbackHost(url.hostname)) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "wss:// (TrueNAS revokes an API key sent over plain ws:// to a host that is not loopback)", input: c.url })
    }
    if (url.protocol === "ws:" && (c.fingerprint !== undefined || c.ca !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "wss:// when fingerprint or ca is set", input: c.url })
    }
  })

export type TrueNasConfig = z.output<typeof truenasConfigSchema>

/** Whether nutctl runs on the NAS itself: as configured, else when the URL is a loopback address. */
export function onNasOf(c: TrueNasConfig): boolean {
  return c.onNas ?? isLoopbackHost(new URL(c.url).hostname)
}

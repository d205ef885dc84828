/**
 * `GET /api/v1/ups/:ups/history`: the sampled power history of one UPS (charge, runtime, load,
 * voltages, on battery), thinned for a chart. An API route like the others (api-router.ts), so
 * it is validated and described in the OpenAPI document.
 */
import { z } from "zod"
import { apiRoute, type ApiRoute } from "../api-router.ts"
import { upsParams } from "../api-schemas.ts"
import type { UpsDirectory } from "../types.ts"
import type { PowerSeries } from "./power-series.ts"

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/**
 * A point in time from text: a duration back from `now` (`90s`, `30m`, `6h`, `7d`), ms since the
 * epoch, or an ISO date.
 * @returns undefined when the text is none of these
 */
export function parseSince(text: string, now: number): number | undefined {
  const t = text.trim()
  const rel = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(t)
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS]
  if (/^\d{10,}$/.test(t)) return Number(t)
  const iso = /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : Number.NaN
  return Number.isNaN(iso) ? undefined : iso
}

const when = z.string().describe("A duration back from now (`30m`, `6h`, `7d`), ms since the epoch, or an ISO date")

export const historyQuery = z.object({
  since: when.optional().describe("Start (default 6h)"),
  until: when.optional().describe("End (default now)"),
  points: z.coerce.number().int().min(2).max(5000).optional().describe("Thin out to about this many points (default 500); switches to and from battery are always kept"),
})

const point = z.object({
  at: z.number().describe("ms since the epoch"),
  charge: z.number().nullable().describe("battery.charge, %"),
  runtime: z.number().nullable().describe("battery.runtime, s"),
  load: z.number().nullable().describe("ups.load, %"),
  inputVoltage: z.number().nullable().describe("input.voltage, V"),
  outputVoltage: z.number().nullable().describe("output.voltage, V"),
  onBattery: z.boolean().describe("OB in ups.status"),
})

export const historyBody = z.object({
  ups: z.string(),
  available: z.boolean().describe("false when this node keeps no history"),
  since: z.number(),
  until: z.number(),
  intervalMs: z.number().describe("Sampling interval: points further apart than twice this are a gap"),
  points: z.array(point),
})

/** What the history route reads. */
export interface HistoryRouteContext {
  readonly directory: UpsDirectory
  readonly series?: PowerSeries | undefined
  readonly now: () => number
}

/** The history route (append to the API's routes). */
export function historyRoutes(ctx: HistoryRouteContext): ApiRoute[] {
  return [
    apiRoute(
      {
        method: "get",
        path: "/api/v1/ups/:ups/history",
        summary: "Sampled power history: charge, runtime, load, voltages, on battery",
        description: "A point every 30 s and when a value moves (at most one per 5 s); kept 7 days by default.",
        tag: "ups",
        access: "read",
        params: upsParams,
        query: historyQuery,
        response: historyBody,
        errors: { 400: "Bad since/until", 401: "No or wrong credentials (only when reads are private)", 404: "No such UPS" },
      },
      async ({ params, query }) => {
        const r = ctx.directory.read(params.ups)
        if (!r) return { status: 404, code: "UNKNOWN-UPS", message: `No UPS named ${params.ups}` }
        const t = ctx.now()
        const until = query.until === undefined ? t : parseSince(query.until, t)
        const since = parseSince(query.since ?? "6h", t)
        if (since === undefined || until === undefined) return { status: 400, code: "BAD_REQUEST", message: "since/until: expected a duration like 6h, ms since the epoch or an ISO date" }
        const series = ctx.series
        const points = series ? await series.query(r.name, { since, until, ...(query.points === undefined ? {} : { maxPoints: query.points }) }) : []
        return { body: { ups: r.name, available: series !== undefined, since, until, intervalMs: series?.intervalMs ?? 0, points: points.map((p) => ({ ...p })) } }
      },
    ),
  ]
}

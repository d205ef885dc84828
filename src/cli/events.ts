/**
 * `nutctl events`: the event history (status changes, notify events, monitor decisions, shutdown
 * steps, drills), oldest first. Reads the store in the data directory `serve` writes, or a running
 * nutctl's API with `--url` (`http://user:password@host:9199` logs in with HTTP Basic;
 * $NUTCTL_API_TOKEN is sent as a bearer token).
 */
import { defineCommand } from "citty"
import { existsSync } from "node:fs"
import { fromStored, matchesEvent, parseSince, toStored, type HttpEvent } from "../http/index.ts"
import { createStore } from "../store/index.ts"
import { DEFAULT_DATA_DIR } from "./_paths.ts"
import { EXIT, runCli } from "./_io.ts"
import { UsageError } from "./_target.ts"

export default defineCommand({
  meta: { name: "events", description: "Print the event history: status changes, notify events, decisions, shutdown steps and drills" },
  args: {
    ups: { type: "string", description: "Only events of this UPS", valueHint: "NAME" },
    since: { type: "string", description: "Only events after this: a duration back from now (30m, 6h, 7d), ms since the epoch or an ISO date", valueHint: "WHEN" },
    limit: { type: "string", default: "200", description: "At most this many, the newest (0: all)", valueHint: "N" },
    json: { type: "boolean", description: "Print a JSON array of the events (the API's shape)" },
    url: { type: "string", description: "Read a running nutctl's API instead of the local store, e.g. http://127.0.0.1:9199", valueHint: "URL" },
    "data-dir": { type: "string", description: `The store serve writes (default ${DEFAULT_DATA_DIR})`, valueHint: "DIR" },
  },
  run: ({ args, data }) =>
    runCli("events", data, async (cli) => {
      const now = Date.now()
      const since = args.since === undefined ? undefined : parseSince(args.since, now)
      if (args.since !== undefined && since === undefined) throw new UsageError(`--since ${args.since}: expected a duration like 6h or 7d, ms since the epoch or an ISO date`)
      const limit = Number(args.limit)
      if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit ${args.limit}: expected a whole number`)
      const query = { ...(args.ups === undefined ? {} : { ups: args.ups }), ...(since === undefined ? {} : { since }), limit }
      const fetchImpl = (data as { fetch?: typeof fetch } | undefined)?.fetch ?? fetch
      const events = args.url !== undefined ? await fromApi(args.url, query, { fetch: fetchImpl, token: cli.env["NUTCTL_API_TOKEN"] }) : await fromDir(args["data-dir"] ?? DEFAULT_DATA_DIR, query)
      cli.io.out(args.json === true ? `${JSON.stringify(events, null, 2)}\n` : formatEvents(events))
      return EXIT.OK
    }),
})

interface Query {
  readonly ups?: string
  readonly since?: number
  readonly limit: number
}

/** Events in the store under `dir`, oldest first. */
export async function fromDir(dir: string, query: Query): Promise<HttpEvent[]> {
  if (!existsSync(dir)) throw new Error(`Cannot read the event history: ${dir} does not exist (nutctl serve keeps it there; --data-dir DIR, or --url to ask a running nutctl)`)
  const store = createStore({ dir })
  try {
    const stored = await store.events.list(query.since === undefined ? {} : { since: query.since })
    return pick(stored.map(fromStored), query)
  } finally {
    await store.dispose()
  }
}

/** Events from a running nutctl's `/api/v1/events`, oldest first. */
export async function fromApi(base: string, query: Query, options: { fetch: typeof fetch; token?: string | undefined }): Promise<HttpEvent[]> {
  let url: URL
  try {
    url = new URL("api/v1/events", base.endsWith("/") ? base : `${base}/`)
  } catch {
    throw new UsageError(`--url ${base}: expected an address like http://127.0.0.1:9199`)
  }
  const headers: Record<string, string> = { accept: "application/json" }
  if (url.username !== "") headers["authorization"] = `Basic ${btoa(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`)}`
  else if (options.token) headers["authorization"] = `Bearer ${options.token}`
  url.username = ""
  url.password = ""
  url.searchParams.set("limit", "10000")
  if (query.ups !== undefined) url.searchParams.set("ups", query.ups)
  let res: Response
  try {
    res = await options.fetch(url, { headers })
  } catch (e) {
    throw new Error(`Cannot read events from ${url.origin}: ${(e as Error).message}`, { cause: e })
  }
  if (!res.ok) throw new Error(`Cannot read events from ${url.origin}: HTTP ${res.status}${res.status === 401 ? " (give http://USER:PASSWORD@… or set NUTCTL_API_TOKEN)" : ""}`)
  const body = (await res.json()) as unknown
  if (!Array.isArray(body)) throw new Error(`Cannot read events from ${url.origin}: the answer is not a list`)
  return pick(body as HttpEvent[], query)
}

/** One line an event: local time, type, UPS, words. */
export function formatEvents(events: readonly HttpEvent[]): string {
  if (events.length === 0) return "No events.\n"
  const rows = events.map((e) => {
    const s = toStored(e)
    return [localTime(e.at), s.type, s.ups ?? "-", s.message ?? ""] as const
  })
  const typeWidth = Math.max(...rows.map((r) => r[1].length))
  const upsWidth = Math.max(...rows.map((r) => r[2].length))
  return rows.map(([t, type, ups, message]) => `${t}  ${type.padEnd(typeWidth)}  ${ups.padEnd(upsWidth)}  ${message}\n`).join("")
}

function pick(events: readonly HttpEvent[], query: Query): HttpEvent[] {
  const out = events.filter((e) => (query.since === undefined || e.at >= query.since) && matchesEvent(e, query.ups === undefined ? {} : { ups: query.ups }))
  return query.limit > 0 ? out.slice(-query.limit) : out
}

function localTime(at: number): string {
  const d = new Date(at)
  const p = (n: number): string => String(n).padStart(2, "0")
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

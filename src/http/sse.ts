/**
 * `GET /api/v1/events/stream`: Server-Sent Events. First a `hello` with every UPS's summary, then
 * each event as `event: <kind>`, `id: <id>`, `data: <json>`. A reconnecting browser sends
 * `Last-Event-ID` and gets what it missed from the source's history first. `?ups=` and `?kinds=`
 * filter; a comment line every `keepAliveMs` keeps proxies from closing an idle stream.
 */
import type { Hono } from "hono"
import { streamSSE } from "hono/streaming"
import { describeStatus } from "../ups/index.ts"
import { failure, type ApiAccess } from "./api-router.ts"
import { authenticate } from "./auth.ts"
import { matchesEvent, type EventSource, type HttpEvent } from "./events.ts"
import type { UpsDirectory } from "./types.ts"

export const EVENT_STREAM_PATH = "/api/v1/events/stream"

export interface EventStreamOptions {
  readonly events: EventSource
  readonly directory: UpsDirectory
  readonly access: ApiAccess
  /** Comment line interval; 0 = none. @default 15000 */
  readonly keepAliveMs?: number
  /** Events queued for a slow client before the stream is closed (it reconnects with Last-Event-ID). @default 10000 */
  readonly maxQueue?: number
}

/** Register the event stream route. */
export function mountEventStream(app: Hono, options: EventStreamOptions): void {
  const keepAliveMs = options.keepAliveMs ?? 15_000
  const maxQueue = options.maxQueue ?? 10_000
  app.get(EVENT_STREAM_PATH, (c) => {
    const auth = authenticate(c.req.header("authorization"), options.access.users, options.access.tokens)
    if (auth.kind === "invalid" || (!options.access.readsPublic && auth.kind !== "user")) {
      return failure(c, { status: 401, code: "UNAUTHORIZED", message: "This needs a NUT user (HTTP Basic) or a bearer token" })
    }
    const q = new URL(c.req.url).searchParams
    const ups = q.get("ups") ?? undefined
    const kinds = q.get("kinds")?.split(",").filter((k) => k !== "")
    const filter = { ...(ups === undefined ? {} : { ups }), ...(kinds && kinds.length > 0 ? { kinds } : {}) }
    const lastId = c.req.header("last-event-id") ?? q.get("after") ?? undefined

    return streamSSE(
      c,
      async (stream) => {
        const queue: HttpEvent[] = []
        let wake: (() => void) | undefined
        let done = false
        const finish = (): void => {
          done = true
          wake?.()
        }
        const unsubscribe = options.events.subscribe((e) => {
          if (!matchesEvent(e, filter)) return
          queue.push(e)
          if (queue.length > maxQueue) finish()
          wake?.()
        })
        stream.onAbort(finish)
        c.req.raw.signal.addEventListener("abort", finish, { once: true })
        const timer = keepAliveMs > 0 ? setInterval(() => void stream.write(": keep-alive\n\n"), keepAliveMs) : undefined
        try {
          await stream.writeSSE({ event: "hello", retry: 2000, data: JSON.stringify({ ups: summaries(options.directory) }) })
          const sent = new Set<string>()
          if (lastId !== undefined) {
            for (const e of await options.events.recent({ after: lastId, limit: maxQueue, ...filter })) {
              sent.add(e.id)
              await stream.writeSSE({ event: e.kind, id: e.id, data: JSON.stringify(e) })
            }
          }
          while (!done) {
            const e = queue.shift()
            if (e === undefined) {
              await new Promise<void>((resolve) => (wake = resolve))
              wake = undefined
              continue
            }
            if (sent.delete(e.id)) continue // already replayed from history
            // `vars` events carry no id: they are not kept, so there is nothing to resume from
            await stream.writeSSE({ event: e.kind, ...(e.kind === "vars" ? {} : { id: e.id }), data: JSON.stringify(e) })
          }
        } finally {
          if (timer) clearInterval(timer)
          unsubscribe()
        }
      },
      async () => {
        // a write to a gone client: nothing to report to anyone
      },
    )
  })
}

function summaries(directory: UpsDirectory): unknown[] {
  return directory.list().flatMap((u) => {
    const r = directory.read(u.name)
    return r ? [{ name: r.name, status: r.status, statusText: r.availability === "ok" ? describeStatus(r.status) : "unknown", availability: r.availability, fsd: r.fsd }] : []
  })
}

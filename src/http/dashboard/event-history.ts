/**
 * The event history: the hub's events (status, availability, FSD, notify, decisions) and the
 * events no hub carries (shutdown plan steps, drill results: `note()`), kept in the store's
 * EventLog (`events:<day>` buckets, fs driver by default) so they survive a restart. It is the
 * `EventSource` the API and the SSE stream read: `recent()` answers from a cache of the newest
 * events and falls back to the store for older ones.
 *
 * Ids are numbers that keep growing across restarts: `max(previous + 1, at × 1000)`. A browser
 * that reconnects with the Last-Event-ID it got before a restart therefore gets exactly what it
 * missed, even when the store was emptied in between.
 */
import { z } from "zod"
import type { EventLog, JsonValue, StoredEvent } from "../../store/index.ts"
import { describeStatus } from "../../ups/index.ts"
import { matchesEvent, type EventQuery, type EventSource, type HttpEvent } from "../events.ts"

const DAY_MS = 86_400_000

export interface EventHistoryOptions {
  /** Where events are kept (the store's `events`). */
  readonly log: EventLog
  /** The live events to keep (the in-memory hub); `vars` pass through unkept. */
  readonly hub: EventSource
  /** @default Date.now */
  readonly now?: () => number
  /** Newest events kept in memory for `recent()` and SSE replay. @default 1000 */
  readonly cacheSize?: number
  /** Events older than this are dropped by `prune()`. @default 90 days */
  readonly maxAgeMs?: number
  /** At most this many events are kept (whole days are dropped, oldest first; the newest day stays). @default 10000 */
  readonly maxEvents?: number
  /** A write or read of the store failed (the event stays live; only its history is lost). */
  readonly onError?: (message: string, cause: unknown) => void
}

/** What `note()` records: an event that does not come through the hub. */
export interface NoteInput {
  /** `shutdown.step`, `shutdown.end`, `drill`, … (becomes the event's `code`). */
  readonly type: string
  readonly message: string
  readonly level?: "info" | "warning" | "error"
  /** The UPS (or `ups@host`) it concerns. */
  readonly system?: string
  /** @default now */
  readonly at?: number
}

/** The persisted event source. */
export interface EventHistory extends EventSource {
  /** Record and publish an event that has no hub kind (a plan step, a drill result). */
  note(input: NoteInput): HttpEvent
  /** Apply the age and count limits; returns the day buckets dropped. */
  prune(): Promise<number>
  /** Resolves when every event so far is written. */
  flush(): Promise<void>
  /** Stop taking events from the hub. */
  close(): void
}

/**
 * Open the history: load the newest events, then keep what the hub publishes.
 * @example
 * const history = await openEventHistory({ log: store.events, hub })
 * createHttpApp({ …, events: history })
 */
export async function openEventHistory(options: EventHistoryOptions): Promise<EventHistory> {
  const now = options.now ?? Date.now
  const cacheSize = options.cacheSize ?? 1000
  const maxAgeMs = options.maxAgeMs ?? 90 * DAY_MS
  const maxEvents = options.maxEvents ?? 10_000
  const report = options.onError ?? (() => {})
  const listeners = new Set<(event: HttpEvent) => void>()
  // The hub runs before the history is open (the driver's first status, the first availability
  // come while the store is still being read): hold what it publishes now, and catch up below.
  const held: HttpEvent[] = []
  let live = false
  const unsubscribe = options.hub.subscribe((e) => (live ? take(e) : held.push(e)))

  let loaded: StoredEvent[] = []
  try {
    loaded = await options.log.list({ limit: cacheSize + 1 })
  } catch (e) {
    report("Cannot read the event history", e)
  }
  // more in the store than in the cache: older queries must go to the store
  let partial = loaded.length > cacheSize
  const cache: HttpEvent[] = loaded.slice(-cacheSize).map(fromStored)
  let last = cache.reduce((max, e) => Math.max(max, Number(e.id) || 0), 0)
  let writes: Promise<void> = Promise.resolve()

  const keep = (body: Omit<HttpEvent, "id">): HttpEvent => {
    last = Math.max(last + 1, Math.floor(body.at) * 1000)
    const event = { ...body, id: String(last) } as HttpEvent
    cache.push(event)
    if (cache.length > cacheSize) {
      cache.splice(0, cache.length - cacheSize)
      partial = true
    }
    const stored = toStored(event)
    writes = writes.then(() => options.log.append(stored)).catch((e: unknown) => report("Cannot write an event to the history", e))
    for (const l of listeners) l(event)
    return event
  }

  function take(e: HttpEvent): void {
    if (e.kind === "vars") {
      for (const l of listeners) l(e)
      return
    }
    const { id: _hubId, ...body } = e
    keep(body)
  }
  // what the hub published before this history subscribed, then what it held meanwhile, in order
  const firstHeld = held[0] === undefined ? Infinity : Number(held[0].id)
  for (const e of await options.hub.recent({ limit: cacheSize })) if (Number(e.id) < firstHeld) take(e)
  for (const e of held) take(e)
  held.length = 0
  live = true

  return {
    async recent(query: EventQuery = {}) {
      const limit = query.limit ?? 100
      const after = query.after === undefined ? undefined : Number(query.after)
      const pick = (list: readonly HttpEvent[]): HttpEvent[] => list.filter((e) => (after === undefined || Number(e.id) > after) && matchesEvent(e, query)).slice(-limit)
      const fromCache = pick(cache)
      const first = cache[0]
      const cacheAnswers = !partial || (after !== undefined ? first !== undefined && after >= Number(first.id) : fromCache.length >= limit)
      if (cacheAnswers) return fromCache
      try {
        return pick((await options.log.list()).map(fromStored))
      } catch (e) {
        report("Cannot read the event history", e)
        return fromCache
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    note(input) {
      return keep({
        kind: "decision",
        at: input.at ?? now(),
        level: input.level ?? "info",
        code: input.type,
        message: input.message,
        ...(input.system === undefined ? {} : { system: input.system }),
      } as Omit<HttpEvent, "id">)
    },
    async prune() {
      await writes
      const t = now()
      let dropped = await options.log.prune(t - maxAgeMs)
      const all = await options.log.list()
      if (all.length > maxEvents) {
        // EventLog drops whole days: up to the day of the last event that must go, never the newest day
        const cut = all[all.length - maxEvents - 1]
        const newest = all[all.length - 1]
        if (cut && newest) dropped += await options.log.prune(Math.min(Math.floor(cut.at / DAY_MS) + 1, Math.floor(newest.at / DAY_MS)) * DAY_MS)
      }
      if (dropped > 0) {
        const oldest = (await options.log.list())[0]?.at
        const kept = cache.filter((e) => oldest !== undefined && e.at >= Math.floor(oldest / DAY_MS) * DAY_MS)
        cache.splice(0, cache.length, ...kept)
      }
      return dropped
    },
    flush: () => writes,
    close: unsubscribe,
  }
}

// ----- Stored form -----

/** The stored shape of an event (StoredEvent `data`); anything else is a foreign event. */
const storedBody = z.discriminatedUnion("kind", [
  z.object({ id: z.string(), kind: z.literal("status"), at: z.number(), ups: z.string(), status: z.string(), previous: z.string() }),
  z.object({ id: z.string(), kind: z.literal("availability"), at: z.number(), ups: z.string(), availability: z.enum(["ok", "not-connected", "stale", "unreachable"]), previous: z.enum(["ok", "not-connected", "stale", "unreachable"]) }),
  z.object({ id: z.string(), kind: z.literal("fsd"), at: z.number(), ups: z.string(), fsd: z.boolean() }),
  z.object({ id: z.string(), kind: z.literal("notify"), at: z.number(), type: z.string(), system: z.string(), message: z.string(), status: z.string().optional() }),
  z.object({ id: z.string(), kind: z.literal("decision"), at: z.number(), level: z.string(), code: z.string(), system: z.string().optional(), message: z.string() }),
])

/** An event as the store keeps it: `type` is the NUT notify type or the kind, `data` the event. */
export function toStored(event: HttpEvent): StoredEvent {
  const ups = "ups" in event ? event.ups : event.system?.split("@")[0]
  const type = event.kind === "notify" ? event.type : event.kind === "decision" ? event.code : event.kind
  return { at: event.at, type, ...(ups === undefined ? {} : { ups }), message: describeEvent(event), data: JSON.parse(JSON.stringify(event)) as JsonValue }
}

/**
 * An event read back from the store. A record someone else wrote (or an old, hand-edited one)
 * becomes a `decision` with its type as code, so nothing kept is hidden.
 */
export function fromStored(stored: StoredEvent): HttpEvent {
  const r = storedBody.safeParse(stored.data)
  if (r.success) return r.data as HttpEvent
  return {
    kind: "decision",
    id: String(Math.floor(stored.at) * 1000),
    at: stored.at,
    level: "info",
    code: stored.type,
    message: stored.message ?? stored.type,
    ...(stored.ups === undefined ? {} : { system: stored.ups }),
  }
}

/** One line of text for an event (the CLI, the stored `message`). */
export function describeEvent(event: HttpEvent): string {
  switch (event.kind) {
    case "status":
      return `${event.ups}: ${describeStatus(event.status)} (was ${event.previous === "" ? "unknown" : describeStatus(event.previous)})`
    case "availability":
      return `${event.ups}: ${AVAILABILITY_WORDS[event.availability]} (was ${AVAILABILITY_WORDS[event.previous]})`
    case "fsd":
      return `${event.ups}: forced shutdown ${event.fsd ? "set" : "cleared"}`
    case "vars":
      return `${event.ups}: ${Object.keys(event.values).length} values changed`
    case "notify":
    case "decision":
      return event.message
  }
}

const AVAILABILITY_WORDS = { ok: "data available", "not-connected": "driver not connected", stale: "data stale", unreachable: "NUT server unreachable" } as const

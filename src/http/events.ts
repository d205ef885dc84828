/**
 * Events the API lists and the SSE stream carries: UPS changes (status, availability, FSD, live
 * values) and the monitor's records (notify events, decisions). The in-memory hub keeps the last
 * ones; the event store (issue 6 item 4) implements the same `EventSource` with persisted history
 * and takes the hub as its input (subscribe, persist what is not `vars`).
 */
import type { UpsChange, UpsDirectory } from "./types.ts"

/** A notify event or a decision of this host's monitor (monitor/'s MonitorRecord, copied). */
export type MonitorEvent =
  | { readonly kind: "notify"; readonly at: number; readonly type: string; readonly system: string; readonly message: string; readonly status?: string }
  | { readonly kind: "decision"; readonly at: number; readonly level: string; readonly code: string; readonly system?: string; readonly message: string }

/** Everything an event source publishes. */
export type EventBody = UpsChange | MonitorEvent

/** A published event, with the id its source gave it (ordered: later events sort after). */
export type HttpEvent = EventBody & { readonly id: string }

/** The kinds of events (for `?kinds=` filters). */
export const EVENT_KINDS = ["status", "availability", "fsd", "vars", "notify", "decision"] as const

/** Query of `recent()`. */
export interface EventQuery {
  /** Only events after this id (SSE `Last-Event-ID`). */
  readonly after?: string
  /** At most this many, the newest. @default 100 */
  readonly limit?: number
  /** Only events of this UPS (case-insensitive; monitor events match on the `ups@host` system). */
  readonly ups?: string
  readonly kinds?: readonly string[]
}

/**
 * The hook the HTTP layer reads events through: history and live delivery. `vars` events are live
 * only; sources do not keep them.
 */
export interface EventSource {
  /** Kept events, oldest first. */
  recent(query?: EventQuery): Promise<readonly HttpEvent[]>
  /** Every new event (including `vars`); returns the unsubscribe function. */
  subscribe(listener: (event: HttpEvent) => void): () => void
}

/** The in-memory event source: a ring of the last events, and fan-out to subscribers. */
export interface EventHub extends EventSource {
  /** Publish one event; returns it with its id. */
  publish(event: EventBody): HttpEvent
  /** Publish a directory's changes from now on; returns the detach function. */
  attach(directory: UpsDirectory): () => void
  /** Publish a monitor record (pass the monitor loop's `onRecord` records as they are). */
  monitorRecord(record: MonitorRecordLike): void
}

/** The fields of monitor/'s NotifyRecord and DecisionRecord the hub copies. */
export type MonitorRecordLike =
  | { readonly kind: "notify"; readonly at: number; readonly type: string; readonly system: string; readonly message: string; readonly status?: string }
  | { readonly kind: "decision"; readonly at: number; readonly level: string; readonly code: string; readonly system?: string; readonly message: string }

export interface EventHubOptions {
  /** Events kept for `recent()`. @default 1000 */
  readonly capacity?: number
}

/** Create an in-memory event hub. */
export function createEventHub(options: EventHubOptions = {}): EventHub {
  const capacity = options.capacity ?? 1000
  const ring: HttpEvent[] = []
  const listeners = new Set<(event: HttpEvent) => void>()
  let seq = 0

  const hub: EventHub = {
    publish(event) {
      const published = { ...event, id: String(++seq) } as HttpEvent
      if (published.kind !== "vars") {
        ring.push(published)
        if (ring.length > capacity) ring.splice(0, ring.length - capacity)
      }
      for (const l of listeners) l(published)
      return published
    },
    attach(directory) {
      return directory.subscribe((change) => hub.publish(change))
    },
    monitorRecord(record) {
      if (record.kind === "notify") {
        hub.publish({ kind: "notify", at: record.at, type: record.type, system: record.system, message: record.message, ...(record.status === undefined ? {} : { status: record.status }) })
      } else {
        hub.publish({ kind: "decision", at: record.at, level: record.level, code: record.code, message: record.message, ...(record.system === undefined ? {} : { system: record.system }) })
      }
    },
    async recent(query = {}) {
      const after = query.after === undefined ? 0 : Number(query.after)
      const matches = ring.filter((e) => Number(e.id) > after && matchesEvent(e, query))
      return matches.slice(-(query.limit ?? 100))
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  return hub
}

/** Does an event pass a query's `ups` and `kinds` filters? */
export function matchesEvent(event: HttpEvent, query: Pick<EventQuery, "ups" | "kinds">): boolean {
  if (query.kinds && query.kinds.length > 0 && !query.kinds.includes(event.kind)) return false
  if (query.ups === undefined) return true
  const want = query.ups.toLowerCase()
  if ("ups" in event) return event.ups.toLowerCase() === want
  const system = event.system?.toLowerCase()
  return system !== undefined && (system === want || system.startsWith(`${want}@`))
}

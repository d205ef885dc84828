/**
 * nutctl's push extension, server side (README "Push extension"): a connection that sent
 * `NUTCTL PUSH <ups>` gets an unsolicited line whenever what `GET VAR <ups> ups.status` would
 * answer changes: the status (with the FSD latch), or the availability (DATA-STALE,
 * DRIVER-NOT-CONNECTED). Nothing is ever written to a connection that did not opt in, so upsmon,
 * upsc and every libupsclient client see plain NUT (research/nut-reference.md §8.1: "never
 * unsolicited output").
 *
 * Lines are computed when they are flushed, one microtask after the change: a driver update that
 * touches several variables at once yields one line, and a line equal to the last one sent on this
 * connection is not repeated. The microtask runs before the server reads the next request from any
 * socket, so the push of a change goes out before any later reply that reflects it (only a change
 * made by this very connection's own request, such as its FSD, is answered first and pushed right
 * after).
 */
import { formatPushLine, type PushUpdate } from "../protocol/index.ts"
import { hasStatusWord, type StateChange } from "../ups/index.ts"
import type { ServedUps } from "./context.ts"

interface Watch {
  /** The UPS name as the client spelled it (replies echo the client's spelling). */
  readonly name: string
  readonly unsubscribe: () => void
  last: string
  scheduled: boolean
}

/** The push subscriptions of one connection. */
export class PushChannel {
  readonly #watches = new Map<ServedUps, Watch>()
  #sink: ((line: string) => void) | undefined
  #closed = false

  /** Where pushed lines go (the connection's socket); without a sink nothing is pushed. */
  attach(sink: (line: string) => void): void {
    this.#sink = sink
  }

  /** Number of UPSes this connection watches. */
  get size(): number {
    return this.#watches.size
  }

  /**
   * Start pushing changes of `ups` (idempotent). The state at this moment is taken as known to the
   * client: it reads it with its next poll, and every change after this one is pushed.
   */
  watch(ups: ServedUps, name: string): void {
    if (this.#closed || this.#watches.has(ups)) return
    const watch: Watch = {
      name,
      last: pushLine(ups, name),
      scheduled: false,
      unsubscribe: ups.state.subscribe((change) => {
        if (!affectsStatus(change) || watch.scheduled) return
        watch.scheduled = true
        queueMicrotask(() => this.#flush(ups, watch))
      }),
    }
    this.#watches.set(ups, watch)
  }

  /** The connection is gone: stop listening to every UPS. */
  close(): void {
    this.#closed = true
    for (const w of this.#watches.values()) w.unsubscribe()
    this.#watches.clear()
    this.#sink = undefined
  }

  #flush(ups: ServedUps, watch: Watch): void {
    watch.scheduled = false
    if (this.#closed) return
    const line = pushLine(ups, watch.name)
    if (line === watch.last) return
    watch.last = line
    this.#sink?.(line + "\n")
  }
}

/** Changes that can alter what a status poll answers. */
function affectsStatus(change: StateChange): boolean {
  if (change.kind === "fsd" || change.kind === "connection") return true
  if (change.kind !== "var") return false
  const name = change.name.toLowerCase()
  return name === "ups.status" || name === "ups.alarm"
}

/**
 * What a status poll of `ups` would answer now, as a pushed line: the status (plus the alarm text
 * while the status says ALARM), or the ERR the poll would get.
 */
export function pushLine(ups: ServedUps, name: string): string {
  return formatPushLine(pushUpdate(ups, name))
}

function pushUpdate(ups: ServedUps, name: string): PushUpdate {
  const availability = ups.state.availability()
  if (availability === "not-connected") return { ups: name, kind: "failed", error: "DRIVER-NOT-CONNECTED" }
  if (availability === "stale") return { ups: name, kind: "failed", error: "DATA-STALE" }
  if (ups.state.get("ups.status") === undefined) return { ups: name, kind: "failed", error: "VAR-NOT-SUPPORTED" }
  const status = ups.state.status
  const alarm = hasStatusWord(status, "ALARM") ? ups.state.value("ups.alarm") : undefined
  // the client reads pushed lines like replies, which end at 512 bytes: a long alarm text stays out
  if (alarm === undefined || alarm.length > 400) return { ups: name, kind: "status", status }
  return { ups: name, kind: "status", status, alarm }
}

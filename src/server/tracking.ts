import type { Now, WriteResult } from "../ups/index.ts"

/** What `GET TRACKING <id>` answers. */
export type TrackingAnswer = "PENDING" | "SUCCESS" | "ERR UNKNOWN" | "ERR INVALID-ARGUMENT" | "ERR FAILED"

const ANSWER: Readonly<Record<WriteResult, TrackingAnswer>> = {
  SUCCESS: "SUCCESS",
  UNKNOWN: "ERR UNKNOWN",
  "INVALID-ARGUMENT": "ERR INVALID-ARGUMENT",
  FAILED: "ERR FAILED",
}

export interface TrackingOptions {
  /** Seconds an entry is kept (upsd.conf TRACKINGDELAY). @default 3600 */
  readonly delaySeconds?: number
  readonly now: Now
  /** Source of tracking ids; upsd uses upper-case UUIDv4 strings. @default random UUIDs */
  readonly nextId?: () => string
}

/**
 * Results of SET VAR / INSTCMD sent with `SET TRACKING ON` (NUT 2.8.0 TRACKING). Unlike upsd,
 * whose unseeded rand() gives every process the same id sequence, ids are random by default.
 */
export class TrackingStore {
  readonly #entries = new Map<string, { answer: TrackingAnswer; expires: number }>()
  #delayMs: number
  readonly #now: Now
  readonly #nextId: () => string

  constructor(options: TrackingOptions) {
    this.#delayMs = (options.delaySeconds ?? 3600) * 1000
    this.#now = options.now
    this.#nextId = options.nextId ?? (() => crypto.randomUUID().toUpperCase())
  }
  /** A new TRACKINGDELAY (reload): applies to results recorded from now on. */
  setDelay(seconds: number): void {
    this.#delayMs = seconds * 1000
  }


  /** Register a pending write; its promise settles the entry. Returns the id. */
  track(result: Promise<WriteResult>): string {
    const id = this.#nextId()
    const entry = { answer: "PENDING" as TrackingAnswer, expires: this.#now() + this.#delayMs }
    this.#entries.set(id.toUpperCase(), entry)
    result.then(
      (r) => (entry.answer = ANSWER[r]),
      () => (entry.answer = "ERR FAILED"),
    )
    this.#prune()
    return id
  }

  /** Answer for an id (case-insensitive); unknown or expired ids are `ERR UNKNOWN`. */
  answer(id: string): TrackingAnswer {
    const entry = this.#entries.get(id.toUpperCase())
    if (!entry || entry.expires < this.#now()) return "ERR UNKNOWN"
    return entry.answer
  }

  #prune(): void {
    const now = this.#now()
    for (const [id, e] of this.#entries) {
      if (e.expires >= now) break // insertion order = expiry order
      this.#entries.delete(id)
    }
  }
}

import type { WriteResult } from "../ups/index.ts"

// ----- Results -----

/** One `LIST UPS` item. */
export interface UpsSummary {
  readonly name: string
  /** `"Description unavailable"` when ups.conf has no desc (upsd's wording). */
  readonly desc: string
}

/** One `LIST VAR` / `LIST RW` item. */
export interface NutVar {
  readonly name: string
  readonly value: string
}

/** One `LIST RANGE` item, as sent (upsd sends integers). */
export interface NutRange {
  readonly min: string
  readonly max: string
}

/** A decoded `GET TYPE` reply. */
export interface VarType {
  readonly rw: boolean
  readonly enum: boolean
  readonly range: boolean
  /** `UNKNOWN` when the server sent neither STRING:n nor NUMBER (NUT 2.7 with ENUM/RANGE). */
  readonly kind: "STRING" | "NUMBER" | "UNKNOWN"
  /** STRING:n's n. */
  readonly maxLength?: number
  /** The type words as sent, after `TYPE <ups> <var>`. */
  readonly words: readonly string[]
  /** Words this decoder does not know. */
  readonly other: readonly string[]
}

/** A `GET TRACKING <id>` answer: the driver's result, or still PENDING. */
export type TrackingResult = WriteResult | "PENDING"

/**
 * The outcome of SET VAR / INSTCMD: `OK` when sent without tracking (upsd only forwarded it), else
 * the tracked result; `PENDING` means the wait ran out before the driver answered.
 */
export interface WriteOutcome {
  readonly result: "OK" | TrackingResult
  /** The id from `OK TRACKING <id>`, when tracked. */
  readonly trackingId?: string
}

/** Options of `setVar` / `instcmd`. */
export interface WriteOptions {
  /** Ask upsd for a tracking id and wait for the driver's result. @default false */
  readonly track?: boolean
  /** How long to poll `GET TRACKING` (upsrw/upscmd -t). @default 10000 */
  readonly waitMs?: number
}

// ----- Transport (the socket edge, replaceable in tests) -----

/** TLS settings for STARTTLS. */
export interface ClientTlsOptions {
  /** PEM CA certificate(s) to verify the server against; implies `verify`. */
  readonly ca?: string
  /** Verify the server certificate and name (against `ca` or the system store). @default false, like NUT's CERTVERIFY 0 */
  readonly verify?: boolean
  /** Name to verify the certificate against. @default the host */
  readonly servername?: string
  /** PEM client certificate and key, for upsd's CERTREQUEST. */
  readonly cert?: string
  readonly key?: string
}

/** A connected byte stream to a NUT server. */
export interface ClientTransport {
  write(data: Uint8Array): void
  /** Run a TLS client handshake on the same stream (after `OK STARTTLS`). */
  startTls(options: ClientTlsOptions & { readonly host: string }): Promise<void>
  /** Close gracefully (flushes what was written). */
  close(): void
  /** Drop the stream at once (after a timeout or a protocol violation). */
  destroy(): void
}

/** Callbacks a transport delivers to. */
export interface TransportEvents {
  data(chunk: Uint8Array): void
  /** The stream ended or failed; called once. */
  closed(error?: Error): void
}

/** Where and how long to try. */
export interface DialTarget {
  readonly host: string
  readonly port: number
  readonly timeoutMs: number
}

/** Opens a transport; rejects with the system error (ECONNREFUSED, ENOTFOUND, …) or on timeout. */
export type Dialer = (target: DialTarget, events: TransportEvents) => Promise<ClientTransport>

/** Time for TRACKING polls; tests inject a manual one. */
export interface ClientClock {
  now(): number
  sleep(ms: number): Promise<void>
}

// ----- Client options -----

/** How to reach a NUT server. */
export interface NutClientOptions {
  /** Host name, IPv4 or IPv6 literal (no brackets). @default "localhost" */
  readonly host?: string
  /** @default 3493 */
  readonly port?: number
  /**
   * STARTTLS: `off` never asks (like upsrw/upscmd), `try` asks and goes on in clear text on any
   * ERR (like upsc and upsmon), `require` fails unless TLS starts. @default "off"
   */
  readonly tls?: "off" | "try" | "require"
  readonly tlsOptions?: ClientTlsOptions
  /** Per-request timeout: no reply line for this long fails the request and the connection. @default 5000 */
  readonly timeoutMs?: number
  /** @default timeoutMs */
  readonly connectTimeoutMs?: number
  /** @default the node:net / node:tls dialer */
  readonly dialer?: Dialer
  /** @default real time */
  readonly clock?: ClientClock
}

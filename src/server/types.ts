/** A user from upsd.users (or nutctl's `users:`), with NUT's meaning (research §2.2). */
export interface UserRecord {
  /** Case-sensitive user name. */
  readonly name: string
  /** Case-sensitive password; a user without one can never authenticate. */
  readonly password: string | undefined
  /**
   * Granted actions, lower-case: `set`, `fsd`, and from `upsmon primary` also `login`, `master`,
   * `primary`, `fsd`; from `upsmon secondary` `login`.
   */
  readonly actions: ReadonlySet<string>
  /** Allowed instant commands, lower-case; `all` allows every command. */
  readonly instcmds: ReadonlySet<string>
}

/** One address the server listens on. */
export interface ListenAddress {
  readonly host: string
  readonly port: number
}

/** STARTTLS material (PEM). Without it STARTTLS answers `ERR FEATURE-NOT-CONFIGURED`. */
export interface TlsSettings {
  /** PEM certificate chain. */
  readonly cert: string
  /** PEM private key. */
  readonly key: string
  /** Refuse TLS < 1.2 (upsd.conf DISABLE_WEAK_SSL). @default false */
  readonly disableWeak?: boolean
}

/** Everything upsd.conf (or nutctl's `server:`) decides. */
export interface ServerSettings {
  /** @default 127.0.0.1:3493 and ::1:3493 */
  readonly listen: readonly ListenAddress[]
  /** Driver silence before data is stale, seconds. @default 15 */
  readonly maxAge: number
  /** Client connections accepted at once. @default 1024 */
  readonly maxConn: number
  /** How long TRACKING results are kept, seconds. @default 3600 */
  readonly trackingDelay: number
  /** Client networks allowed to connect (CIDR, IPv4 or IPv6); undefined = everyone. */
  readonly allow?: readonly string[]
  readonly tls?: TlsSettings
}

/** Defaults of upsd 2.8.0 (research §2.1), except MAXCONN which upsd takes from the fd limit. */
export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  listen: [
    { host: "127.0.0.1", port: 3493 },
    { host: "::1", port: 3493 },
  ],
  maxAge: 15,
  maxConn: 1024,
  trackingDelay: 3600,
}

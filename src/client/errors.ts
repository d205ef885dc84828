/**
 * Failures of the connection itself (not of a request the server refused: those are
 * `NutError`s with the server's ERR code). Callers match on `code`, never on the message.
 */
export const NUT_CLIENT_ERROR_CODES = ["connect-failed", "timeout", "closed", "protocol", "tls-failed", "invalid-request"] as const

export type NutClientErrorCode = (typeof NUT_CLIENT_ERROR_CODES)[number]

export interface NutClientErrorOptions extends ErrorOptions {
  readonly host: string
  readonly port: number
}

/**
 * A connection problem with a NUT server: `connect-failed` (refused, unknown host, unreachable),
 * `timeout` (no reply within the request timeout), `closed` (the server hung up), `protocol`
 * (a reply libupsclient would reject too) or `tls-failed` (STARTTLS required but refused, or the
 * handshake failed); `invalid-request` is refused before sending (an argument with a line break
 * would inject a second request). The message names host:port.
 */
export class NutClientError extends Error {
  readonly code: NutClientErrorCode
  readonly host: string
  readonly port: number
  constructor(code: NutClientErrorCode, detail: string, options: NutClientErrorOptions) {
    super(`${verb(code)} ${formatHostPort(options.host, options.port)}: ${detail}`, options)
    this.name = "NutClientError"
    this.code = code
    this.host = options.host
    this.port = options.port
  }
}

/** `host:port`, with brackets around an IPv6 literal (`[::1]:3493`), as NUT writes targets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`
}

function verb(code: NutClientErrorCode): string {
  switch (code) {
    case "connect-failed":
      return "Cannot connect to"
    case "tls-failed":
      return "Cannot start TLS with"
    case "timeout":
      return "No reply from"
    case "closed":
      return "Connection closed by"
    case "protocol":
      return "Invalid reply from"
    case "invalid-request":
      return "Cannot send request to"
  }
}

/**
 * A reply that breaks the protocol, found by the pure decoders (which do not know host:port);
 * the connection turns it into a `NutClientError` with code `protocol`.
 */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message)
    this.name = "ProtocolViolation"
  }
}

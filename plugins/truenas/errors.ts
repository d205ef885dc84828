/** Typed errors of the TrueNAS executor; callers match on `code`. */

export const TRUENAS_ERROR_CODES = [
  /** The NAS could not be reached on any endpoint. */
  "TRUENAS_UNREACHABLE",
  /** The API key was refused (wrong, or revoked by TrueNAS). */
  "TRUENAS_AUTH_FAILED",
  /** A method answered with an error. */
  "TRUENAS_CALL_FAILED",
  /** The connection went away while a call was waiting (expected after system.shutdown). */
  "TRUENAS_DROPPED",
  /** A call got no answer in time. */
  "TRUENAS_TIMEOUT",
  /** Sending the API key would be insecure (plain ws:// to a host that is not loopback). */
  "TRUENAS_INSECURE",
  /** midclt failed. */
  "TRUENAS_MIDCLT_FAILED",
] as const

export type TrueNasErrorCode = (typeof TRUENAS_ERROR_CODES)[number]

/** Anything that went wrong talking to TrueNAS. */
export class TrueNasError extends Error {
  readonly code: TrueNasErrorCode
  constructor(code: TrueNasErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = "TrueNasError"
    this.code = code
  }
}

/** A method's error answer, with what the middleware said. */
export class MiddlewareCallError extends TrueNasError {
  readonly method: string
  /** JSON-RPC error code (-32602 invalid params, -32001 call error, …); undefined on /websocket. */
  readonly rpcCode: number | undefined
  /** errno (22 EINVAL, 207 ENOTAUTHENTICATED, 13 EACCES). */
  readonly errno: number | undefined
  readonly errname: string | undefined
  /** Validation problems: [attribute, message, errno]. */
  readonly extra: readonly unknown[] | undefined
  /** A parameter validation failure (the signature did not match this version). */
  readonly invalidParams: boolean
  constructor(method: string, detail: { message: string; rpcCode?: number; errno?: number; errname?: string; extra?: readonly unknown[]; invalidParams: boolean }) {
    super("TRUENAS_CALL_FAILED", `TrueNAS ${method} failed: ${detail.message}`)
    this.name = "MiddlewareCallError"
    this.method = method
    this.rpcCode = detail.rpcCode
    this.errno = detail.errno
    this.errname = detail.errname
    this.extra = detail.extra
    this.invalidParams = detail.invalidParams
  }
}

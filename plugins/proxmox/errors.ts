/** Typed errors of the Proxmox executor; callers match on `code`. */

/** Stable codes. */
export const PROXMOX_ERROR_CODES = [
  /** Connection refused/reset, DNS, timeout, or PVE's 595/596 when proxying to a node that is down. */
  "PVE_UNREACHABLE",
  /** 401: wrong/expired token (PVE answers after ~3 s, without body). */
  "PVE_AUTH_FAILED",
  /** 403: the token lacks a privilege. */
  "PVE_FORBIDDEN",
  /** 400 Parameter verification failed (`errors` says which). */
  "PVE_BAD_PARAMS",
  /** 501: the method does not exist on this PVE version. */
  "PVE_NOT_IMPLEMENTED",
  /** Any other error answer (500 `CT 101 not running`, `cluster not ready - no quorum?`, …). */
  "PVE_API_ERROR",
  /** A 200 that is not PVE's JSON (wrong content type, unparsable body). */
  "PVE_BAD_RESPONSE",
  /** The server certificate matches none of the pinned fingerprints. */
  "PVE_TLS_PIN_MISMATCH",
  /** TLS failed otherwise (unknown CA, wrong host name). */
  "PVE_TLS",
  /** A dry run tried to change something (a plugin bug; never sent). */
  "PVE_DRY_RUN_WRITE",
  /** The node we talk to has no quorum, so cluster-wide changes are impossible. */
  "PVE_NOT_QUORATE",
  /** Neither the API nor the local commands could do what was needed. */
  "PVE_FALLBACK_FAILED",
] as const

export type ProxmoxErrorCode = (typeof PROXMOX_ERROR_CODES)[number]

/** An error from the Proxmox executor's request layer or steps. */
export class ProxmoxError extends Error {
  readonly code: ProxmoxErrorCode
  /** HTTP status when there was an answer. */
  readonly status: number | undefined
  /** `METHOD /path` of the request, when there was one. */
  readonly request: string | undefined
  /** PVE's per-parameter reasons (400). */
  readonly errors: Readonly<Record<string, string>> | undefined
  constructor(code: ProxmoxErrorCode, message: string, options: ErrorOptions & { status?: number; request?: string; errors?: Readonly<Record<string, string>> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "ProxmoxError"
    this.code = code
    this.status = options.status
    this.request = options.request
    this.errors = options.errors
  }
}

/**
 * True when the API endpoint itself cannot be used (no answer, 401, TLS): the local fallback may
 * help. A 595/596 is not: the endpoint answered, only the node behind it is down.
 */
export function isApiUnusable(e: unknown): e is ProxmoxError {
  if (!(e instanceof ProxmoxError)) return false
  if (e.code === "PVE_UNREACHABLE") return e.status === undefined
  return e.code === "PVE_AUTH_FAILED" || e.code === "PVE_TLS" || e.code === "PVE_TLS_PIN_MISMATCH"
}

/**
 * The middleware methods the simulator answers, per version, with TrueNAS's validation: 24.x's
 * `system.shutdown([options])` against 25.04+'s `system.shutdown(reason, [options])`
 * (test/fixtures/truenas/methods.json), auth before everything but a few public methods, roles.
 * Results and errors are protocol-neutral here; jsonrpc/ddp wrap them.
 */

export const SIM_VERSIONS = {
  "24.10": "TrueNAS-SCALE-24.10.2.4",
  "25.04": "TrueNAS-25.04.2.6",
  "25.10": "TrueNAS-25.10.1",
} as const
export type SimVersion = keyof typeof SIM_VERSIONS

/** A method's failure, as the middleware classifies it. */
export type SimError =
  | { readonly kind: "no-method"; readonly method: string }
  | { readonly kind: "invalid-params"; readonly extra: readonly (readonly [string, string, number])[] }
  | { readonly kind: "call"; readonly errno: number; readonly errname: string; readonly reason: string }

export type SimAnswer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: SimError } | { readonly ok: "none" }

/** Callable without logging in (api/base/server: `@no_auth_required` methods and auth.*). */
export const PUBLIC_METHODS = new Set(["core.ping", "core.set_options", "system.boot_id"])

export const NOT_AUTHENTICATED: SimError = { kind: "call", errno: 207, errname: "ENOTAUTHENTICATED", reason: "Not authenticated" }
export const NOT_AUTHORIZED: SimError = { kind: "call", errno: 13, errname: "EACCES", reason: "Not authorized" }

const EINVAL = 22

/** `major.minor` as a number: 24.10 → 2410. */
export function versionNumber(v: SimVersion): number {
  const [a, b] = v.split(".")
  return Number(a) * 100 + Number(b)
}

/**
 * Validate `system.shutdown` params for a version; undefined when they are fine.
 * Attribute spellings follow the middleware's `<arg>.<field>` form (pydantic model names were not
 * verified against a live 25.04, research/executors-reference.md §5.5).
 */
export function validateShutdown(version: SimVersion, params: readonly unknown[]): SimError | undefined {
  const extra: [string, string, number][] = []
  const options = (value: unknown, name: string): void => {
    if (value === undefined) return
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      extra.push([name, "Input should be a valid dictionary", EINVAL])
      return
    }
    for (const [k, v] of Object.entries(value)) {
      if (k !== "delay") extra.push([`${name}.${k}`, "Extra inputs are not permitted", EINVAL])
      else if (!(v === null && versionNumber(version) >= 2504) && !Number.isInteger(v)) extra.push([`${name}.delay`, "Input should be a valid integer", EINVAL])
    }
  }
  if (versionNumber(version) < 2504) {
    if (params.length > 1) extra.push(["system.shutdown", "Too many arguments (expected 1, found " + params.length + ")", EINVAL])
    options(params[0], "options")
  } else {
    if (params.length > 2) extra.push(["system.shutdown", "Too many arguments (expected 2, found " + params.length + ")", EINVAL])
    const reason = params[0]
    if (reason === undefined) extra.push(["reason", "Field required", EINVAL])
    else if (typeof reason !== "string") extra.push(["reason", "Input should be a valid string", EINVAL])
    else if (reason === "") extra.push(["reason", "String should have at least 1 character", EINVAL])
    options(params[1], "options")
  }
  return extra.length === 0 ? undefined : { kind: "invalid-params", extra }
}

/** The delay (seconds) of valid shutdown params. */
export function shutdownDelay(version: SimVersion, params: readonly unknown[]): number {
  const o = (versionNumber(version) < 2504 ? params[0] : params[1]) as { delay?: number | null } | undefined
  return typeof o?.delay === "number" ? o.delay : 0
}

/** Apply `[["id", "=", 3]]`-style filters of core.get_jobs (only `=` and `!=` are needed). */
export function matchFilters(item: Record<string, unknown>, filters: unknown): boolean {
  if (!Array.isArray(filters)) return true
  return filters.every((f) => {
    if (!Array.isArray(f) || f.length !== 3) return true
    const [field, op, value] = f as [string, string, unknown]
    if (op === "=") return item[field] === value
    if (op === "!=") return item[field] !== value
    return true
  })
}

/**
 * Who is calling: HTTP Basic with a NUT user (upsd.users / nutctl `users:`, same passwords), or a
 * bearer token from the config that acts as one of those users. What a user may do follows
 * upsd's rules: SET VAR needs the `set` action, FSD the `fsd` action, INSTCMD a listed command
 * (or `all`).
 */
import type { Credentials, HttpUser } from "./types.ts"

/** A bearer token and the NUT user whose rights it carries. */
export interface HttpToken {
  readonly token: string
  readonly user: string
}

/** The outcome of reading the Authorization header. */
export type AuthResult =
  | { readonly kind: "anonymous" }
  /** Credentials were sent but are wrong (or the scheme is unknown). */
  | { readonly kind: "invalid" }
  | { readonly kind: "user"; readonly user: HttpUser; readonly credentials: Credentials; readonly via: "basic" | "token" }

/** A right a write needs. */
export type WriteRight = { readonly action: "set" | "fsd" } | { readonly instcmd: string }

/** Read the Authorization header against the users and tokens. */
export function authenticate(header: string | undefined, users: readonly HttpUser[], tokens: readonly HttpToken[]): AuthResult {
  if (header === undefined || header.trim() === "") return { kind: "anonymous" }
  const space = header.indexOf(" ")
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase()
  const rest = space < 0 ? "" : header.slice(space + 1).trim()
  if (scheme === "basic") {
    const decoded = decodeBase64(rest)
    const colon = decoded?.indexOf(":") ?? -1
    if (decoded === undefined || colon < 0) return { kind: "invalid" }
    const name = decoded.slice(0, colon)
    const password = decoded.slice(colon + 1)
    // upsd keeps the first of duplicate users; names and passwords are case-sensitive
    const user = users.find((u) => u.name === name)
    if (!user || user.password === undefined || !safeEqual(user.password, password)) return { kind: "invalid" }
    return { kind: "user", user, credentials: { user: name, password }, via: "basic" }
  }
  if (scheme === "bearer") {
    const match = tokens.find((t) => safeEqual(t.token, rest))
    const user = match ? users.find((u) => u.name === match.user) : undefined
    if (!user || user.password === undefined) return { kind: "invalid" }
    return { kind: "user", user, credentials: { user: user.name, password: user.password }, via: "token" }
  }
  return { kind: "invalid" }
}

/** Does the user hold this right (upsd's `set` / `fsd` actions, `instcmds` list)? */
export function mayWrite(user: HttpUser, right: WriteRight): boolean {
  if ("instcmd" in right) return user.instcmds.has("all") || user.instcmds.has(right.instcmd.toLowerCase())
  return user.actions.has(right.action)
}

/** The `WWW-Authenticate` challenge of 401 answers. */
export const BASIC_CHALLENGE = 'Basic realm="nutctl", charset="UTF-8"'

const encoder = new TextEncoder()

/** Compare secrets without an early exit, so timing does not tell how much matched. */
export function safeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  let diff = x.length ^ y.length
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}

function decodeBase64(text: string): string | undefined {
  try {
    const binary = atob(text)
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

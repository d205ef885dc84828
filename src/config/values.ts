/** Value forms of nutctl's own config: addresses, networks, durations. */
import type { ListenAddress } from "../server/index.ts"

/**
 * `host:port`, `[v6]:port`, a bare host or a bare IPv6 address (`::`), or `*` for every
 * address. `*` and hosts are returned as written; the port defaults to `defaultPort`.
 * @returns undefined when the text is not an address
 */
export function parseListenAddress(text: string, defaultPort: number): ListenAddress | undefined {
  let host = text
  let port = defaultPort
  if (text.startsWith("[")) {
    const close = text.indexOf("]")
    if (close < 0) return undefined
    host = text.slice(1, close)
    const rest = text.slice(close + 1)
    if (rest !== "") {
      if (!rest.startsWith(":")) return undefined
      const p = toPort(rest.slice(1))
      if (p === undefined) return undefined
      port = p
    }
    return isIPv6(host) ? { host, port } : undefined
  }
  const colons = text.split(":").length - 1
  if (colons === 1) {
    const i = text.indexOf(":")
    host = text.slice(0, i)
    const p = toPort(text.slice(i + 1))
    if (p === undefined) return undefined
    port = p
  } else if (colons > 1) {
    return isIPv6(text) ? { host: text, port } : undefined
  }
  if (host === "" || /[\s/]/.test(host) || badIPv4Literal(host)) return undefined
  return { host, port }
}

/**
 * Why `host` cannot be an address to listen on, or undefined when it can: an IPv4 or IPv6
 * literal (an IPv6 one may carry a `%zone`) or a host name, which is left to the resolver as
 * NUT does. Names of digits and dots are IPv4 literals, never looked up (`10.0.0.256`).
 */
export function listenHostProblem(host: string): string | undefined {
  if (host === "") return "an address, got nothing"
  if (badIPv4Literal(host)) return `an IPv4 address of four numbers 0-255, got ${JSON.stringify(host)}`
  if (host.includes(":")) return isIPv6(host.split("%")[0] ?? "") ? undefined : `an IPv6 address, got ${JSON.stringify(host)}`
  if (/[\s/[\]@]/.test(host)) return `an IP address or a host name, got ${JSON.stringify(host)}`
  return undefined
}

/** Digits and dots that are not a dotted quad: resolvers would read `10.1` as 10.0.0.1, or look it up. */
function badIPv4Literal(host: string): boolean {
  return /^[\d.]+$/.test(host) && !isIPv4(host)
}

/** IPv4 or IPv6 network in CIDR form (`10.0.10.0/24`, `fd00::/8`), or a single address. */
export function isCidr(text: string): boolean {
  const slash = text.indexOf("/")
  const addr = slash < 0 ? text : text.slice(0, slash)
  const bits = slash < 0 ? undefined : text.slice(slash + 1)
  const max = isIPv4(addr) ? 32 : isIPv6(addr) ? 128 : -1
  if (max < 0) return false
  if (bits === undefined) return true
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max
}

/** Dotted-quad IPv4 address. */
export function isIPv4(text: string): boolean {
  const parts = text.split(".")
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
}

/** IPv6 address (validated by the URL parser, which every runtime has). */
export function isIPv6(text: string): boolean {
  if (!text.includes(":") || /[^0-9a-fA-F:.]/.test(text)) return false
  try {
    new URL(`http://[${text}]/`)
    return true
  } catch {
    return false
  }
}

const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600 } as const

/**
 * A duration in seconds: a number is seconds; a string is a number with `ms`, `s`, `m` or `h`
 * (`15s`, `2m`, `500ms`, `1.5h`).
 * @returns undefined when the value is not a duration
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined
  if (typeof value !== "string") return undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value)
  if (!m) return undefined
  const unit = (m[2] ?? "s") as keyof typeof UNIT_SECONDS
  return Number(m[1]) * UNIT_SECONDS[unit]
}

function toPort(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined
  const n = Number(text)
  return n >= 1 && n <= 65535 ? n : undefined
}

/**
 * NUT's target syntax, as libupsclient's upscli_splitname/upscli_splitaddr read it:
 * `ups[@host[:port]]`, `host[:port]`, IPv6 literals in brackets (`[::1]:3493`); no host means
 * localhost:3493.
 */
import { DEFAULT_NUT_PORT, formatHostPort } from "../client/index.ts"

/** A bad command line: exit code 2. */
export class UsageError extends Error {
  readonly code = "usage"
  constructor(message: string) {
    super(message)
    this.name = "UsageError"
  }
}

/** A NUT server address. */
export interface HostTarget {
  readonly host: string
  readonly port: number
}

/** A UPS on a server; `ups` is undefined for `@host` (every UPS there). */
export interface UpsTarget extends HostTarget {
  readonly ups: string | undefined
}

export const DEFAULT_HOST = "localhost"

/**
 * Parse `ups[@host[:port]]`. `@host[:port]` (empty UPS name) is accepted and means "all UPSes"
 * where a command allows it; `ups:port` without a host is refused like NUT 2.8.5 does.
 */
export function parseUpsTarget(text: string): UpsTarget {
  if (text === "") throw new UsageError("Empty UPS name: write UPS[@HOST[:PORT]]")
  const at = text.indexOf("@")
  if (at < 0) {
    // two colons or more: an IPv6 address given as the target (`nutctl status ::1`)
    if ((text.match(/:/g) ?? []).length > 1) throw new UsageError(`${text} looks like an IPv6 address without a UPS: write @[${text.replace(/^\[|\]$/g, "")}] (every UPS there) or UPS@[${text.replace(/^\[|\]$/g, "")}]`)
    if (text.includes(":")) throw new UsageError(`Port given without a host in ${text}: write UPS@HOST:PORT`)
    checkUpsName(text)
    return { ups: text, host: DEFAULT_HOST, port: DEFAULT_NUT_PORT }
  }
  const ups = text.slice(0, at)
  const rest = text.slice(at + 1)
  if (rest === "") throw new UsageError(`Empty host after @ in ${text}: write UPS@HOST[:PORT]`)
  if (ups !== "") checkUpsName(ups)
  return { ups: ups === "" ? undefined : ups, ...parseHostTarget(rest) }
}

/** Parse `host[:port]` or `[ipv6][:port]`. */
export function parseHostTarget(text: string): HostTarget {
  if (text === "") throw new UsageError("Empty host: write HOST[:PORT]")
  if (text.includes("@")) throw new UsageError(`Expected HOST[:PORT], got a UPS target: ${text}`)
  let host: string
  let portText: string | undefined
  if (text.startsWith("[")) {
    const close = text.indexOf("]")
    if (close < 0) throw new UsageError(`Missing closing bracket in ${text}: write [ADDRESS]:PORT`)
    host = text.slice(1, close)
    const after = text.slice(close + 1)
    if (after !== "") {
      if (!after.startsWith(":")) throw new UsageError(`Unexpected text after ] in ${text}`)
      portText = after.slice(1)
    }
  } else {
    const parts = text.split(":")
    if (parts.length > 2) throw new UsageError(`IPv6 addresses need brackets: write [${text}] or [${text}]:PORT`)
    host = parts[0] ?? ""
    portText = parts[1]
  }
  if (host === "") throw new UsageError(`Empty host in ${text}`)
  return { host, port: portText === undefined ? DEFAULT_NUT_PORT : parsePort(portText, text) }
}

/** `ups@host:port` the way NUT writes it (brackets for IPv6). */
export function formatUpsTarget(target: { readonly ups: string; readonly host: string; readonly port: number }): string {
  return `${target.ups}@${formatHostPort(target.host, target.port)}`
}

function parsePort(text: string, whole: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new UsageError(`Invalid port in ${whole}: ${text === "" ? "empty" : text}`)
  const port = Number(text)
  if (port < 1 || port > 65535) throw new UsageError(`Invalid port in ${whole}: ${port} is not in 1-65535`)
  return port
}

function checkUpsName(name: string): void {
  if (/[\s"\\#]/.test(name)) throw new UsageError(`Invalid UPS name: ${JSON.stringify(name)}`)
}

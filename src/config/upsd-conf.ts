/**
 * upsd.conf (research/nut-reference.md §2.1). Keywords are case-sensitive upper-case, as upsd
 * compares them with strcmp: `maxage 10` is an unknown directive there and a warning here.
 */
import { DEFAULT_SERVER_SETTINGS, type ListenAddress, type ServerSettings } from "../server/index.ts"
import { configIssue, throwIfIssues, type ConfigIssue } from "./errors.ts"
import { parseCount, parseNutBool, parsePort, readNutLines } from "./nut-lines.ts"
import type { ConfigWarning } from "./types.ts"
import { listenHostProblem } from "./values.ts"

/** NUT's port (`PORT` in NUT's build). */
export const DEFAULT_NUT_PORT = 3493

/** What upsd.conf sets. TLS material is only named here; the loader reads CERTFILE. */
export interface UpsdConf {
  /** listen, maxAge, maxConn, trackingDelay (no tls yet). */
  readonly server: ServerSettings
  /** ALLOW_NO_DEVICE. @default false */
  readonly allowNoDevice: boolean
  /** CERTFILE: a PEM file holding the certificate chain and its private key. */
  readonly certFile?: string
  /** DISABLE_WEAK_SSL. @default false */
  readonly disableWeakSsl: boolean
  /** STATEPATH: where NUT drivers put their sockets (nutctl's drivers are in-process). */
  readonly statePath?: string
  /** DATAPATH: where NUT's cmdvartab lives (nutctl carries its own copy). */
  readonly dataPath?: string
  /** DEBUG_MIN. */
  readonly debugMin?: number
  readonly warnings: readonly ConfigWarning[]
}

/**
 * Parse upsd.conf text.
 * @param file name shown in messages
 * @throws ConfigError naming file, line and directive for a bad value
 */
export function parseUpsdConf(text: string, file = "upsd.conf"): UpsdConf {
  const issues: ConfigIssue[] = []
  const warnings: ConfigWarning[] = []
  const listen: ListenAddress[] = []
  let maxAge = DEFAULT_SERVER_SETTINGS.maxAge
  let maxConn = DEFAULT_SERVER_SETTINGS.maxConn
  let trackingDelay = DEFAULT_SERVER_SETTINGS.trackingDelay
  let allowNoDevice = false
  let disableWeakSsl = false
  let certFile: string | undefined
  let statePath: string | undefined
  let dataPath: string | undefined
  let debugMin: number | undefined
  let nssLine: number | undefined

  for (const { line, words } of readNutLines(text, file, issues)) {
    const key = words[0] ?? ""
    const arg = words[1]
    const bad = (expected: string): void => {
      issues.push(configIssue({ file, line, key, expected, got: arg }))
    }
    const warn = (message: string): void => {
      warnings.push({ file, line, key, message: `${file}:${line}: ${message}` })
    }
    const count = (expected: string): number | undefined => {
      const n = parseCount(arg)
      if (n === undefined) bad(expected)
      return n
    }
    switch (key) {
      case "LISTEN": {
        if (arg === undefined) {
          bad("an address and an optional port")
          break
        }
        const problem = listenProblem(arg)
        if (problem !== undefined) {
          issues.push(configIssue({ file, line, key, expected: "an address, then the port as a second word", got: arg, message: `${file}:${line}: ${problem}` }))
          break
        }
        const port = words[2] === undefined ? DEFAULT_NUT_PORT : parsePort(words[2])
        if (port === undefined) {
          issues.push(configIssue({ file, line, key, expected: "a port number 1-65535 after the address", got: words[2] }))
          break
        }
        // `LISTEN *` is newer NUT's "every address"; spelled out so the listener needs no special case.
        if (arg === "*") listen.push({ host: "0.0.0.0", port }, { host: "::", port })
        else listen.push({ host: stripBrackets(arg), port })
        break
      }
      case "MAXAGE":
        maxAge = count("a number of seconds") ?? maxAge
        break
      case "MAXCONN":
        maxConn = count("a number of connections") ?? maxConn
        break
      case "TRACKINGDELAY":
        trackingDelay = count("a number of seconds") ?? trackingDelay
        break
      case "ALLOW_NO_DEVICE":
      case "DISABLE_WEAK_SSL": {
        const b = parseNutBool(arg)
        if (b === undefined) bad("a boolean (true/false, yes/no, on/off, 1/0)")
        else if (key === "ALLOW_NO_DEVICE") allowNoDevice = b
        else disableWeakSsl = b
        break
      }
      case "STATEPATH":
      case "DATAPATH":
      case "CERTFILE":
        if (arg === undefined) bad("a path")
        else if (key === "STATEPATH") statePath = arg
        else if (key === "DATAPATH") dataPath = arg
        else certFile = arg
        break
      case "CERTPATH":
      case "CERTIDENT":
      case "CERTREQUEST":
        // Debian builds upsd against NSS: a certificate database, not a PEM file.
        if (nssLine === undefined) warn(`${key} configures NSS certificates, which nutctl does not read; use CERTFILE with a PEM file holding the certificate and its key`)
        nssLine = line
        break
      case "ACCEPT":
      case "REJECT":
      case "ACL":
        warn(`${key} in upsd.conf is no longer supported (no effect); restrict clients with LISTEN and a firewall`)
        break
      default:
        // DEBUG_MIN is the one keyword upsd matches case-insensitively.
        if (key.toUpperCase() === "DEBUG_MIN") debugMin = count("a debug level number") ?? debugMin
        else warn(`invalid directive ${words.join(" ")}`)
    }
  }
  throwIfIssues(issues)
  const server: ServerSettings = {
    ...DEFAULT_SERVER_SETTINGS,
    listen: listen.length > 0 ? listen : DEFAULT_SERVER_SETTINGS.listen,
    maxAge,
    maxConn,
    trackingDelay,
  }
  return {
    server,
    allowNoDevice,
    disableWeakSsl,
    ...(certFile === undefined ? {} : { certFile }),
    ...(statePath === undefined ? {} : { statePath }),
    ...(dataPath === undefined ? {} : { dataPath }),
    ...(debugMin === undefined ? {} : { debugMin }),
    warnings,
  }
}

/**
 * What is wrong with a LISTEN address, or undefined. `host:port` is the usual slip (upsd
 * would look the whole string up as a host name and not listen); say how to write it.
 */
function listenProblem(arg: string): string | undefined {
  if (arg === "*") return undefined
  const withPort = /^\[([^\]]*)\]:(\d+)$/.exec(arg) ?? /^([^:[\]]*):(\d+)$/.exec(arg)
  if (withPort) return `LISTEN takes the port as a second word: LISTEN ${withPort[1]} ${withPort[2]}`
  const host = stripBrackets(arg)
  const problem = listenHostProblem(host)
  return problem === undefined ? undefined : `LISTEN expects ${problem}`
}

/** `[::1]` → `::1`, so both spellings of an IPv6 address work. */
function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host
}

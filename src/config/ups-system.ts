/** NUT's `<ups>[@<host>[:<port>]]` names (upsc, MONITOR, nutctl's `monitor:` lists). */
import { DEFAULT_NUT_PORT } from "./upsd-conf.ts"

/** A UPS on a NUT server. */
export interface UpsSystem {
  /** The string as written; upsmon uses it as the UPS's identity (`%s`, UPSNAME, upssched). */
  readonly system: string
  readonly ups: string
  /** @default "localhost" */
  readonly host: string
  /** @default 3493 */
  readonly port: number
}

/**
 * Split `ups@host:port`. IPv6 hosts are written in brackets (`rack@[fd00::1]:3493`).
 * @returns undefined when the text is not a valid system name
 */
export function parseUpsSystem(text: string): UpsSystem | undefined {
  const at = text.indexOf("@")
  const ups = at < 0 ? text : text.slice(0, at)
  if (ups === "" || /[\s@]/.test(ups)) return undefined
  if (at < 0) return { system: text, ups, host: "localhost", port: DEFAULT_NUT_PORT }
  let rest = text.slice(at + 1)
  let host: string
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]")
    if (close < 0) return undefined
    host = rest.slice(1, close)
    rest = rest.slice(close + 1)
    if (rest !== "" && !rest.startsWith(":")) return undefined
  } else {
    const colon = rest.indexOf(":")
    host = colon < 0 ? rest : rest.slice(0, colon)
    rest = colon < 0 ? "" : rest.slice(colon)
  }
  if (host === "" || /[\s@]/.test(host)) return undefined
  let port = DEFAULT_NUT_PORT
  if (rest !== "") {
    const p = rest.slice(1)
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) return undefined
    port = Number(p)
  }
  return { system: text, ups, host, port }
}

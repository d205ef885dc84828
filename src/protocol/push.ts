/**
 * The wire format of nutctl's push extension (README "Push extension"), shared by the server that
 * pushes and the client that opted in. Not NUT: upsd 2.8.0 answers the request with
 * `ERR UNKNOWN-COMMAND`, and no NUT reply starts with `NUTCTL`, so a pushed line can never be
 * mistaken for a reply.
 *
 *   C: NUTCTL PUSH <ups>
 *   S: OK PUSH 1
 *   S: NUTCTL PUSH <ups> STATUS "<ups.status>" ["<ups.alarm>"]      (unsolicited, on changes)
 *   S: NUTCTL PUSH <ups> ERR <code>                                 (unsolicited, on changes)
 */
import { isNutErrCode, type NutErrCode } from "./errors.ts"
import { quote } from "./encode.ts"
import { Tokenizer } from "./tokenizer.ts"

/** The extension's version, the last word of the OK reply. */
export const PUSH_VERSION = "1"
/** The server's answer to `NUTCTL PUSH <ups>`. */
export const PUSH_REPLY = `OK PUSH ${PUSH_VERSION}`
/** The first words of every pushed line. */
export const PUSH_PREFIX = "NUTCTL PUSH "

/** What a pushed line says about one UPS: what a `GET VAR <ups> ups.status` would answer now. */
export type PushUpdate =
  | { readonly ups: string; readonly kind: "status"; readonly status: string; readonly alarm?: string }
  | { readonly ups: string; readonly kind: "failed"; readonly error: NutErrCode }

/** The request line that opts in for `ups` (the name as the client spells it). */
export function pushRequest(ups: string): string {
  return `NUTCTL PUSH ${ups}`
}

/** One pushed line (without its newline). */
export function formatPushLine(update: PushUpdate): string {
  const head = `${PUSH_PREFIX}${update.ups}`
  if (update.kind === "failed") return `${head} ERR ${update.error}`
  return `${head} STATUS ${quote(update.status)}${update.alarm === undefined ? "" : ` ${quote(update.alarm)}`}`
}

const encoder = new TextEncoder()

/** Decode a pushed line; undefined when it is not one (or is malformed). */
export function parsePushLine(line: string): PushUpdate | undefined {
  if (!line.startsWith(PUSH_PREFIX)) return undefined
  const tok = new Tokenizer({ filterBytes: false })
  for (const byte of encoder.encode(line)) if (tok.feed(byte) === "error") return undefined
  if (tok.inQuote) return undefined
  const words = tok.end() ?? []
  const [, , ups, kind, value, alarm] = words
  if (ups === undefined || value === undefined) return undefined
  if (kind === "STATUS" && words.length <= 6) return alarm === undefined ? { ups, kind: "status", status: value } : { ups, kind: "status", status: value, alarm }
  if (kind === "ERR" && words.length === 5 && isNutErrCode(value)) return { ups, kind: "failed", error: value }
  return undefined
}

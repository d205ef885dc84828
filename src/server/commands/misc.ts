import { NutError } from "../../protocol/index.ts"
import { SERVER_IDENTITY } from "../context.ts"
import type { Handler } from "./types.ts"

export const ver: Handler = () => SERVER_IDENTITY.info

/** NETVER and its 2.8 alias PROTVER. */
export const netver: Handler = () => SERVER_IDENTITY.netVersion

// 2.8.0's HELP omits PRIMARY, PROTVER and the others; clients never parse it, but transcripts do.
export const help: Handler = () => "Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS"

/** STARTTLS: the listener upgrades the socket after `OK STARTTLS` is written. */
export const starttls: Handler = (s) => {
  if (s.tls) throw new NutError("ALREADY-SSL-MODE")
  if (!s.ctx.tls) throw new NutError("FEATURE-NOT-CONFIGURED")
  s.startTls = true
  return "OK STARTTLS"
}

import { NutError, PUSH_REPLY } from "../../protocol/index.ts"
import { findUps } from "./common.ts"
import type { Handler } from "./types.ts"

/**
 * NUTCTL: nutctl's own extensions, all under one command word that upsd 2.8.0 answers with
 * `ERR UNKNOWN-COMMAND`, so a nutctl client can probe for them and fall back to plain NUT.
 * `NUTCTL PUSH <ups>`: push status changes of <ups> on this connection (server/push.ts). Reads are
 * anonymous in NUT, so this needs no login either; an unknown UPS is refused like GET refuses it.
 */
export const nutctl: Handler = (s, args) => {
  const [sub, upsName] = args
  if (sub === undefined || sub.toUpperCase() !== "PUSH" || upsName === undefined || args.length !== 2) throw new NutError("INVALID-ARGUMENT")
  s.push.watch(findUps(s, upsName), upsName)
  return PUSH_REPLY
}

import { NutError } from "../../protocol/index.ts"
import type { ServedUps } from "../context.ts"
import type { SessionView } from "./types.ts"

/** The UPS named by the client, or ERR UNKNOWN-UPS. */
export function findUps(s: SessionView, name: string): ServedUps {
  const ups = s.ctx.findUps(name)
  if (!ups) throw new NutError("UNKNOWN-UPS")
  return ups
}

/** upsd's availability check: driver connected, then data fresh. */
export function requireAvailable(ups: ServedUps): void {
  const a = ups.state.availability()
  if (a === "not-connected") throw new NutError("DRIVER-NOT-CONNECTED")
  if (a === "stale") throw new NutError("DATA-STALE")
}

/** A known UPS whose data can be served. */
export function availableUps(s: SessionView, name: string): ServedUps {
  const ups = findUps(s, name)
  requireAvailable(ups)
  return ups
}

/** Value clients read: ups.status carries the FSD latch. */
export function clientValue(ups: ServedUps, varName: string, raw: string): string {
  return ups.state.fsd && varName.toLowerCase() === "ups.status" ? `FSD ${raw}` : raw
}

/** Credentials of the session (the gate guarantees both are set for auth commands). */
export function credentials(s: SessionView): [string, string] {
  return [s.username ?? "", s.password ?? ""]
}

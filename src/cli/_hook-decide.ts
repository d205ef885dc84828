/**
 * The hookscript's pre-start decision, with no I/O: may this guest start now? Refused while the
 * UPS is on battery, low, in FSD, or below the configured charge/runtime, because a guest started
 * now would be shut down again minutes later (or hold up the shutdown). Always allowed: live
 * migrations (PVE sets PVE_MIGRATED_FROM on the target node) and HA-managed guests (a refusal
 * would block HA recovery after a node failure and put the resource into the error state),
 * research/executors-reference.md §3.
 */
import type { UpsReading } from "./_check-evaluate.ts"

/** What the admin configured (the wrapper script's flags). */
export interface HookPolicy {
  /** Refuse below this battery charge (%). */
  readonly minCharge?: number | undefined
  /** Refuse below this runtime (s). */
  readonly minRuntime?: number | undefined
  /** When the server cannot be asked: start anyway (open) or refuse (closed). */
  readonly onError: "open" | "closed"
}

export interface StartContext {
  readonly vmid: string
  /** PVE_MIGRATED_FROM: the source node of a live migration. */
  readonly migratedFrom?: string | undefined
  /** The guest is in /etc/pve/ha/resources.cfg. */
  readonly haManaged: boolean
  /** The hook-override file (RUN_DIR/hook-override) exists: the admin said "start anyway". */
  readonly override: boolean
  /** That file's path, for the messages. @default /run/nutctl/hook-override */
  readonly overrideFile?: string
  /** The UPSes feeding this node. */
  readonly readings: readonly UpsReading[]
  readonly policy: HookPolicy
}

/** The decision and the line for PVE's task log. */
export interface StartDecision {
  readonly allow: boolean
  readonly message: string
}

/** Decide. */
export function decideStart(ctx: StartContext): StartDecision {
  const guest = `guest ${ctx.vmid}`
  if (ctx.migratedFrom !== undefined && ctx.migratedFrom !== "") return allow(`${guest}: migration from ${ctx.migratedFrom}, allowed whatever the UPS says`)
  if (ctx.haManaged) return allow(`${guest}: HA-managed, allowed (the HA manager recovers and relocates it; nutctl does not stand in its way)`)
  const overrideFile = ctx.overrideFile ?? "/run/nutctl/hook-override"
  if (ctx.override) return allow(`${guest}: start allowed by ${overrideFile}`)
  if (ctx.readings.length === 0) return onError(ctx, `${guest}: no UPS to ask (no --ups, and this host's role monitors none)`)
  const reasons: string[] = []
  // what to wait for, by what was wrong: FSD on line is a shutdown, not an outage
  const waits = new Set<string>()
  for (const r of ctx.readings) {
    if (r.problem !== undefined) return onError(ctx, `${guest}: cannot ask UPS ${r.target}: ${r.problem.message}`)
    const words = (r.vars["ups.status"] ?? "").split(/\s+/)
    const charge = num(r.vars["battery.charge"])
    const runtime = num(r.vars["battery.runtime"])
    const figures = [charge !== undefined ? `charge ${charge} %` : "", runtime !== undefined ? `runtime ${Math.round(runtime / 60)} min` : ""].filter((x) => x !== "").join(", ")
    const at = `UPS ${r.target} (${r.vars["ups.status"] ?? "no status"}${figures ? `, ${figures}` : ""})`
    const refuse = (reason: string, wait: string): void => {
      reasons.push(reason)
      waits.add(wait)
    }
    if (words.includes("FSD")) refuse(`${at} is shutting everything down (FSD)`, words.includes("OB") ? "when mains is back and the shutdown is over" : "when the shutdown is over")
    else if (words.includes("OB")) refuse(`${at} is on battery`, "when mains is back and the battery has recharged")
    else if (words.includes("LB")) refuse(`${at} reports a low battery`, "when the battery has recharged")
    else if (ctx.policy.minCharge !== undefined && charge !== undefined && charge < ctx.policy.minCharge) refuse(`${at}: charge is below ${ctx.policy.minCharge} %`, "when the battery has recharged")
    else if (ctx.policy.minRuntime !== undefined && runtime !== undefined && runtime < ctx.policy.minRuntime) refuse(`${at}: runtime is below ${Math.round(ctx.policy.minRuntime / 60)} min`, "when the battery has recharged")
  }
  if (reasons.length > 0) {
    return { allow: false, message: `${guest} not started: ${reasons.join("; ")}. Start it ${[...waits].join(", or ")}, or touch ${overrideFile} to start it anyway.` }
  }
  const ok = ctx.readings.map((r) => `${r.target} ${r.vars["ups.status"] ?? ""}`.trim()).join(", ")
  return allow(`${guest}: UPS on line (${ok}), start allowed`)
}

function onError(ctx: StartContext, what: string): StartDecision {
  return ctx.policy.onError === "open"
    ? { allow: true, message: `${what}; starting anyway (--on-error open)` }
    : { allow: false, message: `${what}; not started (--on-error closed)` }
}

function allow(message: string): StartDecision {
  return { allow: true, message }
}

function num(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined
  const n = Number(text)
  return Number.isFinite(n) ? n : undefined
}

/** Guests listed in /etc/pve/ha/resources.cfg (`vm: 100`, `ct: 101` section headers). */
export function haGuests(resourcesCfg: string | undefined): Set<string> {
  const out = new Set<string>()
  for (const m of (resourcesCfg ?? "").matchAll(/^(?:vm|ct):\s*(\d+)\s*$/gm)) out.add(m[1] as string)
  return out
}

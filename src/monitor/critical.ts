/**
 * upsmon 2.8.0's `is_ups_critical` and the power sum of `recalc` (research/nut-reference.md §3.4).
 * Newer upsmon also treats a silent supply last seen CAL/BYPASS/OFF/not-online as critical at once;
 * that is what makes secondaries shut down seconds after a network glitch during an outage
 * (nut#2454), so we keep 2.8.0's rule: only DEADTIME promotion of a supply last seen OB.
 *
 * nutctl adds two verdicts of its own, for any role (they are this host's policy, not a signal
 * from the primary): `RUNTIME` when `battery.runtime` no longer covers the shutdown plan
 * (`shutdown.when.runtimeBelow`, the loop feeds the budget's verdict with each poll on battery), and
 * `ON-BATTERY-FOR` after `shutdown.when.onBatteryFor` on battery. Both can come before LB — which
 * is their point — and, like OB+LB, neither counts while the UPS calibrates.
 */
import type { SupplyState } from "./supply-state.ts"
import type { MonitorConfig } from "./types.ts"

/** Why a supply is, or is not, critical. */
export type CriticalVerdict =
  /** The FSD flag (the primary's, or a smart UPS forwarding its own): critical for any role. */
  | { readonly critical: true; readonly why: "FSD" }
  /** OB+LB on a supply we are primary for: critical at once, so we set FSD on it. */
  | { readonly critical: true; readonly why: "OB+LB" }
  /** OB+LB without FSD for more than HOSTSYNC on a secondary: "Giving up on the primary". */
  | { readonly critical: true; readonly why: "HOSTSYNC" }
  /** On battery, and `battery.runtime` no longer covers the shutdown plan's need. */
  | { readonly critical: true; readonly why: "RUNTIME"; readonly runtimeS: number; readonly needMs?: number }
  /** On battery for `onBatteryForMs` (since `since`). */
  | { readonly critical: true; readonly why: "ON-BATTERY-FOR"; readonly since: number }
  | { readonly critical: false; readonly why: "OK" }
  /** OB+LB while calibrating: the battery test, not an outage. */
  | { readonly critical: false; readonly why: "CAL" }
  /** A secondary's OB+LB, still within HOSTSYNC of the last non-critical status. */
  | { readonly critical: false; readonly why: "WAITING"; readonly until: number }

/** Decide whether one supply is critical at `now`. */
export function supplyVerdict(state: SupplyState, now: number, config: MonitorConfig): CriticalVerdict {
  const { flags } = state
  if (flags.fsd) return { critical: true, why: "FSD" }
  if (!flags.ob) return { critical: false, why: "OK" }
  if (flags.cal) return flags.lb ? { critical: false, why: "CAL" } : { critical: false, why: "OK" }
  if (flags.lb && state.supply.role === "primary") return { critical: true, why: "OB+LB" }
  const { runtime, onBatterySince } = state
  if (runtime?.covers === false) return { critical: true, why: "RUNTIME", runtimeS: runtime.seconds, ...(runtime.needMs === undefined ? {} : { needMs: runtime.needMs }) }
  const forMs = config.onBatteryForMs
  if (forMs !== undefined && onBatterySince !== undefined && now - onBatterySince >= forMs) return { critical: true, why: "ON-BATTERY-FOR", since: onBatterySince }
  if (!flags.lb) return { critical: false, why: "OK" }
  // upsmon compares whole seconds with `>`; we compare milliseconds.
  const since = state.lastNonCritAt ?? -Infinity
  if (now - since > config.hostSyncMs) return { critical: true, why: "HOSTSYNC" }
  return { critical: false, why: "WAITING", until: since + config.hostSyncMs }
}

/** The host's power accounting at one moment. */
export interface PowerSum {
  /** Sum of the power values of supplies that are not critical (never-heard-from ones count). */
  readonly value: number
  readonly minSupplies: number
  /** value < MINSUPPLIES: this host must shut down. */
  readonly mustShutDown: boolean
  /** Verdict per supply, in config order. */
  readonly verdicts: readonly CriticalVerdict[]
}

/** recalc: add up the non-critical supplies and compare with MINSUPPLIES (0 = never shut down). */
export function powerSum(supplies: readonly SupplyState[], now: number, config: MonitorConfig): PowerSum {
  let value = 0
  const verdicts = supplies.map((s) => {
    const v = supplyVerdict(s, now, config)
    if (!v.critical) value += s.supply.powerValue
    return v
  })
  return { value, minSupplies: config.minSupplies, mustShutDown: value < config.minSupplies, verdicts }
}

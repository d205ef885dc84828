/**
 * `config check --hostname H`: the plan H's role resolves to — each executor of `shutdown:` with
 * its steps in their dry-run description form. Executors plan with `dryRun: true` (their `plan()`
 * may read an API, e.g. Proxmox's guest list; nothing is changed). A secret this machine cannot
 * read is a note for another host, an error for this one.
 */
import type { LoadedConfig, RoleEntry, RoleMatch, SecretSources } from "../config/index.ts"
import { systemClock } from "../monitor/index.ts"
import { buildPlan, type PowerControl } from "../shutdown/index.ts"
import { roleExecutors } from "./_executors.ts"
import { formatPlan } from "./_plan-format.ts"

export interface RolePlanInput {
  readonly loaded: LoadedConfig
  readonly role: RoleMatch<RoleEntry>
  readonly host: string
  /** The host is this machine (its secrets must resolve). */
  readonly local: boolean
  readonly sources: SecretSources
}

/**
 * Print the plan; false when the config itself is wrong (an unknown plugin, settings its schema
 * refuses). A missing secret is only noted: the caller's secret check reports it.
 */
export async function printRolePlan(input: RolePlanInput, io: { out(line: string): void; err(line: string): void }): Promise<boolean> {
  let ok = true
  const loaded = await roleExecutors({ loaded: input.loaded, role: input.role, sources: input.sources })
  for (const x of loaded) {
    if (x.problem === undefined) continue
    if (x.missingSecret) {
      // on this machine the secret check below reports it as an error already
      io.out(`  executor ${x.name}: not planned (${input.local ? "a secret is missing" : "its secrets are not on this machine"}: ${x.problem})`)
    } else {
      io.err(`error: ${x.problem}`)
      ok = false
    }
  }
  const executors = loaded.flatMap((x) => (x.configured ? [x.configured] : []))
  if (executors.length === 0) return ok
  const log: string[] = []
  // planned only, never run: a primary's monitor offers these two, so its plan shows the steps that use them
  const power: PowerControl | undefined = input.role.entry.role === "primary" ? { secondaries: async () => 0, killPower: async () => {} } : undefined
  const plan = await buildPlan({
    host: input.host,
    executors,
    clock: systemClock,
    log: (level, m) => void (level === "warn" || level === "error" ? log.push(m) : undefined),
    dryRun: true,
    ...(power === undefined ? {} : { power }),
  })
  for (const line of formatPlan(plan, { indent: "  " })) io.out(line)
  for (const m of log) io.out(`  note: ${m}`)
  return ok
}

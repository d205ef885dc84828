/** Which user a role's monitor logs in as, when the `monitor:` entry does not say. */
import type { MonitorTarget, NutctlConfig, RoleEntry, SecretRef } from "./nutctl-schema.ts"

/** A user name and its password reference for one monitored UPS. */
export interface MonitorLogin {
  readonly user: string
  readonly password: SecretRef | undefined
}

/**
 * The login for `target`: its own `user`/`password`, else the first `users:` entry whose
 * `upsmon` matches the role (a primary logs in as an `upsmon: primary` user, as upsmon.conf's
 * MONITOR line pairs role and user).
 * @returns undefined when no user fits
 */
export function monitorLogin(config: NutctlConfig, role: RoleEntry, target: MonitorTarget): MonitorLogin | undefined {
  if (target.user !== undefined) return { user: target.user, password: target.password ?? config.users[target.user]?.password }
  for (const [user, u] of Object.entries(config.users)) {
    if (u.upsmon === role.role) return { user, password: target.password ?? u.password }
  }
  return undefined
}

/**
 * Token privileges in the simulator: what a token holds at a path (its `paths` entry nearest
 * above, else its privileges on `/`, else everything, as a `root@pam` token without privilege
 * separation), and GET /access/permissions, which lists PVE's default top-level paths and every
 * path with an ACL, each with privilege → 1 (propagates), leaving out paths without any.
 */
import type { TokenSpec } from "./types.ts"

/** PVE 8/9's privileges (pveum role list), for a token that holds them all. */
export const ALL_PRIVILEGES: readonly string[] = [
  "Datastore.Allocate", "Datastore.AllocateSpace", "Datastore.AllocateTemplate", "Datastore.Audit",
  "Group.Allocate", "Mapping.Audit", "Mapping.Modify", "Mapping.Use", "Permissions.Modify",
  "Pool.Allocate", "Pool.Audit", "Realm.Allocate", "Realm.AllocateUser",
  "SDN.Allocate", "SDN.Audit", "SDN.Use", "Sys.AccessNetwork", "Sys.Audit", "Sys.Console", "Sys.Incoming",
  "Sys.Modify", "Sys.PowerMgmt", "Sys.Syslog", "User.Modify",
  "VM.Allocate", "VM.Audit", "VM.Backup", "VM.Clone", "VM.Config.CDROM", "VM.Config.CPU", "VM.Config.Cloudinit",
  "VM.Config.Disk", "VM.Config.HWType", "VM.Config.Memory", "VM.Config.Network", "VM.Config.Options",
  "VM.Console", "VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted", "VM.Migrate", "VM.PowerMgmt", "VM.Snapshot", "VM.Snapshot.Rollback",
]

const DEFAULT_PATHS = ["/", "/access", "/access/groups", "/nodes", "/pool", "/sdn", "/storage", "/vms"]

/** The privileges `token` holds at `path`. */
export function effectivePrivs(token: TokenSpec, path: string): readonly string[] {
  const within = (p: string): boolean => p === "/" || path === p || path.startsWith(`${p}/`)
  const nearest = Object.keys(token.paths ?? {})
    .filter(within)
    .sort((a, b) => b.length - a.length)[0]
  if (nearest !== undefined) return token.paths?.[nearest] ?? []
  return token.privs ?? ALL_PRIVILEGES
}

/** GET /access/permissions for the token itself (`path` given: that path only). */
export function permissionsOf(token: TokenSpec, path: string | undefined): Record<string, Record<string, number>> {
  const paths = path !== undefined ? [path] : [...new Set([...DEFAULT_PATHS, ...Object.keys(token.paths ?? {})])]
  const out: Record<string, Record<string, number>> = {}
  for (const p of paths) {
    const privs = effectivePrivs(token, p)
    if (privs.length > 0) out[p] = Object.fromEntries(privs.map((x) => [x, 1]))
  }
  return out
}

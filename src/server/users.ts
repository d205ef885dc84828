import type { UserRecord } from "./types.ts"

/** upsd.users lookups: case-sensitive names and passwords, case-insensitive rights. */
export class UserDb {
  readonly #users = new Map<string, UserRecord>()

  constructor(users: readonly UserRecord[]) {
    this.replace(users)
  }

  /** Take a new upsd.users (reload): clients logged in keep their connection, new commands use the new rights. */
  replace(users: readonly UserRecord[]): void {
    this.#users.clear()
    // upsd keeps the first of duplicate sections
    for (const u of users) if (!this.#users.has(u.name)) this.#users.set(u.name, u)
  }

  /** Number of users. */
  get size(): number {
    return this.#users.size
  }

  #authenticated(name: string, password: string): UserRecord | undefined {
    const user = this.#users.get(name)
    if (!user || user.password === undefined || user.password !== password) return undefined
    return user
  }

  /** Does this user/password pair hold `action` (set, fsd, login, master, primary)? */
  hasAction(name: string, password: string, action: string): boolean {
    return this.#authenticated(name, password)?.actions.has(action.toLowerCase()) ?? false
  }

  /** May this user/password pair run instant command `cmd`? */
  mayRunCommand(name: string, password: string, cmd: string): boolean {
    const user = this.#authenticated(name, password)
    if (!user) return false
    return user.instcmds.has("all") || user.instcmds.has(cmd.toLowerCase())
  }
}

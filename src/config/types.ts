import type { ServerSettings, UserRecord } from "../server/index.ts"

/** A UPS section of ups.conf (or nutctl's `ups:`). */
export interface UpsDefinition {
  /** NUT name (case as configured). */
  readonly name: string
  /** NUT driver name: `dummy-ups`, `usbhid-ups`, … */
  readonly driver: string
  /** `port =`: a .dev/.seq file for dummy-ups, `auto` or `sim:<base>` for usbhid-ups. */
  readonly port: string
  readonly desc?: string
  /** Every other key of the section (mode, vendorid, pollinterval, …), keys lower-case. */
  readonly params: Readonly<Record<string, string>>
  /** Directory relative `port` paths resolve against (NUT's config dir). */
  readonly baseDir: string
  /** Where ups.conf defines it (the section's line and its `port` line), for messages at run time. */
  readonly source?: { readonly file: string; readonly line: number; readonly portLine: number }
}

/** A problem in a config file that did not stop loading. */
export interface ConfigWarning {
  readonly file: string
  readonly line?: number
  readonly key?: string
  readonly message: string
}

/** What `serve` needs to run a drop-in upsd. */
export interface ServeSetup {
  readonly ups: readonly UpsDefinition[]
  readonly server: ServerSettings
  readonly users: readonly UserRecord[]
  /** Keep running with no UPS configured (upsd.conf ALLOW_NO_DEVICE). */
  readonly allowNoDevice: boolean
  readonly warnings: readonly ConfigWarning[]
  /** Where real NUT drivers put their sockets (upsd.conf STATEPATH); undefined = NUT's default. */
  readonly statePath?: string | undefined
  /** ups.conf keys before the first section (e.g. `nutctl_external`). */
  readonly upsGlobals?: Readonly<Record<string, string>> | undefined
}

/**
 * Notifications as data: the message upsmon would build, the record the store keeps, and the
 * NOTIFYCMD invocation exactly as upsmon makes it (clients/upsmon.c `notify()`).
 */
import type { MonitorConfig, NotifyRecord } from "./types.ts"
import type { NotifyType } from "./notify-types.ts"

/** upsmon formats into a SMALLBUF (512 bytes): longer messages are cut at 511 characters. */
const MAX_MESSAGE = 511

/**
 * Fill a NOTIFYMSG format the way upsmon's snprintf does for the texts people write: each `%s`
 * takes the next argument (the UPS, then the detail such as ups.alarm), `%%` is a percent sign;
 * other `%` sequences stay as written (in upsmon they would be undefined behaviour).
 */
export function formatNotifyMessage(format: string, args: readonly string[]): string {
  let next = 0
  const out = format.replace(/%[%s]/g, (m) => (m === "%%" ? "%" : (args[next++] ?? "")))
  return out.length > MAX_MESSAGE ? out.slice(0, MAX_MESSAGE) : out
}

/** What builds one notification. */
export interface NotifyInit {
  readonly type: NotifyType
  /** The UPS as written in MONITOR; omitted for SHUTDOWN and NOPARENT. */
  readonly system?: string
  /** Second `%s` (ALARM: ups.alarm, OTHER: the unclassified tokens); comes from the network. */
  readonly detail?: string
  readonly status?: string
}

/**
 * The record of a notification with the configured message and flags.
 * @param at ms since the epoch
 */
export function notifyRecord(init: NotifyInit, env: { readonly now: number; readonly config: MonitorConfig }): NotifyRecord {
  const system = init.system ?? ""
  const args = [system]
  // The detail is UPS-supplied text that ends up inside "…" of a shell command line (NOTIFYCMD):
  // drop the characters a shell still interprets there, so a UPS cannot inject commands.
  if (init.detail !== undefined) args.push(init.detail.replace(/["$`\\]/g, ""))
  return {
    kind: "notify",
    at: env.now,
    type: init.type,
    system,
    message: formatNotifyMessage(env.config.notifyMessages[init.type], args),
    flags: env.config.notifyFlags[init.type],
    ...(init.status === undefined ? {} : { status: init.status }),
  }
}

/** How NOTIFYCMD is run for one notification. */
export interface NotifyCommand {
  /** The line for `/bin/sh -c` (upsmon calls `system()`): the command, a space, the message in double quotes. */
  readonly shell: string
  /**
   * Variables upsmon 2.8.0 sets on top of its own environment: exactly NOTIFYTYPE and UPSNAME
   * (empty for SHUTDOWN/NOPARENT). Nothing else is added.
   */
  readonly env: { readonly NOTIFYTYPE: string; readonly UPSNAME: string }
}

/**
 * The NOTIFYCMD invocation for a record, or undefined when the record is not EXEC-flagged (or is
 * IGNOREd) or no NOTIFYCMD is set. The message is not shell-escaped, as in upsmon: NOTIFYMSG texts
 * are trusted configuration.
 */
export function notifyCommand(record: NotifyRecord, notifyCmd: string | undefined): NotifyCommand | undefined {
  if (notifyCmd === undefined || record.flags.ignore || !record.flags.exec) return undefined
  return { shell: `${notifyCmd} "${record.message}"`, env: { NOTIFYTYPE: record.type, UPSNAME: record.system } }
}

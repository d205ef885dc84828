import type { ClientInfo, ServedUps, ServerContext } from "../context.ts"
import type { PushChannel } from "../push.ts"

/** What a command handler may see and change of its connection. */
export interface SessionView extends ClientInfo {
  readonly ctx: ServerContext
  username: string | undefined
  password: string | undefined
  loggedIn: ServedUps | undefined
  tracking: boolean
  tls: boolean
  /** Set by LOGOUT: close after the reply is written. */
  closeAfterReply: boolean
  /** Set by STARTTLS: upgrade the socket after the reply is written. */
  startTls: boolean
  /** The reply about to be returned depends only on `ups`'s state: the request cache may reuse it. */
  cacheable(ups: ServedUps): void
  /** nutctl's push subscriptions (NUTCTL PUSH); empty for every plain NUT client. */
  readonly push: PushChannel
}

/**
 * A command handler: returns the reply lines (without the final newline) and never touches a
 * socket. Failures are thrown as NutError.
 */
export type Handler = (session: SessionView, args: readonly string[]) => string

export interface CommandSpec {
  readonly run: Handler
  /** Needs USERNAME and PASSWORD first (upsd's FLAG_USER). */
  readonly auth?: boolean
  /** Exact number of arguments; otherwise ERR INVALID-ARGUMENT. */
  readonly arity?: number
}

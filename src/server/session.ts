import { NutError } from "../protocol/index.ts"
import { COMMANDS, type SessionView } from "./commands/index.ts"
import type { ServedUps, ServerContext } from "./context.ts"
import { PushChannel } from "./push.ts"
import type { CachedLine } from "./request-cache.ts"

/** Longest reply line upsd sends: its 512-byte answer buffer (fixtures/nut-wire/07-limits.txt). */
export const MAX_REPLY_LINE = 512

export interface SessionLog {
  error(message: string, cause?: unknown): void
}

/**
 * One client connection's protocol state. `handle(words)` runs one tokenized request and returns the
 * exact bytes to send (as text), so transcripts can be replayed without a socket.
 */
export class Session implements SessionView {
  readonly ctx: ServerContext
  readonly address: string
  readonly seq: number
  username: string | undefined
  password: string | undefined
  loggedIn: ServedUps | undefined
  tracking = false
  tls = false
  closeAfterReply = false
  startTls = false
  readonly push = new PushChannel()
  readonly #log: SessionLog | undefined
  /** Set by a handler whose reply depends only on this UPS's state (see {@link cacheable}). */
  #replyOf: ServedUps | undefined

  constructor(ctx: ServerContext, client: { address: string; seq: number }, log?: SessionLog) {
    this.ctx = ctx
    this.address = client.address
    this.seq = client.seq
    this.#log = log
  }

  /** Run one request; returns the reply text including its newline(s). */
  handle(words: readonly string[]): string {
    return finishReply(this.#dispatch(words))
  }

  /**
   * Run a line the request cache knows: its last reply again when that reply depended only on a
   * UPS whose state has not changed since and whose data is still available, else run it afresh.
   */
  handleLine(line: CachedLine<ServedUps>): string {
    const reply = line.reply
    if (reply !== undefined) {
      const state = (line.ups as ServedUps).state
      if (state.version === line.version && state.availability() === "ok") {
        this.ctx.onRequest?.(line.command)
        return reply
      }
    }
    this.#replyOf = undefined
    const fresh = this.handle(line.words)
    const ups = this.#replyOf as ServedUps | undefined // set by the handler that just ran
    line.reply = ups === undefined ? undefined : fresh
    line.ups = ups
    line.version = ups === undefined ? -1 : ups.state.version
    return fresh
  }

  /**
   * Called by a handler just before it returns a reply that depends on nothing but `ups`'s state
   * (GET VAR, LIST VAR, …): not on the session, the clock or other connections.
   */
  cacheable(ups: ServedUps): void {
    this.#replyOf = ups
  }

  /** The connection is gone: release its LOGIN. */
  close(): void {
    this.push.close()
    if (this.loggedIn) this.ctx.logout(this.loggedIn, this)
    this.loggedIn = undefined
  }

  #dispatch(words: readonly string[]): string {
    const [name, ...args] = words
    const command = name?.toUpperCase()
    const spec = command === undefined ? undefined : COMMANDS[command]
    // the word only when it is a known command, so a client cannot grow the metric's label set
    this.ctx.onRequest?.(spec ? (command as string) : "UNKNOWN")
    if (!spec) return "ERR UNKNOWN-COMMAND"
    try {
      if (spec.auth) {
        if (this.username === undefined) throw new NutError("USERNAME-REQUIRED")
        if (this.password === undefined) throw new NutError("PASSWORD-REQUIRED")
      }
      if (spec.arity !== undefined && args.length !== spec.arity) throw new NutError("INVALID-ARGUMENT")
      return spec.run(this, args)
    } catch (err) {
      this.#replyOf = undefined
      if (err instanceof NutError) return err.toWire()
      // a bug, not a protocol answer: log it, never leak its text to the client
      this.#log?.error(`internal error handling ${name}`, err)
      return "ERR INVALID-ARGUMENT"
    }
  }
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Append newlines; cut any line longer than upsd's buffer to 512 bytes without its newline. */
export function finishReply(reply: string): string {
  // a line of at most 170 UTF-16 units fits in 512 UTF-8 bytes: only longer ones need encoding
  if (reply.length <= LONGEST_SAFE_LINE) return reply + "\n"
  let out = ""
  for (const line of reply.split("\n")) {
    if (line.length <= LONGEST_SAFE_LINE) {
      out += line + "\n"
      continue
    }
    const bytes = encoder.encode(line + "\n")
    out += bytes.length <= MAX_REPLY_LINE ? line + "\n" : decoder.decode(bytes.subarray(0, MAX_REPLY_LINE))
  }
  return out
}

const LONGEST_SAFE_LINE = Math.floor((MAX_REPLY_LINE - 1) / 3)

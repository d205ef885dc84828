/**
 * The two ways the API's writes reach a UPS, both with the caller's NUT credentials so the NUT
 * server's own checks (rights, READONLY, enum/range, TOO-LONG, availability) decide exactly as
 * for upsrw/upscmd:
 * - on the primary, through an in-process server session (no socket; server/'s `createSession`);
 * - on a secondary, through a NutClient session with the primary's NUT server.
 */
import { NutClientError } from "../client/index.ts"
import { NutError } from "../protocol/index.ts"
import { connectNut, type NutConnect } from "./nut-read.ts"
import type { Credentials, UpsControl, WriteReply } from "./types.ts"

/** How long a write waits for the driver's TRACKING result before answering PENDING. */
export const DEFAULT_WRITE_WAIT_MS = 5000
const TRACKING_POLL_MS = 25

/** One protocol session without a socket (server/'s Session has this shape). */
export interface NutSessionLike {
  /** Run one tokenized request; returns the reply text with its newline(s). */
  handle(words: readonly string[]): string
  close(): void
}

export interface SessionControlOptions {
  /** A fresh session per write (NutServer.createSession). */
  readonly session: () => NutSessionLike
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>
  /** @default Date.now */
  readonly now?: () => number
  /** @default 5000 */
  readonly waitMs?: number
}

/** Writes through in-process server sessions (the primary). */
export function createSessionControl(options: SessionControlOptions): UpsControl {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const now = options.now ?? Date.now
  const waitMs = options.waitMs ?? DEFAULT_WRITE_WAIT_MS

  async function run(credentials: Credentials, request: readonly string[], tracked: boolean): Promise<WriteReply> {
    const s = options.session()
    try {
      for (const words of [["USERNAME", credentials.user], ["PASSWORD", credentials.password], ...(tracked ? [["SET", "TRACKING", "ON"]] : [])]) {
        const reply = s.handle(words).trim()
        if (reply !== "OK") return errorOf(reply)
      }
      const reply = s.handle(request).trim()
      if (reply.startsWith("ERR")) return errorOf(reply)
      const words = reply.split(" ")
      if (words[1] !== "TRACKING" || words[2] === undefined) return { ok: true, result: tracked ? "SENT" : "SUCCESS" }
      const id = words[2]
      const deadline = now() + waitMs
      for (;;) {
        const answer = s.handle(["GET", "TRACKING", id]).trim()
        if (answer === "SUCCESS") return { ok: true, result: "SUCCESS", trackingId: id }
        if (answer !== "PENDING") return { ...errorOf(answer), trackingId: id }
        if (now() >= deadline) return { ok: true, result: "PENDING", trackingId: id }
        await sleep(TRACKING_POLL_MS)
      }
    } finally {
      s.close()
    }
  }

  return {
    setVar: (r) => run(r.credentials, ["SET", "VAR", r.ups, r.name, r.value], true),
    instcmd: (r) => run(r.credentials, ["INSTCMD", r.ups, r.cmd, ...(r.param === undefined ? [] : [r.param])], true),
    fsd: (r) => run(r.credentials, ["FSD", r.ups], false),
  }
}

export interface ClientControlOptions {
  readonly host: string
  /** @default 3493 */
  readonly port?: number
  /** @default NutClient.connect over TCP */
  readonly connect?: NutConnect
  /** @default 5000 */
  readonly waitMs?: number
}

/**
 * Writes through a NUT session with a remote server (a secondary writing to its primary).
 * Connection failures are thrown as NutClientError (the route answers 502).
 */
export function createClientControl(options: ClientControlOptions): UpsControl {
  const connect = options.connect ?? connectNut
  const waitMs = options.waitMs ?? DEFAULT_WRITE_WAIT_MS

  async function run(credentials: Credentials, write: (c: Awaited<ReturnType<NutConnect>>) => Promise<WriteReply>): Promise<WriteReply> {
    const client = await connect({ host: options.host, port: options.port ?? 3493 })
    try {
      await client.authenticate(credentials.user, credentials.password)
      return await write(client)
    } catch (e) {
      if (e instanceof NutError) return { ok: false, error: e.code }
      throw e
    } finally {
      client.close()
    }
  }

  const outcome = (o: { result: string; trackingId?: string }): WriteReply => {
    const id = o.trackingId === undefined ? {} : { trackingId: o.trackingId }
    if (o.result === "OK") return { ok: true, result: "SENT", ...id }
    if (o.result === "SUCCESS" || o.result === "PENDING") return { ok: true, result: o.result, ...id }
    return { ok: false, error: o.result, ...id }
  }

  return {
    setVar: (r) => run(r.credentials, async (c) => outcome(await c.setVar(r.ups, r.name, r.value, { track: true, waitMs }))),
    instcmd: (r) => run(r.credentials, async (c) => outcome(await c.instcmd(r.ups, r.cmd, r.param, { track: true, waitMs }))),
    fsd: (r) =>
      run(r.credentials, async (c) => {
        await c.fsd(r.ups)
        return { ok: true, result: "SUCCESS" }
      }),
  }
}

/** Is this a failure to reach the NUT server (rather than its answer)? */
export function isUnreachable(error: unknown): boolean {
  return error instanceof NutClientError
}

function errorOf(reply: string): WriteReply & { ok: false } {
  const code = reply.startsWith("ERR ") ? (reply.slice(4).split(" ")[0] ?? "UNKNOWN") : reply
  return { ok: false, error: code === "" ? "UNKNOWN" : code }
}

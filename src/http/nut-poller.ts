/**
 * A secondary's directory: polls the primary's NUT server every few seconds over one kept
 * session, answers reads from the last poll, and reports the link itself (comm state). When the
 * link is lost the UPSes stay listed with their last values and availability `unreachable`.
 */
import type { NutClient } from "../client/index.ts"
import { NutError } from "../protocol/index.ts"
import type { Now } from "../ups/index.ts"
import { connectNut, listNutUps, NutMetaCache, readUpsOverNut, type NutConnect } from "./nut-read.ts"
import type { CommInfo, Credentials, UpsChange, UpsDirectory, UpsReading } from "./types.ts"

export interface NutPollerOptions {
  readonly host: string
  /** @default 3493 */
  readonly port?: number
  /** Log in first (reads rarely need it). */
  readonly credentials?: Credentials
  /** Only these UPSes. @default every UPS of `LIST UPS` */
  readonly ups?: readonly string[]
  /** Between polls. @default 2000 */
  readonly intervalMs?: number
  /** @default NutClient.connect over TCP */
  readonly connect?: NutConnect
  /** @default Date.now */
  readonly now?: Now
}

/** A polled NUT server as a directory. */
export interface NutPoller extends UpsDirectory {
  comm(): CommInfo
  /** One poll round (connects when needed). Never throws: failures become the comm state. */
  pollOnce(): Promise<void>
  /** Poll until `signal` aborts, sleeping `intervalMs` between rounds through `sleep`. */
  run(signal: AbortSignal, sleep: (ms: number, signal: AbortSignal) => Promise<void>): Promise<void>
  /** Drop the session. */
  close(): void
}

/** Create a poller; nothing is sent until `pollOnce()` or `run()`. */
export function createNutPoller(options: NutPollerOptions): NutPoller {
  const port = options.port ?? 3493
  const now = options.now ?? Date.now
  const connect = options.connect ?? connectNut
  const only = options.ups ? new Set(options.ups.map((u) => u.toLowerCase())) : undefined
  const server = `${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`
  const listeners = new Set<(change: UpsChange) => void>()
  let cache = new NutMetaCache()
  let client: NutClient | undefined
  let list: Array<{ name: string; desc: string | undefined }> = []
  const readings = new Map<string, UpsReading>()
  let comm: CommInfo = { state: "unknown", errors: 0 }

  const emit = (change: UpsChange): void => {
    for (const l of listeners) l(change)
  }

  function publish(next: UpsReading): void {
    const key = next.name.toLowerCase()
    const prev = readings.get(key)
    readings.set(key, next)
    const at = now()
    if (prev && prev.availability !== next.availability) emit({ kind: "availability", at, ups: next.name, availability: next.availability, previous: prev.availability })
    if (prev && prev.fsd !== next.fsd) emit({ kind: "fsd", at, ups: next.name, fsd: next.fsd })
    if (prev && prev.status !== next.status && next.availability === "ok") emit({ kind: "status", at, ups: next.name, status: next.status, previous: prev.status })
    if (!prev || next.availability !== "ok") return
    const values: Record<string, string | null> = {}
    let changed = false
    const before = new Map(prev.variables.map((v) => [v.name, v.value]))
    for (const v of next.variables) {
      if (before.get(v.name) !== v.value) {
        values[v.name] = v.value
        changed = true
      }
      before.delete(v.name)
    }
    for (const name of before.keys()) {
      values[name] = null
      changed = true
    }
    if (changed) emit({ kind: "vars", at, ups: next.name, values })
  }

  async function round(): Promise<void> {
    if (!client) {
      client = await connect({ host: options.host, port })
      if (options.credentials) await client.authenticate(options.credentials.user, options.credentials.password)
    }
    list = (await listNutUps(client)).filter((u) => !only || only.has(u.name.toLowerCase()))
    for (const u of list) {
      try {
        publish(await readUpsOverNut(client, u, cache, now()))
      } catch (e) {
        if (!(e instanceof NutError)) throw e
        readings.delete(u.name.toLowerCase()) // gone between LIST UPS and LIST VAR
      }
    }
  }

  function lost(error: unknown): void {
    client?.close()
    client = undefined
    cache = new NutMetaCache() // the server may have restarted with other drivers
    const message = error instanceof Error ? error.message : String(error)
    comm = { ...comm, state: "lost", errors: comm.errors + 1, lastError: message }
    for (const r of [...readings.values()]) {
      if (r.availability !== "unreachable") publish({ ...r, availability: "unreachable" })
    }
  }

  const poller: NutPoller = {
    server,
    list: () => list,
    read: (name) => readings.get(name.toLowerCase()),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    comm: () => comm,
    async pollOnce() {
      const started = now()
      try {
        await round()
        const { lastError: _gone, ...rest } = comm
        comm = { ...rest, state: "ok", lastOkAt: now(), lastPollMs: now() - started }
      } catch (e) {
        lost(e)
        comm = { ...comm, lastPollMs: now() - started }
      }
    },
    async run(signal, sleep) {
      while (!signal.aborted) {
        await poller.pollOnce()
        await sleep(options.intervalMs ?? 2000, signal).catch(() => undefined)
      }
      poller.close()
    },
    close() {
      client?.close()
      client = undefined
    },
  }
  return poller
}

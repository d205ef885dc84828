/**
 * A TrueNAS middleware simulator on 127.0.0.1 (research/executors-reference.md §5.5): JSON-RPC 2.0
 * at /api/current and /api/v25.04.x (25.04+), the legacy DDP-like /websocket, GET /api/versions;
 * API-key auth with revocation over insecure transports, per-version `system.shutdown`, jobs,
 * `system.state`, and a power-off that drops every connection and stops listening until
 * `powerOn()` (with a new boot id). It ships in the binary because `nutctl drill --simulate` uses it.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import { NOT_AUTHENTICATED, NOT_AUTHORIZED, PUBLIC_METHODS, SIM_VERSIONS, matchFilters, shutdownDelay, validateShutdown, versionNumber, type SimAnswer, type SimError, type SimVersion } from "./methods.ts"
import { acceptWebSocket, type ServerWs } from "./ws-server.ts"

export interface TrueNasSimKey {
  /** `<id>-<secret>` */
  readonly key: string
  /** @default truenas_admin */
  readonly username?: string
  /** Holds the FULL_ADMIN role system.shutdown needs (25.04+). @default true */
  readonly fullAdmin?: boolean
}

export interface TrueNasSimOptions {
  /** @default 25.04 */
  readonly version?: SimVersion
  /** @default one full-admin key, SIM_API_KEY */
  readonly apiKeys?: readonly TrueNasSimKey[]
  /** Serve wss:// with this certificate. */
  readonly tls?: { readonly cert: string; readonly key: string }
  /** Treat every peer as remote, so a key over plain ws:// is revoked (tests run on loopback). */
  readonly peersAreRemote?: boolean
  /** /api/current: `ok`; `missing` (404, as on 24.x); `broken` (upgrades, then closes). @default ok (24.x: missing) */
  readonly currentApi?: "ok" | "missing" | "broken"
  /** `reply`: answer system.shutdown with its job id, then go off; `drop`: drop every connection before answering. @default reply */
  readonly onShutdown?: "reply" | "drop"
  /** From the shutdown job's start until the host is off, on top of `delay`. @default 20 */
  readonly offAfterMs?: number
  /** Scales `delay` seconds (1 = real seconds). @default 0.001 */
  readonly delayScale?: number
  /** The real middleware sleeps 1–2 s before answering a wrong key. @default 0 */
  readonly failedLoginDelayMs?: number
  /** @default 0 (a free port) */
  readonly port?: number
}

/** One call the simulator received. */
export interface SimCall {
  readonly endpoint: string
  readonly protocol: "jsonrpc" | "ddp"
  readonly method: string
  readonly params: readonly unknown[]
  readonly authenticated: boolean
}

export interface TrueNasSim {
  /** ws[s]://127.0.0.1:PORT */
  readonly url: string
  readonly port: number
  readonly version: SimVersion
  readonly calls: readonly SimCall[]
  readonly state: "READY" | "SHUTTING_DOWN" | "OFF"
  readonly bootId: string
  readonly revokedKeys: readonly string[]
  /** Accepted shutdown requests. */
  readonly shutdowns: readonly { readonly params: readonly unknown[]; readonly protocol: "jsonrpc" | "ddp" }[]
  /** Resolves once the host is off. */
  whenOff(): Promise<void>
  /** Boot again (new boot id), on the same port. */
  powerOn(): Promise<void>
  close(): Promise<void>
}

/** The default key of a simulator. */
export const SIM_API_KEY = `1-${"nutctl".repeat(10)}sim0`

interface Session {
  readonly protocol: "jsonrpc" | "ddp"
  readonly endpoint: string
  readonly ws: ServerWs
  readonly secure: boolean
  readonly peer: string
  user?: { name: string; fullAdmin: boolean }
  legacyJobs: boolean
  connected: boolean
  readonly subscriptions: Set<string>
}

interface Job {
  readonly id: number
  readonly method: string
  readonly arguments: readonly unknown[]
  state: "RUNNING" | "SUCCESS"
  readonly time_started: { $date: number }
  readonly message_ids: readonly unknown[]
}

/** Start a simulator. */
export async function startTrueNasSimulator(options: TrueNasSimOptions = {}): Promise<TrueNasSim> {
  const version = options.version ?? "25.04"
  const modern = versionNumber(version) >= 2504
  const currentApi = modern ? (options.currentApi ?? "ok") : "missing"
  const keys = new Map((options.apiKeys ?? [{ key: SIM_API_KEY }]).map((k) => [k.key, { name: k.username ?? "truenas_admin", fullAdmin: k.fullAdmin ?? true }]))
  const revoked: string[] = []
  const calls: SimCall[] = []
  const shutdowns: { params: readonly unknown[]; protocol: "jsonrpc" | "ddp" }[] = []
  const sessions = new Set<Session>()
  const jobs: Job[] = []
  let nextJob = 1
  let state: TrueNasSim["state"] = "READY"
  let bootId = crypto.randomUUID()
  let off: { promise: Promise<void>; resolve: () => void } = deferred()
  const secure = options.tls !== undefined

  const server: Server = secure ? createHttpsServer({ cert: options.tls?.cert, key: options.tls?.key }) : createHttpServer()
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET" && req.url === "/api/versions" && modern) {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(versionNames(version)))
      return
    }
    res.writeHead(404, { "Content-Type": "text/plain" }).end("404: Not Found")
  })
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void upgrade(req, socket, head)
  })

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] as string
    const jsonrpc = /^\/api\/(current|v\d{2}\.\d{2}\.\d+)$/.test(path)
    if (state === "OFF" || (jsonrpc && currentApi === "missing") || (!jsonrpc && path !== "/websocket")) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
      return
    }
    const ws = await acceptWebSocket(req, socket, head)
    if (ws === undefined) return
    if (jsonrpc && currentApi === "broken") {
      ws.close(1011)
      return
    }
    const session: Session = { protocol: jsonrpc ? "jsonrpc" : "ddp", endpoint: path, ws, secure, peer: req.socket.remoteAddress ?? "", legacyJobs: true, connected: jsonrpc, subscriptions: new Set() }
    sessions.add(session)
    ws.onClose(() => sessions.delete(session))
    ws.onMessage((text) => void (session.protocol === "jsonrpc" ? onJsonRpc(session, text) : onDdp(session, text)))
  }

  // ----- JSON-RPC 2.0 envelope -----
  async function onJsonRpc(s: Session, text: string): Promise<void> {
    let msg: unknown
    try {
      msg = JSON.parse(text)
    } catch {
      s.ws.send(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }))
      return
    }
    const m = msg as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown }
    const hasId = typeof m === "object" && m !== null && !Array.isArray(m) && "id" in m
    if (typeof m !== "object" || m === null || Array.isArray(m) || m.jsonrpc !== "2.0" || typeof m.method !== "string" || (m.params !== undefined && !Array.isArray(m.params))) {
      s.ws.send(JSON.stringify({ jsonrpc: "2.0", id: hasId ? m.id : null, error: { code: -32600, message: "Invalid Request" } }))
      return
    }
    const answer = await call(s, m.method, (m.params as unknown[] | undefined) ?? [], hasId ? m.id : undefined)
    if (!hasId || answer.ok === "none" || !s.ws.open) return
    if (answer.ok) s.ws.send(JSON.stringify({ jsonrpc: "2.0", id: m.id, result: answer.value }))
    else s.ws.send(JSON.stringify({ jsonrpc: "2.0", id: m.id, error: rpcError(answer.error) }))
  }

  // ----- legacy /websocket envelope -----
  async function onDdp(s: Session, text: string): Promise<void> {
    let m: { msg?: unknown; id?: unknown; method?: unknown; params?: unknown; version?: unknown; support?: unknown }
    try {
      m = JSON.parse(text) as typeof m
    } catch {
      return
    }
    if (!s.connected) {
      if (m.msg === "connect" && m.version === "1" && Array.isArray(m.support) && m.support.includes("1")) {
        s.connected = true
        s.ws.send(JSON.stringify({ msg: "connected", session: crypto.randomUUID() }))
      } else {
        s.ws.send(JSON.stringify({ msg: "failed", version: "1" }))
      }
      return
    }
    if (m.msg === "ping") {
      s.ws.send(JSON.stringify({ msg: "pong", ...(m.id === undefined ? {} : { id: m.id }) }))
      return
    }
    if (m.msg === "sub") {
      if (typeof m.id === "string") s.subscriptions.add(String((m as { name?: unknown }).name))
      return
    }
    if (m.msg !== "method" || typeof m.method !== "string") return
    const answer = await call(s, m.method, Array.isArray(m.params) ? m.params : [], m.id)
    if (answer.ok === "none" || !s.ws.open) return
    if (answer.ok) s.ws.send(JSON.stringify({ msg: "result", id: m.id, result: answer.value }))
    else s.ws.send(JSON.stringify({ msg: "result", id: m.id, error: ddpError(answer.error) }))
  }

  // ----- the methods -----
  async function call(s: Session, method: string, params: readonly unknown[], messageId: unknown): Promise<SimAnswer> {
    calls.push({ endpoint: s.endpoint, protocol: s.protocol, method, params, authenticated: s.user !== undefined })
    const ok = (value: unknown): SimAnswer => ({ ok: true, value })
    const fail = (error: SimError): SimAnswer => ({ ok: false, error })
    if (!method.startsWith("auth.") && !PUBLIC_METHODS.has(method) && s.user === undefined) return fail(NOT_AUTHENTICATED)
    switch (method) {
      case "core.ping":
        return ok("pong")
      case "system.boot_id":
        return ok(bootId)
      case "core.set_options": {
        if (versionNumber(version) < 2510) return fail({ kind: "no-method", method })
        const o = params[0] as { legacy_jobs?: unknown } | undefined
        if (typeof o?.legacy_jobs === "boolean") s.legacyJobs = o.legacy_jobs
        return ok(null)
      }
      case "core.subscribe":
        for (const name of params) s.subscriptions.add(String(name))
        return ok(null)
      case "auth.login_with_api_key": {
        if (params.length !== 1 || typeof params[0] !== "string") return fail({ kind: "invalid-params", extra: [["api_key", "Input should be a valid string", 22]] })
        return ok(await login(s, params[0]) === "SUCCESS")
      }
      case "auth.login_ex": {
        if (!modern) return fail({ kind: "no-method", method })
        const d = params[0] as { mechanism?: unknown; api_key?: unknown } | undefined
        if (d?.mechanism !== "API_KEY_PLAIN" || typeof d.api_key !== "string") return fail({ kind: "invalid-params", extra: [["login_data.mechanism", "Only API_KEY_PLAIN is simulated", 22]] })
        const r = await login(s, d.api_key)
        return ok(r === "SUCCESS" ? { response_type: "SUCCESS", user_info: null, authenticator: "LEVEL_1" } : { response_type: r })
      }
      case "auth.me":
        return s.user === undefined ? fail(NOT_AUTHENTICATED) : ok({ pw_name: s.user.name, privilege: { roles: { $set: s.user.fullAdmin ? ["FULL_ADMIN"] : ["READONLY_ADMIN"] } } })
      case "system.version":
        return ok(SIM_VERSIONS[version])
      case "system.state":
        return ok(state === "OFF" ? "SHUTTING_DOWN" : state)
      case "system.ready":
        return ok(state === "READY")
      case "system.info":
        return ok({ version: SIM_VERSIONS[version], hostname: "truenas-sim", boottime: { $date: 0 } })
      case "core.get_jobs":
        return ok(jobs.filter((j) => matchFilters(j as unknown as Record<string, unknown>, params[0])))
      case "system.shutdown": {
        const invalid = validateShutdown(version, params)
        if (invalid) return fail(invalid)
        if (modern && s.user?.fullAdmin !== true) return fail(NOT_AUTHORIZED)
        return shutdown(s, params, messageId)
      }
      default:
        return fail({ kind: "no-method", method })
    }
  }

  async function login(s: Session, key: string): Promise<"SUCCESS" | "AUTH_ERR" | "EXPIRED"> {
    const user = keys.get(key)
    if (user === undefined || revoked.includes(key)) {
      if ((options.failedLoginDelayMs ?? 0) > 0) await sleep(options.failedLoginDelayMs ?? 0)
      return revoked.includes(key) ? "EXPIRED" : "AUTH_ERR"
    }
    const loopback = !options.peersAreRemote && /^(127\.|::1$|::ffff:127\.)/.test(s.peer)
    if (modern && !s.secure && !loopback) {
      // utils/origin.py: an API key over an insecure transport is revoked, and the login fails
      revoked.push(key)
      return "EXPIRED"
    }
    s.user = { ...user }
    return "SUCCESS"
  }

  function shutdown(s: Session, params: readonly unknown[], messageId: unknown): SimAnswer {
    const job: Job = { id: nextJob++, method: "system.shutdown", arguments: params, state: "RUNNING", time_started: { $date: Date.now() }, message_ids: [messageId] }
    jobs.push(job)
    shutdowns.push({ params, protocol: s.protocol })
    state = "SHUTTING_DOWN"
    for (const other of sessions) {
      if (!other.subscriptions.has("core.get_jobs")) continue
      const fields = { ...job }
      other.ws.send(JSON.stringify(other.protocol === "jsonrpc" ? { jsonrpc: "2.0", method: "collection_update", params: { msg: "added", collection: "core.get_jobs", id: job.id, fields } } : { msg: "added", collection: "core.get_jobs", id: job.id, fields }))
    }
    const delayMs = shutdownDelay(version, params) * 1000 * (options.delayScale ?? 0.001) + (options.offAfterMs ?? 20)
    if (options.onShutdown === "drop") for (const x of [...sessions]) x.ws.drop()
    void sleep(delayMs).then(() => powerOff())
    if (options.onShutdown === "drop") return { ok: "none" }
    // 25.10+: a connection that turned legacy jobs off waits for the result (it drops first)
    if (versionNumber(version) >= 2510 && !s.legacyJobs) return { ok: "none" }
    return { ok: true, value: job.id }
  }

  function powerOff(): void {
    if (state === "OFF") return
    state = "OFF"
    for (const s of [...sessions]) s.ws.drop()
    sessions.clear()
    server.close()
    server.closeAllConnections?.()
    off.resolve()
  }

  await listen(server, options.port ?? 0)
  const port = (server.address() as AddressInfo).port
  return {
    url: `${secure ? "wss" : "ws"}://127.0.0.1:${port}`,
    port,
    version,
    calls,
    get state() {
      return state
    },
    get bootId() {
      return bootId
    },
    revokedKeys: revoked,
    shutdowns,
    whenOff: () => off.promise,
    async powerOn() {
      if (state !== "OFF") return
      bootId = crypto.randomUUID()
      off = deferred()
      for (const j of jobs) j.state = "SUCCESS"
      await listen(server, port)
      state = "READY"
    },
    async close() {
      for (const s of [...sessions]) s.ws.drop()
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

// --- Internal helpers ---

function rpcError(e: SimError): unknown {
  if (e.kind === "no-method") return { code: -32601, message: "Method does not exist" }
  if (e.kind === "invalid-params") return { code: -32602, message: "Invalid params", data: { error: 22, errname: "EINVAL", reason: "Invalid params", trace: null, extra: e.extra } }
  return { code: -32001, message: "Method call error", data: { error: e.errno, errname: e.errname, reason: e.reason, trace: null, extra: null } }
}

function ddpError(e: SimError): unknown {
  if (e.kind === "no-method") return { error: 22, errname: "EINVAL", type: null, reason: `Method does not exist`, trace: null, extra: null }
  if (e.kind === "invalid-params") return { error: 22, errname: "EINVAL", type: "VALIDATION", reason: e.extra.map((x) => `[${x[0]}] ${x[1]}`).join("\n"), trace: null, extra: e.extra }
  return { error: e.errno, errname: e.errname, type: null, reason: e.reason, trace: null, extra: null }
}

function versionNames(version: SimVersion): string[] {
  const all = ["v25.04.0", "v25.04.1", "v25.04.2", "v25.10.0", "v25.10.1"]
  return versionNumber(version) >= 2510 ? all : all.slice(0, 3)
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {}
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

/**
 * The simulator's wire: one HTTP(S) listener per node on 127.0.0.1, sharing one SimCluster.
 * Copies pve-http-server (executors-reference §1.1–1.2, §7): `/api2/json` only, the exact
 * `application/json;charset=UTF-8` content type, `{"data":…}`, the error text as the reason phrase
 * and in `message`, 400 with an `errors` map, 401 without body after a delay, 501 for unknown
 * methods, 595 when proxying to a node that is down, and every request validated against the
 * schema of the simulated version. Every request is recorded.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import type { Clock } from "../../../src/shutdown/index.ts"
import { SimCluster } from "./cluster.ts"
import { effectivePrivs } from "./privileges.ts"
import { ROUTES } from "./routes.ts"
import { loadApiSchema, type ApiSchema } from "./schema.ts"
import { SimClock } from "./sim-clock.ts"
import { SimHttpError, type ClusterSpec, type RecordedRequest, type TokenSpec } from "./types.ts"

/** Key and certificate (PEM) for HTTPS listeners. */
export interface SimTls {
  readonly key: string
  readonly cert: string
}

export interface ProxmoxSimOptions {
  /** @default a new SimClock */
  readonly clock?: Clock
  /** Serve HTTPS with this certificate (all nodes share it). @default plain HTTP */
  readonly tls?: SimTls
}

const JSON_TYPE = "application/json;charset=UTF-8"

type Params = Record<string, string | string[]>

/** A running Proxmox VE simulator. */
export class ProxmoxSim {
  readonly cluster: SimCluster
  readonly clock: Clock
  readonly schema: ApiSchema
  readonly #tls: SimTls | undefined
  readonly #servers = new Map<string, Server>()
  readonly #ports = new Map<string, number>()

  private constructor(spec: ClusterSpec, options: ProxmoxSimOptions) {
    this.clock = options.clock ?? new SimClock()
    this.cluster = new SimCluster(spec, this.clock)
    this.schema = loadApiSchema(this.cluster.version)
    this.#tls = options.tls
    this.cluster.onApi = (node, up) => void (up ? this.#listen(node) : this.#close(node))
  }

  /** Start a simulator with one listener per node. */
  static async start(spec: ClusterSpec, options: ProxmoxSimOptions = {}): Promise<ProxmoxSim> {
    const sim = new ProxmoxSim(spec, options)
    for (const node of sim.cluster.nodes.keys()) await sim.#listen(node)
    return sim
  }

  /** Base URL of a node's API (`http://127.0.0.1:PORT`). */
  url(node: string): string {
    const port = this.#ports.get(node)
    if (port === undefined) throw new Error(`no such simulated node ${node}`)
    return `${this.#tls ? "https" : "http"}://127.0.0.1:${port}`
  }

  /** Requests the simulator saw. */
  get requests(): readonly RecordedRequest[] {
    return this.cluster.requests
  }

  /** Requests that failed schema validation or hit an unmodelled/unknown method. */
  get invalidRequests(): readonly RecordedRequest[] {
    return this.cluster.requests.filter((r) => r.errors !== undefined || r.status === 501)
  }

  /** Requests that changed something (POST/PUT/DELETE). */
  get writes(): readonly RecordedRequest[] {
    return this.cluster.requests.filter((r) => r.method !== "GET")
  }

  /** Stop every listener. */
  async stop(): Promise<void> {
    await Promise.all([...this.#servers.keys()].map((n) => this.#close(n)))
  }

  async #listen(node: string): Promise<void> {
    if (this.#servers.has(node)) return
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.#handle(node, req, res).catch((e: unknown) => {
        if (!res.headersSent) this.#error(res, 500, `simulator bug: ${e instanceof Error ? e.message : String(e)}`)
      })
    }
    const server = this.#tls ? createHttpsServer({ key: this.#tls.key, cert: this.#tls.cert }, handler) : createHttpServer(handler)
    this.#servers.set(node, server)
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(this.#ports.get(node) ?? 0, "127.0.0.1", () => resolve())
    })
    const addr = server.address()
    if (addr !== null && typeof addr === "object") this.#ports.set(node, addr.port)
  }

  async #close(node: string): Promise<void> {
    const server = this.#servers.get(node)
    if (server === undefined) return
    this.#servers.delete(node)
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    await closed
  }

  async #handle(via: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const c = this.cluster
    const body = await readBody(req)
    c.sync()
    const node = c.node(via)
    if (node === undefined || !node.apiUp) {
      req.socket.destroy()
      return
    }
    const url = new URL(req.url ?? "/", "http://x")
    const method = req.method ?? "GET"
    const record = (r: Omit<RecordedRequest, "t" | "via" | "method" | "path">): void => {
      c.requests.push({ t: c.clock.now(), via, method, path: url.pathname, ...r })
    }
    // authentication first, like pve-http-server: 401s carry no body and come late
    const auth = req.headers.authorization ?? ""
    const m = /^PVEAPIToken=([^=\s]+@[^=\s!]+![^=\s]+)=(\S+)$/.exec(auth)
    const token = m ? c.tokens.get(m[1] as string) : undefined
    if (!m || token === undefined || token.secret !== m[2]) {
      const reason = auth === "" ? "No ticket" : "Authentication failed!"
      const delay = c.authDelayMs
      if (this.clock instanceof SimClock) await this.clock.parkedSleep(delay)
      else await this.clock.sleep(delay)
      record({ params: {}, status: 401, reason })
      res.writeHead(401, reason, { Connection: "close" })
      res.end()
      return
    }
    const tokenId = m[1] as string
    if (!url.pathname.startsWith("/api2/json/")) return this.#fail(res, record, 501, `Method '${method} ${url.pathname}' not implemented`, tokenId)
    const path = url.pathname.slice("/api2/json".length)
    const resolved = this.schema.resolve(method, path)
    if (resolved === undefined) return this.#fail(res, record, 501, `Method '${method} ${path}' not implemented`, tokenId)
    let params: Params
    try {
      params = mergeParams(url.searchParams, body, req.headers["content-type"], resolved.pathParams)
    } catch (e) {
      const err = e instanceof SimHttpError ? e : new SimHttpError(400, String(e))
      return this.#fail(res, record, err.status, err.message, tokenId, resolved.template, {}, err.errors)
    }
    const base = { template: resolved.template, params, tokenId }
    if (!resolved.allowToken) return this.#fail(res, record, 403, `Permission check failed (URI '${path}' not available with API token, need proper ticket.`, tokenId, resolved.template, params)
    const errors = this.schema.validate(resolved, params)
    if (Object.keys(errors).length > 0) return this.#fail(res, record, 400, "Parameter verification failed.", tokenId, resolved.template, params, errors)
    const missing = missingPrivs(resolved.method, token, params)
    if (missing !== undefined) return this.#fail(res, record, 403, `Permission check failed (${missing.path}, ${missing.priv})`, tokenId, resolved.template, params)
    const target = typeof params["node"] === "string" && resolved.template.startsWith("/nodes/{node}") ? params["node"] : undefined
    if (target !== undefined) {
      const t = c.node(target)
      if (t === undefined) return this.#fail(res, record, 500, `hostname lookup '${target}' failed - failed to get address info for: ${target}: Name or service not known`, tokenId, resolved.template, params)
      if (target !== via && (!t.online || !t.apiUp)) return this.#fail(res, record, 595, "No route to host", tokenId, resolved.template, params)
    }
    const route = ROUTES[`${method} ${resolved.template}`]
    if (route === undefined) return this.#fail(res, record, 501, `simulator: ${method} ${resolved.template} is not modelled`, tokenId, resolved.template, params)
    let data: unknown
    try {
      data = route({ cluster: c, via, params, user: tokenId })
    } catch (e) {
      if (!(e instanceof SimHttpError)) throw e
      return this.#fail(res, record, e.status, e.message, tokenId, resolved.template, params, e.errors)
    }
    record({ ...base, status: 200, reason: "OK" })
    const text = JSON.stringify({ data: data ?? null })
    res.writeHead(200, "OK", { "Content-Type": JSON_TYPE, "Content-Length": Buffer.byteLength(text) })
    res.end(text)
  }

  #fail(
    res: ServerResponse,
    record: (r: Omit<RecordedRequest, "t" | "via" | "method" | "path">) => void,
    status: number,
    message: string,
    tokenId: string,
    template?: string,
    params: Params = {},
    errors?: Readonly<Record<string, string>>,
  ): void {
    record({ params, status, reason: message, tokenId, ...(template === undefined ? {} : { template }), ...(errors === undefined ? {} : { errors }) })
    this.#error(res, status, message, errors)
  }

  #error(res: ServerResponse, status: number, message: string, errors?: Readonly<Record<string, string>>): void {
    const text = JSON.stringify({ data: null, ...(errors ? { errors } : {}), message: `${message}\n` })
    // pve-http-server: the reason phrase is the error's first line; any error closes the connection
    res.writeHead(status, message.split("\n")[0], { "Content-Type": JSON_TYPE, "Content-Length": Buffer.byteLength(text), Connection: "close" })
    res.end(text)
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
}

function mergeParams(query: URLSearchParams, body: string, contentType: string | undefined, pathParams: Readonly<Record<string, string>>): Params {
  const out: Params = {}
  const add = (k: string, v: string): void => {
    const prev = out[k]
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  if (body !== "") {
    if (/^application\/json/.test(contentType ?? "")) {
      for (const [k, v] of Object.entries(JSON.parse(body) as Record<string, unknown>)) {
        // inside a JSON body booleans may be true/false; PVE normalises them
        const s = (x: unknown): string => (x === true ? "1" : x === false ? "0" : String(x))
        if (Array.isArray(v)) for (const x of v) add(k, s(x))
        else add(k, s(v))
      }
    } else if (/^application\/x-www-form-urlencoded/.test(contentType ?? "")) {
      for (const [k, v] of new URLSearchParams(body)) add(k, v)
    } else {
      throw new SimHttpError(415, `Unsupported content type '${contentType ?? ""}'`)
    }
  }
  // query parameters override the body
  const fromQuery: Params = {}
  for (const [k, v] of query) {
    const prev = fromQuery[k]
    fromQuery[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  Object.assign(out, fromQuery)
  for (const [k, v] of Object.entries(pathParams)) {
    if (out[k] !== undefined && out[k] !== v) throw new SimHttpError(400, "Parameter verification failed.", { [k]: "duplicate parameter (already defined in URI) with conflicting values!" })
    out[k] = v
  }
  return out
}

// the simple permission form ["perm", "/path/{param}", ["Priv", …]] is enough for the methods modelled
function missingPrivs(method: unknown, token: TokenSpec, params: Params): { path: string; priv: string } | undefined {
  if (token.privs === undefined && token.paths === undefined) return undefined
  const check = (method as { permissions?: { check?: unknown } }).permissions?.check
  if (!Array.isArray(check) || check[0] !== "perm" || !Array.isArray(check[2])) return undefined
  const path = String(check[1]).replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? name))
  const privs = effectivePrivs(token, path)
  const any = check.includes("any")
  const wanted = check[2] as string[]
  const have = wanted.filter((p) => privs.includes(p))
  if (any ? have.length > 0 : have.length === wanted.length) return undefined
  return { path, priv: wanted.filter((p) => !privs.includes(p)).join(",") || (wanted[0] ?? "") }
}

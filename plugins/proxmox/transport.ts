/**
 * HTTP(S) to pveproxy with certificate pinning. The TLS socket is opened and checked *before*
 * the request is written, so a token never reaches a server whose certificate does not match:
 * the CA (normal chain + host name check) and/or a SHA-256 fingerprint pin, compared with
 * `getPeerCertificate().fingerprint256` (the same `AA:BB:…` string PVE prints).
 *
 * node:tls + node:http rather than undici or fetch: Bun's `undici` is a stub whose `Agent` ignores
 * `connect` options, and Bun's fetch never calls `checkServerIdentity` when verification is off
 * (research/packaging.md pitfall 4, executors-reference §1.3/§2.5), so neither can pin everywhere.
 */
import { request as httpRequest, type IncomingMessage } from "node:http"
import { isIP } from "node:net"
import { connect as tlsConnect, type TLSSocket } from "node:tls"
import { ProxmoxError } from "./errors.ts"

/** One HTTP exchange. */
export interface HttpRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  readonly signal?: AbortSignal
}

/** The parts of an answer the request layer reads (a fetch Response has them too). */
export interface HttpResponse {
  readonly status: number
  /** The reason phrase: PVE puts its error text there. */
  readonly statusText: string
  readonly headers: { get(name: string): string | null }
  text(): Promise<string>
}

/** Sends one request; rejects only when there is no answer (network, TLS). */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>

export interface TlsTrust {
  /** CA certificate(s), PEM. */
  readonly ca?: string
  /** Accepted leaf fingerprints, `AA:BB:…` uppercase. */
  readonly fingerprints?: readonly string[]
}

/** A transport over node:http / node:tls with the given trust. */
export function createNodeTransport(trust: TlsTrust = {}): HttpTransport {
  return async (req) => {
    const url = new URL(req.url)
    const https = url.protocol === "https:"
    const port = Number(url.port || (https ? 443 : 80))
    const host = url.hostname.replace(/^\[|\]$/g, "")
    const socket = https ? await connectPinned(host, port, trust, req.signal) : undefined
    return new Promise<HttpResponse>((resolve, reject) => {
      const r = httpRequest(
        {
          method: req.method,
          host,
          port,
          path: `${url.pathname}${url.search}`,
          headers: { ...req.headers, Connection: "close", ...(req.body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(req.body)) }) },
          ...(socket ? { createConnection: () => socket } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
        },
        (res) => resolve(toResponse(res)),
      )
      r.on("error", (cause) => reject(cause))
      if (req.body !== undefined) r.write(req.body)
      r.end()
    })
  }
}

function connectPinned(host: string, port: number, trust: TlsTrust, signal: AbortSignal | undefined): Promise<TLSSocket> {
  const pins = trust.fingerprints ?? []
  return new Promise<TLSSocket>((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ALPNProtocols: ["http/1.1"],
      // a pin alone replaces chain verification (PVE's self-signed node certificates); with a CA both must hold
      rejectUnauthorized: trust.ca !== undefined || pins.length === 0,
      ...(trust.ca === undefined ? {} : { ca: trust.ca }),
    })
    const onAbort = (): void => {
      socket.destroy()
      reject(signal?.reason)
    }
    signal?.addEventListener("abort", onAbort, { once: true })
    socket.once("secureConnect", () => {
      signal?.removeEventListener("abort", onAbort)
      if (pins.length > 0) {
        const seen = socket.getPeerCertificate().fingerprint256
        if (!pins.includes(seen)) {
          socket.destroy()
          reject(new ProxmoxError("PVE_TLS_PIN_MISMATCH", `Cannot trust ${host}:${port}: its certificate ${seen} matches no pinned fingerprint`))
          return
        }
      }
      resolve(socket)
    })
    socket.once("error", (cause: NodeJS.ErrnoException) => {
      signal?.removeEventListener("abort", onAbort)
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(cause.code ?? "")) {
        reject(new ProxmoxError("PVE_TLS", `Cannot trust ${host}:${port}: ${cause.message} (set fingerprint from \`pvenode cert info\` or ca: /etc/pve/pve-root-ca.pem)`, { cause }))
      } else reject(cause)
    })
  })
}

function toResponse(res: IncomingMessage): HttpResponse {
  const chunks: Buffer[] = []
  const body = new Promise<string>((resolve, reject) => {
    res.on("data", (c: Buffer) => chunks.push(c))
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    res.on("error", reject)
  })
  body.catch(() => {})
  return {
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? "",
    headers: { get: (name) => {
      const v = res.headers[name.toLowerCase()]
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v
    } },
    text: () => body,
  }
}

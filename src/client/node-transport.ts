/**
 * The socket edge of the client: node:net for TCP (host names, IPv4 and IPv6), node:tls for
 * STARTTLS on the same socket. Deno and Bun run it through their node: compatibility layers.
 */
import { connect as netConnect, type Socket } from "node:net"
import { connect as tlsConnect, type TLSSocket } from "node:tls"
import type { ClientTlsOptions, ClientTransport, Dialer, TransportEvents } from "./types.ts"

/** The default dialer: a TCP connection with a connect timeout. */
export const nodeDialer: Dialer = (target, events) =>
  new Promise((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(Object.assign(new Error(`no answer within ${target.timeoutMs} ms`), { code: "ETIMEDOUT" }))
    }, target.timeoutMs)
    const onError = (error: Error): void => {
      clearTimeout(timer)
      reject(error)
    }
    socket.once("error", onError)
    socket.once("connect", () => {
      clearTimeout(timer)
      socket.off("error", onError)
      socket.setNoDelay(true)
      resolve(new NodeTransport(socket, events))
    })
  })

class NodeTransport implements ClientTransport {
  #socket: Socket | TLSSocket
  readonly #events: TransportEvents
  #error: Error | undefined
  #closed = false

  constructor(socket: Socket, events: TransportEvents) {
    this.#socket = socket
    this.#events = events
    this.#attach(socket)
  }

  write(data: Uint8Array): void {
    this.#socket.write(data)
  }

  close(): void {
    const socket = this.#socket
    // once our last bytes (LOGOUT) are flushed, a server that never closes its side must not keep
    // the process alive
    socket.once("finish", () => socket.unref())
    socket.end()
  }

  destroy(): void {
    this.#socket.destroy()
  }

  async startTls(options: ClientTlsOptions & { readonly host: string }): Promise<void> {
    const plain = this.#socket
    plain.removeAllListeners("data")
    plain.removeAllListeners("error")
    plain.removeAllListeners("close")
    const verify = options.verify === true || options.ca !== undefined
    const secure = tlsConnect({
      socket: plain,
      servername: options.servername ?? (isIpLiteral(options.host) ? undefined : options.host),
      rejectUnauthorized: verify,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.cert !== undefined ? { cert: options.cert } : {}),
      ...(options.key !== undefined ? { key: options.key } : {}),
      // a certificate for an IP literal is checked against its IP SANs
      ...(verify && options.servername === undefined && isIpLiteral(options.host) ? { host: options.host } : {}),
    })
    this.#socket = secure
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        secure.destroy()
        reject(error)
      }
      secure.once("error", onError)
      secure.once("secureConnect", () => {
        secure.off("error", onError)
        resolve()
      })
    })
    this.#attach(secure)
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.on("data", (chunk: Uint8Array) => this.#events.data(chunk))
    socket.on("error", (error: Error) => {
      this.#error ??= error
    })
    socket.on("close", () => {
      if (this.#closed) return
      this.#closed = true
      this.#events.closed(this.#error)
    })
  }
}

function isIpLiteral(host: string): boolean {
  return host.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(host)
}

/** A minimal raw NUT line client for tests: send bytes, read reply lines, see EOF. */
import { connect, type Socket } from "node:net"
import { connect as tlsConnect, type TLSSocket } from "node:tls"

export class LineClient {
  #socket: Socket | TLSSocket
  #buffer = ""
  #waiters: Array<() => void> = []
  closed = false

  private constructor(socket: Socket) {
    this.#socket = socket
    this.#listen(socket)
  }

  static open(port: number, host = "127.0.0.1"): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new LineClient(s)))
      s.once("error", reject)
    })
  }

  #listen(s: Socket | TLSSocket): void {
    s.setEncoding("latin1")
    s.on("data", (d: string) => {
      this.#buffer += d
      this.#wake()
    })
    s.on("close", () => {
      this.closed = true
      this.#wake()
    })
    s.on("error", () => {})
  }

  #wake(): void {
    const w = this.#waiters
    this.#waiters = []
    for (const f of w) f()
  }

  write(text: string): void {
    this.#socket.write(text)
  }

  /** Next full line (without \n); undefined at EOF. */
  async line(timeoutMs = 5000): Promise<string | undefined> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const i = this.#buffer.indexOf("\n")
      if (i >= 0) {
        const l = this.#buffer.slice(0, i)
        this.#buffer = this.#buffer.slice(i + 1)
        return l
      }
      if (this.closed) return undefined
      const left = until - Date.now()
      if (left <= 0) throw new Error(`no reply line within ${timeoutMs} ms (buffer: ${JSON.stringify(this.#buffer)})`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  /** Send one request and return its first reply line. */
  async request(line: string): Promise<string | undefined> {
    this.write(line + "\n")
    return this.line()
  }

  /** Send a LIST request and return all lines up to END LIST (or the single ERR line). */
  async list(line: string): Promise<string[]> {
    this.write(line + "\n")
    const out: string[] = []
    for (;;) {
      const l = await this.line()
      if (l === undefined) return out
      out.push(l)
      if (l.startsWith("ERR ") && out.length === 1) return out
      if (l.startsWith("END LIST")) return out
    }
  }

  /** Wait for the server to close the connection. */
  async eof(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs
    while (!this.closed) {
      if (Date.now() > until) throw new Error("connection still open")
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, until - Date.now()))
        this.#waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  /** Upgrade to TLS after `OK STARTTLS`. */
  async startTls(ca: string, servername = "localhost"): Promise<void> {
    const raw = this.#socket as Socket
    raw.removeAllListeners("data")
    raw.removeAllListeners("close")
    const tls = await new Promise<TLSSocket>((resolve, reject) => {
      const t = tlsConnect({ socket: raw, ca, servername }, () => resolve(t))
      t.once("error", reject)
    })
    this.#socket = tls
    this.#listen(tls)
  }

  close(): void {
    this.#socket.destroy()
  }
}

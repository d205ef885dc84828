/**
 * The load generator's NUT connection: one request in flight at a time (no pipelining), replies
 * framed by line (GET) or up to `END LIST` (LIST), and a callback API so the client spends as little
 * of the shared 2 cores as it can.
 */
import { connect, type Socket } from "node:net"

/** How a reply ends: after one line, or at the `END LIST …` line (or a one-line `ERR …`). */
export type ReplyKind = "line" | "list"

type Done = (reply: string) => void

export class NutConn {
  readonly socket: Socket
  #buf = ""
  #kind: ReplyKind = "line"
  #done: Done | undefined
  #closed = false
  #onClose: (() => void) | undefined

  private constructor(socket: Socket) {
    this.socket = socket
    socket.setNoDelay(true) // like the asyncio client of the anchor figures: each request leaves at once
    socket.on("data", (chunk: Buffer) => this.#onData(chunk))
    socket.on("error", () => {}) // surfaces as "close"; a pending request fails there
    socket.on("close", () => {
      this.#closed = true
      const done = this.#done
      this.#done = undefined
      done?.(`ERR CLOSED ${this.#buf}`)
      this.#onClose?.()
    })
  }

  /** Connect to 127.0.0.1:port. */
  static open(port: number): Promise<NutConn> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port }, () => {
        s.off("error", reject)
        resolve(new NutConn(s))
      })
      s.once("error", reject)
    })
  }

  /** Callback form of {@link open}, for the churn loop. */
  static openCb(port: number, cb: (err: Error | undefined, conn?: NutConn) => void): void {
    const s = connect({ host: "127.0.0.1", port }, () => {
      s.off("error", fail)
      cb(undefined, new NutConn(s))
    })
    const fail = (err: Error): void => cb(err)
    s.once("error", fail)
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Send one request line and call `done` with the whole reply (lines joined by \n). */
  send(line: string, kind: ReplyKind, done: Done): void {
    if (this.#done) throw new Error("NutConn: a request is already in flight (pipelining is off)")
    if (this.#closed) {
      done("ERR CLOSED")
      return
    }
    this.#kind = kind
    this.#done = done
    this.socket.write(line + "\n")
  }

  /** Promise form of {@link send}. */
  request(line: string, kind: ReplyKind = "line"): Promise<string> {
    return new Promise((resolve) => this.send(line, kind, resolve))
  }

  /** Call `cb` once the peer has closed (or at once if it already has). */
  whenClosed(cb: () => void): void {
    if (this.#closed) cb()
    else this.#onClose = cb
  }

  destroy(): void {
    this.socket.destroy()
  }

  #onData(chunk: Buffer): void {
    this.#buf += chunk.toString("latin1")
    const end = this.#replyEnd()
    if (end < 0) return
    const reply = this.#buf.slice(0, end)
    this.#buf = this.#buf.slice(end + 1)
    const done = this.#done
    this.#done = undefined
    done?.(reply)
  }

  /** Index of the \n that ends the reply, or -1 while it is incomplete. */
  #replyEnd(): number {
    const buf = this.#buf
    if (this.#kind === "line") return buf.indexOf("\n")
    if (buf.charCodeAt(buf.length - 1) !== 10) return -1
    const lastStart = buf.lastIndexOf("\n", buf.length - 2) + 1
    if (buf.startsWith("END LIST", lastStart)) return buf.length - 1
    if (lastStart === 0 && buf.startsWith("ERR ")) return buf.length - 1
    return -1
  }
}

/**
 * An in-memory NUT server for tests: a `Dialer` whose replies come from a function, so client
 * code (and code built on it, like the monitor) can be tested without a port.
 */
import type { ClientTransport, Dialer, TransportEvents } from "./types.ts"

/** What the answer function sees about the connection. */
export interface ScriptedSession {
  /** True after STARTTLS was accepted and the (fake) handshake ran. */
  readonly tls: boolean
  /** 1-based number of this connection. */
  readonly connection: number
}

/**
 * Reply lines for one request line (without `\n`); a string is one line, `null` means no reply
 * at all (to provoke a timeout), `"<close>"` hangs up.
 */
export type ScriptedAnswer = (line: string, session: ScriptedSession) => readonly string[] | string | null

export interface ScriptedServer {
  readonly dialer: Dialer
  /** Every request line received, in order, over all connections. */
  readonly requests: string[]
  /** Connections opened so far. */
  readonly connections: number
  /** True when the client closed its last connection. */
  readonly clientClosed: boolean
}

export interface ScriptedServerOptions {
  /** Make the dialer fail like a refused TCP connect. @default false */
  readonly refuse?: boolean
  /** Make the fake TLS handshake fail. @default false */
  readonly failTls?: boolean
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Create a scripted server; `answer` is called for each complete request line. */
export function createScriptedServer(answer: ScriptedAnswer, options: ScriptedServerOptions = {}): ScriptedServer {
  const requests: string[] = []
  let connections = 0
  let clientClosed = false
  const dialer: Dialer = async (target, events) => {
    if (options.refuse) {
      throw Object.assign(new Error(`connect ECONNREFUSED ${target.host}:${target.port}`), { code: "ECONNREFUSED" })
    }
    connections++
    clientClosed = false
    return new ScriptedTransport(connections, events, answer, requests, options, () => {
      clientClosed = true
    })
  }
  return {
    dialer,
    requests,
    get connections() {
      return connections
    },
    get clientClosed() {
      return clientClosed
    },
  }
}

class ScriptedTransport implements ClientTransport {
  #partial = ""
  #tls = false
  #open = true
  readonly #number: number
  readonly #events: TransportEvents
  readonly #answer: ScriptedAnswer
  readonly #requests: string[]
  readonly #options: ScriptedServerOptions
  readonly #onClientClose: () => void

  constructor(
    number: number,
    events: TransportEvents,
    answer: ScriptedAnswer,
    requests: string[],
    options: ScriptedServerOptions,
    onClientClose: () => void,
  ) {
    this.#number = number
    this.#events = events
    this.#answer = answer
    this.#requests = requests
    this.#options = options
    this.#onClientClose = onClientClose
  }

  write(data: Uint8Array): void {
    if (!this.#open) return
    this.#partial += decoder.decode(data)
    let nl: number
    while ((nl = this.#partial.indexOf("\n")) >= 0) {
      const line = this.#partial.slice(0, nl)
      this.#partial = this.#partial.slice(nl + 1)
      this.#requests.push(line)
      const reply = this.#answer(line, { tls: this.#tls, connection: this.#number })
      if (reply === null) continue
      const lines = typeof reply === "string" ? [reply] : reply
      if (lines.includes("<close>")) {
        this.#hangUp()
        return
      }
      const bytes = encoder.encode(lines.map((l) => l + "\n").join(""))
      queueMicrotask(() => {
        if (this.#open) this.#events.data(bytes)
      })
    }
  }

  async startTls(): Promise<void> {
    if (this.#options.failTls) throw Object.assign(new Error("certificate verify failed"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" })
    this.#tls = true
  }

  close(): void {
    this.#onClientClose()
    this.#hangUp()
  }

  destroy(): void {
    this.close()
  }

  #hangUp(): void {
    if (!this.#open) return
    this.#open = false
    queueMicrotask(() => this.#events.closed())
  }
}

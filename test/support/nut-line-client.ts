/**
 * A minimal raw NUT protocol client for interop tests: sends request lines over TCP and reads
 * reply lines, with no knowledge of the protocol beyond "one line, or a BEGIN/END LIST block".
 * Deliberately independent of src/client so tests can compare our code against real upsd.
 */
import { createConnection, type Socket } from "node:net"

export interface NutLineClient {
  /** Send one request and return its one-line reply (without `\n`). */
  request(line: string): Promise<string>
  /**
   * Send a LIST request and return the lines between `BEGIN LIST …` and `END LIST …`; an `ERR …`
   * reply rejects with an error whose message is that line.
   */
  list(line: string): Promise<string[]>
  close(): void
}

/** Connect to a NUT server on 127.0.0.1:port. */
export async function connectNutLines(port: number, host = "127.0.0.1"): Promise<NutLineClient> {
  const socket: Socket = createConnection({ host, port })
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve)
    socket.once("error", reject)
  })
  socket.setEncoding("latin1")
  const lines: string[] = []
  const waiters: Array<(line: string | undefined) => void> = []
  let buffered = ""
  let closed = false
  socket.on("data", (chunk: string) => {
    buffered += chunk
    for (let i = buffered.indexOf("\n"); i >= 0; i = buffered.indexOf("\n")) {
      const line = buffered.slice(0, i)
      buffered = buffered.slice(i + 1)
      const waiter = waiters.shift()
      if (waiter) waiter(line)
      else lines.push(line)
    }
  })
  const end = (): void => {
    closed = true
    for (const w of waiters.splice(0)) w(undefined)
  }
  socket.on("close", end)
  socket.on("error", end)

  async function next(): Promise<string> {
    const line = lines.shift() ?? (closed ? undefined : await new Promise<string | undefined>((r) => waiters.push(r)))
    if (line === undefined) throw new Error(`Cannot read from 127.0.0.1:${port}: connection closed`)
    return line
  }

  return {
    async request(line) {
      socket.write(`${line}\n`)
      return next()
    },
    async list(line) {
      socket.write(`${line}\n`)
      const first = await next()
      if (!first.startsWith("BEGIN LIST ")) throw new Error(first)
      const out: string[] = []
      for (let l = await next(); !l.startsWith("END LIST "); l = await next()) out.push(l)
      return out
    },
    close() {
      socket.destroy()
    },
  }
}

/**
 * A minimal raw NUT protocol client for interop tests: sends request lines over TCP and reads
 * reply lines, with no knowledge of the protocol beyond "one line, or a BEGIN/END LIST block".
 * Deliberately independent of src/client so tests can compare our code against real upsd.
 */
import { LineClient } from "./line-client.ts"

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
  const client = await LineClient.open(port, host)
  const next = async (): Promise<string> => {
    const line = await client.line()
    if (line === undefined) throw new Error(`Cannot read from ${host}:${port}: connection closed`)
    return line
  }
  return {
    async request(line) {
      client.write(`${line}\n`)
      return next()
    },
    async list(line) {
      client.write(`${line}\n`)
      const first = await next()
      if (!first.startsWith("BEGIN LIST ")) throw new Error(first)
      const out: string[] = []
      for (let l = await next(); !l.startsWith("END LIST "); l = await next()) out.push(l)
      return out
    },
    close() {
      client.close()
    },
  }
}

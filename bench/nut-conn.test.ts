import { test } from "node:test"
import assert from "node:assert/strict"
import { createServer, type Socket } from "node:net"
import { NutConn } from "./nut-conn.ts"

/** A server that sends `reply` in pieces of 5 bytes, to test framing across reads. */
async function withServer(reply: string, run: (port: number) => Promise<void>): Promise<void> {
  const sockets = new Set<Socket>()
  const server = createServer((s) => {
    sockets.add(s)
    s.on("data", () => {
      for (let i = 0; i < reply.length; i += 5) s.write(reply.slice(i, i + 5))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const addr = server.address()
  try {
    await run(typeof addr === "object" && addr ? addr.port : 0)
  } finally {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
}

test("NutConn.request() waits for END LIST when the list arrives in pieces", async () => {
  const list = 'BEGIN LIST VAR ups\nVAR ups a "1"\nVAR ups b "2"\nEND LIST VAR ups\n'
  await withServer(list, async (port) => {
    const c = await NutConn.open(port)
    assert.equal(await c.request("LIST VAR ups", "list"), list.slice(0, -1))
    c.destroy()
  })
})

test("NutConn.request() ends a list request at a one-line ERR", async () => {
  await withServer("ERR UNKNOWN-UPS\n", async (port) => {
    const c = await NutConn.open(port)
    assert.equal(await c.request("LIST VAR nope", "list"), "ERR UNKNOWN-UPS")
    c.destroy()
  })
})

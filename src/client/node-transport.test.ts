import assert from "node:assert/strict"
import { createServer, type Socket } from "node:net"
import { test } from "node:test"
import { TLSSocket } from "node:tls"
import { fixture } from "../../test/support/fixture.ts"
import { freePort } from "../../test/support/real-nut.ts"
import { NutClientError } from "./errors.ts"
import { NutClient } from "./nut-client.ts"

const cert = fixture("tls/cert.pem")
const key = fixture("tls/key.pem")

/**
 * A minimal line server on loopback: NETVER → 1.3 (written in two pieces, to split the line),
 * STARTTLS → OK STARTTLS and a TLS server handshake, BYE → hang up.
 */
async function lineServer(host: string): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    serve(socket)
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, host, () => {
      const a = server.address()
      resolve(typeof a === "object" && a ? a.port : 0)
    })
  })
  return {
    port,
    stop() {
      const done = new Promise<void>((resolve) => server.close(() => resolve()))
      // close() waits for open clients, e.g. one a failing test left behind
      for (const s of sockets) s.destroy()
      return done
    },
  }
}

function serve(stream: Socket | TLSSocket): void {
  let buf = ""
  const onData = (chunk: Buffer): void => {
    buf += chunk.toString("utf8")
    let nl: number
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      if (line === "NETVER") {
        stream.write("1.")
        setImmediate(() => stream.write("3\n"))
      } else if (line === "STARTTLS") {
        stream.write("OK STARTTLS\n")
        stream.off("data", onData)
        serve(new TLSSocket(stream, { isServer: true, cert, key }))
      } else if (line.startsWith("GET VAR BYE")) stream.destroy()
      else if (line === "LOGOUT") stream.end("OK Goodbye\n")
      else stream.write("ERR UNKNOWN-COMMAND\n")
    }
  }
  stream.on("data", onData)
  stream.on("error", () => {})
}

test("nodeDialer connects over TCP and reassembles split lines", async () => {
  const { port, stop } = await lineServer("127.0.0.1")
  const client = await NutClient.connect({ host: "127.0.0.1", port })
  assert.equal(await client.netver(), "1.3")
  await client.logout()
  await stop()
})

test("nodeDialer connects to an IPv6 literal", async (t) => {
  let srv: { port: number; stop(): Promise<void> }
  try {
    srv = await lineServer("::1")
  } catch {
    t.skip("no IPv6 loopback on this machine")
    return
  }
  const client = await NutClient.connect({ host: "::1", port: srv.port })
  assert.equal(await client.netver(), "1.3")
  client.close()
  await srv.stop()
})

test("nodeDialer runs STARTTLS and verifies the server against a given CA", async () => {
  const { port, stop } = await lineServer("127.0.0.1")
  const client = await NutClient.connect({ host: "127.0.0.1", port, tls: "require", tlsOptions: { ca: cert } })
  assert.equal(client.secure, true)
  assert.equal(await client.netver(), "1.3")
  await client.logout()
  await stop()
})

test("nodeDialer fails STARTTLS with code tls-failed when the certificate does not match", async () => {
  const { port, stop } = await lineServer("127.0.0.1")
  await assert.rejects(
    NutClient.connect({ host: "127.0.0.1", port, tls: "try", tlsOptions: { ca: cert, servername: "wrong.example" } }),
    (e: unknown) => e instanceof NutClientError && e.code === "tls-failed",
  )
  await stop()
})

test("nodeDialer reports a refused port as connect-failed", async () => {
  const port = await freePort()
  await assert.rejects(NutClient.connect({ host: "127.0.0.1", port }), (e: unknown) => {
    assert.ok(e instanceof NutClientError)
    assert.equal(e.code, "connect-failed")
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`))
    return true
  })
})

test("nodeDialer reports a server hang-up as closed", async () => {
  const { port, stop } = await lineServer("127.0.0.1")
  const client = await NutClient.connect({ host: "127.0.0.1", port })
  await assert.rejects(client.getVar("BYE", "x.y"), (e: unknown) => e instanceof NutClientError && e.code === "closed")
  await stop()
})

import { test } from "node:test"
import assert from "node:assert/strict"
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { connectUnixSocket, listenUnixSocket } from "./node-socket.ts"
import type { SocketLink } from "./types.ts"

function lineCollector(): { lines: string[]; handlers: { onData(b: Uint8Array): void; onClose(): void }; closed: Promise<void> } {
  const lines: string[] = []
  let close = (): void => {}
  const closed = new Promise<void>((resolve) => (close = resolve))
  return {
    lines,
    closed,
    handlers: { onData: (b) => lines.push(...new TextDecoder().decode(b).split("\n").filter((l) => l !== "")), onClose: () => close() },
  }
}

test("listenUnixSocket() and connectUnixSocket() carry lines both ways, 0660, and clean up", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-sock-"))
  const path = join(dir, "dummy-ups-rack")
  try {
    const server = lineCollector()
    let accepted: SocketLink | undefined
    const listener = await listenUnixSocket(path, (link) => {
      accepted = link
      return server.handlers
    })
    assert.equal(statSync(path).mode & 0o777, 0o660)
    const client = lineCollector()
    const link = await connectUnixSocket(path, client.handlers)
    link.write("DUMPALL\n")
    while (server.lines.length === 0) await new Promise((r) => setImmediate(r))
    assert.deepEqual(server.lines, ["DUMPALL"])
    accepted?.write("DUMPDONE\n")
    while (client.lines.length === 0) await new Promise((r) => setImmediate(r))
    assert.deepEqual(client.lines, ["DUMPDONE"])
    await listener.close()
    await client.closed
    assert.equal(link.write("PING\n"), false)
    assert.throws(() => statSync(path), { code: "ENOENT" })
    await assert.rejects(connectUnixSocket(path, lineCollector().handlers), { code: "ENOENT" })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("listenUnixSocket() replaces a dead driver's socket but never a regular file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-sock-"))
  const path = join(dir, "dummy-ups-rack")
  try {
    const first = await listenUnixSocket(path, () => lineCollector().handlers)
    // a second listener on the same path takes over, as a restarted driver does
    const second = await listenUnixSocket(path, () => lineCollector().handlers)
    await second.close()
    await first.close()
    writeFileSync(path, "not a socket")
    await assert.rejects(listenUnixSocket(path, () => lineCollector().handlers), { code: "EADDRINUSE" })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

/**
 * node:net unix sockets for the driver socket protocol (the runtime edge; Deno and Bun run it
 * through their node:net compatibility).
 */
import { chmod, lstat, unlink } from "node:fs/promises"
import { createConnection, createServer, type Socket } from "node:net"
import type { SocketConnect, SocketHandlers, SocketLink, SocketListen } from "./types.ts"

/** Connect to a driver's socket (upsd side). */
export const connectUnixSocket: SocketConnect = (path, handlers) =>
  new Promise((resolve, reject) => {
    const socket = createConnection({ path })
    const failed = (err: Error): void => reject(err)
    socket.once("error", failed)
    socket.once("connect", () => {
      socket.off("error", failed)
      resolve(wrap(socket, handlers))
    })
  })

/**
 * Listen as a driver does (drivers/dstate.c sock_open): a stale socket file left by a dead
 * driver is removed first, the socket is made 0660 so a upsd of the same group can connect.
 * Anything else at `path` makes listening fail.
 */
export const listenUnixSocket: SocketListen = async (path, accept) => {
  await removeStaleSocket(path)
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
    const link = wrap(socket, {
      onData: (bytes) => handlers.onData(bytes),
      onClose: () => handlers.onClose(),
    })
    const handlers = accept(link)
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(path, () => {
      server.off("error", reject)
      resolve()
    })
  })
  await chmod(path, 0o660)
  return {
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await removeStaleSocket(path)
    },
  }
}

function wrap(socket: Socket, handlers: SocketHandlers): SocketLink {
  let closed = false
  socket.on("data", (data: Uint8Array) => handlers.onData(data))
  socket.on("error", () => {}) // "close" follows and reports it
  socket.once("close", () => {
    closed = true
    handlers.onClose()
  })
  return {
    write(text) {
      if (closed || !socket.writable) return false
      socket.write(text)
      return true
    },
    close() {
      socket.destroy()
    },
  }
}

async function removeStaleSocket(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isSocket()) await unlink(path)
  } catch {
    // nothing there
  }
}

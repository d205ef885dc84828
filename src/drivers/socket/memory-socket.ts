import type { SocketConnect, SocketHandlers, SocketLink, SocketListen, SocketListener } from "./types.ts"

/**
 * Unix sockets without files: listeners keyed by path, links as in-memory pairs. Delivery is
 * asynchronous (a microtask), like a real socket, so a handler may write back from `onData`.
 * For tests, and for wiring a SocketDriver to a DriverSocketServer in one process.
 */
export class MemorySocketNetwork {
  readonly #listeners = new Map<string, (link: SocketLink) => SocketHandlers>()
  readonly #open = new Map<string, Set<SocketLink>>()

  /** Like connect(2): fails with ENOENT when nothing listens at `path`. */
  readonly connect: SocketConnect = async (path, handlers) => {
    const accept = this.#listeners.get(path)
    if (accept === undefined) throw new Error(`connect ${path}: No such file or directory`)
    const [client, server] = linkPair(handlers)
    const links = this.#open.get(path)
    links?.add(server.link)
    server.attach(accept(server.link), () => links?.delete(server.link))
    return client.link
  }

  readonly listen: SocketListen = async (path, accept) => {
    if (this.#listeners.has(path)) throw new Error(`bind ${path}: Address already in use`)
    this.#listeners.set(path, accept)
    const links = new Set<SocketLink>()
    this.#open.set(path, links)
    const listener: SocketListener = {
      close: async () => {
        if (this.#listeners.get(path) !== accept) return
        this.#listeners.delete(path)
        this.#open.delete(path)
        for (const link of [...links]) link.close()
      },
    }
    return listener
  }

  /** Whether something listens at `path`. */
  has(path: string): boolean {
    return this.#listeners.has(path)
  }
}

interface End {
  readonly link: SocketLink
  attach(handlers: SocketHandlers, onClose?: () => void): void
}

/** Two connected ends; the first gets `handlers` now, the second via `attach`. */
function linkPair(handlers: SocketHandlers): [End, End] {
  const encoder = new TextEncoder()
  let closed = false // no more writes
  let gone = false // onClose delivered: data still in flight is dropped, as after a reset
  const sides: Array<{ handlers: SocketHandlers | undefined; extraClose: (() => void) | undefined }> = [
    { handlers, extraClose: undefined },
    { handlers: undefined, extraClose: undefined },
  ]
  const close = (): void => {
    if (closed) return
    closed = true
    queueMicrotask(() => {
      gone = true
      for (const side of sides) {
        side.extraClose?.()
        side.handlers?.onClose()
      }
    })
  }
  const makeLink = (to: number): SocketLink => ({
    write(text) {
      if (closed) return false
      const bytes = encoder.encode(text)
      queueMicrotask(() => {
        if (!gone) sides[to]?.handlers?.onData(bytes)
      })
      return true
    },
    close,
  })
  const ends: [End, End] = [
    { link: makeLink(1), attach: () => {} },
    {
      link: makeLink(0),
      attach(h, onClose) {
        const side = sides[1]
        if (side) {
          side.handlers = h
          side.extraClose = onClose
        }
      },
    },
  ]
  return ends
}

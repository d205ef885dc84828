/**
 * The C floor server's counterpart on Bun, the runtime the nutctl binary is built on: `Bun.listen`,
 * one fixed reply (`VAR ups ups.status "OL"`) per read, TCP_NODELAY as nutctl sets it. What it costs
 * per request above the C servers is the runtime's own floor, which no JavaScript server on Bun can
 * go under; what nutctl costs above it is nutctl's own work.
 *
 *   bun bench/reference/line-server.bun.ts PORT
 *
 * A measuring stick, not a server: 127.0.0.1 only, no limits. Started by bench:floor / bench:tail.
 */
interface FloorSocket {
  setNoDelay(on: boolean): void
  write(bytes: Uint8Array): number
}
interface FloorBun {
  listen(options: {
    hostname: string
    port: number
    socket: { open(s: FloorSocket): void; data(s: FloorSocket, chunk: Uint8Array): void; close(): void; error(): void }
  }): unknown
}

const bun = (globalThis as { Bun?: FloorBun }).Bun
if (!bun) throw new Error("line-server.bun.ts runs on Bun: node_modules/.bin/bun bench/reference/line-server.bun.ts PORT")
const reply = new TextEncoder().encode('VAR ups ups.status "OL"\n')
bun.listen({
  hostname: "127.0.0.1",
  port: Number(process.argv[2]),
  socket: {
    open: (s) => s.setNoDelay(true),
    data: (s) => void s.write(reply),
    close() {},
    error() {},
  },
})

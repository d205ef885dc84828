/** upsd's side of the NUT driver socket: a UpsState fed by a real NUT driver process. */
export { SocketDriver, type SocketDriverOptions, type SocketTrackingMode } from "./socket-driver.ts"
/** The driver's side of the NUT driver socket: one UpsState served to real upsd processes. */
export { DriverSocketServer, type DriverSocketServerOptions } from "./driver-socket-server.ts"
/** How one driver → upsd line changes a UpsState (upsd's parse_args()). */
export { applyDriverLine, type DriverLine } from "./apply-driver-line.ts"
/** Driver → upsd lines: the DUMPALL answer and the broadcast of one change. */
export { formatChange, formatDump } from "./driver-lines.ts"
/** Unix sockets over node:net. */
export { connectUnixSocket, listenUnixSocket } from "./node-socket.ts"
/** Unix sockets in memory, for tests and in-process wiring. */
export { MemorySocketNetwork } from "./memory-socket.ts"
/** Socket and timer contracts. */
export {
  REAL_TIMERS,
  type SocketConnect,
  type SocketHandlers,
  type SocketLink,
  type SocketListen,
  type SocketListener,
  type SocketTimers,
} from "./types.ts"

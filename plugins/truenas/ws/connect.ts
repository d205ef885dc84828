/**
 * Which WebSocket to use: the runtime's own (Node ≥ 22, Deno, Bun) when the connection needs no
 * TLS option, else — and on Node 20, which has none — the node:http upgrade client, which also
 * pins a certificate or trusts a given CA (the standard WebSocket API has no TLS options, and a
 * TrueNAS usually has a self-signed certificate).
 */
import { globalWebSocket, openGlobalWebSocket } from "./global-client.ts"
import { openNodeWebSocket } from "./node-client.ts"
import type { WsConnectOptions, WsConnector } from "./types.ts"

/** `global` or `node`, for these options on this runtime. */
export function webSocketKind(options: Pick<WsConnectOptions, "tls">, hasGlobal = globalWebSocket() !== undefined): "global" | "node" {
  const needsTls = options.tls?.ca !== undefined || options.tls?.fingerprint !== undefined
  return hasGlobal && !needsTls ? "global" : "node"
}

/** The default connector. */
export const connectWebSocket: WsConnector = (url, options) => (webSocketKind(options) === "global" ? openGlobalWebSocket(url, options) : openNodeWebSocket(url, options))

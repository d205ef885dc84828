/** The WebSocket the middleware clients use, whichever implementation is behind it. */
import type { Clock } from "../../../src/shutdown/index.ts"

/** Why a connection ended. */
export interface WsCloseInfo {
  readonly code: number
  readonly reason: string
  /** A close handshake happened; false when the TCP connection just went away (a NAS powering off). */
  readonly clean: boolean
}

/** An open WebSocket carrying text messages. */
export interface WsConnection {
  send(text: string): void
  /** Start the close handshake (or drop the socket if that is not possible). */
  close(code?: number, reason?: string): void
  /** Receives every text message, including any that arrived before it was set. */
  setHandlers(handlers: { readonly message: (text: string) => void; readonly close: (info: WsCloseInfo) => void }): void
  readonly isOpen: boolean
}

/** How to reach the server. */
export interface WsConnectOptions {
  /** For wss://: trust this CA (PEM), and/or accept exactly this certificate (SHA-256, AA:BB:…). */
  readonly tls?: { readonly ca?: string; readonly fingerprint?: string }
  readonly timeoutMs: number
  readonly clock: Clock
  readonly signal?: AbortSignal
}

/** Opens connections (the node: client, the runtime's WebSocket, a fake). */
export type WsConnector = (url: URL, options: WsConnectOptions) => Promise<WsConnection>

/** The connection could not be opened. `status` is set when the server answered HTTP without upgrading (404: no such endpoint). */
export class WsConnectError extends Error {
  readonly code = "WS_CONNECT"
  readonly status: number | undefined
  constructor(url: URL, detail: string, options: ErrorOptions & { status?: number } = {}) {
    super(`Cannot open WebSocket ${url.origin}${url.pathname}: ${detail}`, options)
    this.name = "WsConnectError"
    this.status = options.status
  }
}

/** A NUT protocol client: one session with upsd or nutctl (GET, LIST, SET, INSTCMD, TRACKING, FSD, STARTTLS). */
export { DEFAULT_NUT_PORT, DEFAULT_TIMEOUT_MS, NutClient } from "./nut-client.ts"
/** Connection failures with a stable code (connect-failed, timeout, closed, protocol, tls-failed, invalid-request). */
export { NUT_CLIENT_ERROR_CODES, NutClientError, formatHostPort, type NutClientErrorCode } from "./errors.ts"
/** Pure reply decoding (libupsclient's checks), usable without a socket. */
export { decodeType, getReply, lineReply, listReply, okReply, splitReply, throwIfErr, trackingReply, type ReplyDecoder, type ReplyStep } from "./reply.ts"
/** TRACKING poll defaults (upsrw/upscmd: once a second, 10 s). */
export { DEFAULT_TRACKING_WAIT_MS, TRACKING_POLL_MS } from "./tracking.ts"
/** The node:net / node:tls dialer (the default). */
export { nodeDialer } from "./node-transport.ts"
/** An in-memory scripted NUT server (a Dialer) for tests without a port. */
export { createScriptedServer, type ScriptedAnswer, type ScriptedServer, type ScriptedServerOptions, type ScriptedSession } from "./scripted-server.ts"
/** Client contracts: results, options, transport. */
export type {
  ClientClock,
  ClientTlsOptions,
  ClientTransport,
  DialTarget,
  Dialer,
  NutClientOptions,
  NutRange,
  NutVar,
  TrackingResult,
  TransportEvents,
  UpsSummary,
  VarType,
  WriteOptions,
  WriteOutcome,
} from "./types.ts"

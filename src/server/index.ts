/** Server-facing configuration contracts. */
export { DEFAULT_SERVER_SETTINGS, type ListenAddress, type ServerSettings, type TlsSettings, type UserRecord } from "./types.ts"
/** The upsd-compatible NUT server. */
export { NutServer, IDLE_TIMEOUT_MS, formatAddress, type NutServerOptions, type ServerLog } from "./server.ts"
/** A UPS as the server publishes it, and server identity strings. */
export { SERVER_IDENTITY, ServerContext, type ClientInfo, type ServedUps } from "./context.ts"
/** One client's protocol state and byte framing (socket-free). */
export { Session, finishReply, MAX_REPLY_LINE } from "./session.ts"
export { RequestStream, type StreamAction } from "./request-stream.ts"
/** Allowed-network checks. */
export { CidrError, isAllowed, parseNetwork } from "./acl.ts"
/** TRACKING results. */
export { TrackingStore, type TrackingAnswer } from "./tracking.ts"
/** nutctl's push extension: per-connection subscriptions (NUTCTL PUSH). */
export { PushChannel, pushLine } from "./push.ts"

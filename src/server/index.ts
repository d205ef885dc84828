/** Server-facing configuration contracts. */
export { DEFAULT_SERVER_SETTINGS, type ListenAddress, type ServerSettings, type TlsSettings, type UserRecord } from "./types.ts"

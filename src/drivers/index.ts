/** Driver contract shared by dummy-ups, usbhid and upstream drivers. */
export type { Driver, DriverLog } from "./types.ts"

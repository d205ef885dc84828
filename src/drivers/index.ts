/** Driver contract shared by dummy-ups, usbhid and upstream drivers. */
export type { Driver, DriverLog } from "./types.ts"
/** NUT 2.8.0 dummy-ups replay of `.dev`/`.seq` files, its pure file parser and its errors. */
export {
  DUMMY_DRIVER_ERROR_CODES,
  DUMMY_MODES,
  DummyDriver,
  DummyDriverError,
  applyDummySetvar,
  parseDummyFile,
  type DummyDriverErrorCode,
  type DummyDriverOptions,
  type DummyFile,
  type DummyFileProblem,
  type DummyMode,
  type DummyStep,
} from "./dummy/index.ts"
/** A section's driver options checked without starting the driver (for config checks). */
export { GENERIC_DRIVER_OPTIONS, checkDriverOptions, type DriverOptionProblem, type DriverOptionReport } from "./driver-options.ts"
/** Build a driver from a ups.conf section (real NUT driver processes for what nutctl does not run). */
export {
  DEFAULT_STATEPATH,
  EXTERNAL_DRIVERS_KEY,
  DriverCapabilityError,
  SUPPORTED_DRIVERS,
  UnsupportedDriverError,
  createDriver,
  driverSocketPath,
  isExternalUps,
  type DriverCapabilities,
  type DriverSpec,
} from "./registry.ts"
/** NUT's usbhid-ups: APC, CyberPower, Eaton/MGE and generic HID Power Device subdrivers on an injected HidOpener. */
export {
  DeviceCriteriaError,
  HidMapper,
  SUBDRIVERS,
  SubdriverDefinitionError,
  UsbHidDriver,
  UsbHidOptionError,
  USBHID_OPTION_NAMES,
  bindSubdriver,
  chooseSubdriver,
  commandNames,
  composeStatus,
  createDeviceMatcher,
  defineSubdriver,
  delayFrom,
  parseUsbHidOptions,
  type Binding,
  type Conversion,
  type DeviceCriteria,
  type StatusOptions,
  type Subdriver,
  type SubdriverDefinition,
  type UsbHidClock,
  type UsbHidDriverOptions,
  type UsbHidOptions,
} from "./usbhid/index.ts"
/** The NUT driver ↔ upsd socket, both halves: SocketDriver (upsd side), DriverSocketServer (driver side). */
export {
  DriverSocketServer,
  MemorySocketNetwork,
  SocketDriver,
  connectUnixSocket,
  listenUnixSocket,
  type DriverSocketServerOptions,
  type SocketDriverOptions,
  type SocketTimers,
  type SocketTrackingMode,
} from "./socket/index.ts"

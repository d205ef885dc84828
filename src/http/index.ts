/** The HTTP layer on :9199: Prometheus metrics (nut_exporter-compatible), JSON API, SSE events. */
/** Contracts: UPS readings and directories, writes, and read-only views of server, monitor, plan. */
export type {
  CommInfo,
  CommandReading,
  Credentials,
  DriverStats,
  HttpUser,
  MonitorSnapshot,
  MonitorView,
  ServerView,
  ShutdownView,
  SupplyView,
  UpsAvailability,
  UpsChange,
  UpsControl,
  UpsDirectory,
  UpsReading,
  VarReading,
  VarTypeInfo,
  WriteReply,
} from "./types.ts"
/** The hono app (testable with `app.request()`, served by cli/_http.ts). */
export { createHttpApp, type HttpAppOptions } from "./app.ts"
/** The primary's directory over this process's UpsStates. */
export { createLocalDirectory, readLocal, type LocalDirectoryOptions, type LocalUps } from "./local-directory.ts"
/** A secondary's directory: a polled NUT server, with its comm state. */
export { createNutPoller, type NutPoller, type NutPollerOptions } from "./nut-poller.ts"
/** One-off reads of a NUT server (`?server=`), and the NUT connect capability. */
export { connectNut, fetchNutDirectory, type NutConnect, type NutTarget } from "./nut-read.ts"
/** Writes through an in-process server session (primary) or a NUT client session (secondary). */
export { createClientControl, createSessionControl, DEFAULT_WRITE_WAIT_MS, type ClientControlOptions, type NutSessionLike, type SessionControlOptions } from "./control.ts"
/** Events: the EventSource hook (the event store implements it) and the in-memory hub. */
export { createEventHub, EVENT_KINDS, matchesEvent, type EventBody, type EventHub, type EventHubOptions, type EventQuery, type EventSource, type HttpEvent, type MonitorEvent, type MonitorRecordLike } from "./events.ts"
/** Basic / bearer authentication with NUT users and upsd's rights. */
export { authenticate, mayWrite, type AuthResult, type HttpToken, type WriteRight } from "./auth.ts"
/** nut_exporter's rules: options, defaults, families. */
export {
  DEFAULT_EXPORTER_OPTIONS,
  DEVICE_LABELS,
  NUT_EXPORTER_DEFAULT_STATUSES,
  NUT_EXPORTER_DEFAULT_VARIABLES,
  NUT_EXPORTER_OFF_REGEX,
  NUT_EXPORTER_ON_REGEX,
  compileGoRegex,
  exporterFamilies,
  type ExportedVariable,
  type ExporterOptions,
} from "./exporter.ts"
/** Metric families as data and their text rendering (prom-client). */
export { PROMETHEUS_CONTENT_TYPE, renderFamilies, type MetricFamily, type MetricSample } from "./metric-family.ts"
/** Process metrics (prom-client's default collectors). */
export { processMetricsText } from "./process-metrics.ts"
/** The `http:` config section. */
export { DEFAULT_HTTP_PORT, exporterOptionsFrom, httpConfigSchema, type HttpConfig } from "./config.ts"
/** The event stream path. */
export { EVENT_STREAM_PATH } from "./sse.ts"
/** Event history kept in the store: the persisted EventSource, and how events are stored and worded. */
export { describeEvent, fromStored, openEventHistory, toStored, type EventHistory, type EventHistoryOptions, type NoteInput } from "./dashboard/event-history.ts"
/** The sampled power history (charge, runtime, load, voltages) per UPS. */
export { createPowerSeries, type PowerPoint, type PowerSeries, type PowerSeriesOptions, type SeriesQuery, type SeriesStorage } from "./dashboard/power-series.ts"
/** `since`/`until` text: `6h`, `7d`, ms since the epoch, an ISO date. */
export { parseSince } from "./dashboard/history-routes.ts"

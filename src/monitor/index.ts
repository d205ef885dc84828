/**
 * upsmon as pure state machines (README "Architecture"): `nextHostState(state, event, { now, config })`
 * returns the next state and the effects (notify, FSD, NUMLOGINS, timers, shutdown) as data; the
 * loop that owns the connections and the Clock carries them out.
 */
/** Monitor contracts: config, poll results, effects, records, the clock. */
export type {
  Clock,
  DecisionCode,
  DecisionRecord,
  FlagFile,
  LogLevel,
  MonitorConfig,
  MonitorEffect,
  MonitorLogger,
  MonitorRecord,
  NotifyRecord,
  PollOptions,
  PollResult,
  RuntimeBudgetCheck,
  RuntimeReading,
  ShellResult,
  ShellRunner,
  ShutdownHandler,
  ShutdownReport,
  ShutdownRequest,
  SupplyConfig,
  SupplyLink,
  TimerId,
} from "./types.ts"
/** upsmon's notify types, stock messages and default flags. */
export { NOTIFY_DEFAULTS, NOTIFY_TYPES, NOTIFY_TYPES_2_8_0, notifyFlagsOf, notifyTypeOf, type NotifyFlags, type NotifyType } from "./notify-types.ts"
/** Notification messages, records and the NOTIFYCMD invocation. */
export { formatNotifyMessage, notifyCommand, notifyRecord, type NotifyCommand, type NotifyInit } from "./notify.ts"
/** One supply's state and its machine (status parsing, COMMBAD/NOCOMM, DEADTIME). */
export { createSupplyState, type CommState, type LineState, type SupplyFlags, type SupplyState } from "./supply-state.ts"
export { nextSupplyState, type MonitorEnv, type SupplyEvent, type Transition } from "./supply-machine.ts"
/** upsmon 2.8.0's critical decision and MINSUPPLIES sum. */
export { powerSum, supplyVerdict, type CriticalVerdict, type PowerSum } from "./critical.ts"
/** The host machine: recalc, poll interval, FSD / NUMLOGINS / FINALDELAY sequence. */
export { NUMLOGINS_INTERVAL_MS, POWERDOWNFLAG_CONTENT, createHostState, nextHostState, type HostEvent, type HostPhase, type HostState, type SupplyPoll } from "./host-machine.ts"
/** MonitorConfig from upsmon.conf or a nutctl role. */
export {
  UPSMON_DEFAULTS,
  monitorConfigFromNutctl,
  monitorConfigFromUpsmonConf,
  notifySettings,
  type NutctlMonitorOptions,
  type NutctlMonitorSource,
  type NutctlMonitorTarget,
  type UpsmonConfSource,
} from "./monitor-config.ts"
/** upssched.conf, parsed. */
export { parseUpsschedConf, type UpsschedAction, type UpsschedConf, type UpsschedRule } from "./upssched-conf.ts"
/** upssched's timers as a pure table. */
export {
  createUpsschedState,
  isUpsschedCommand,
  nextUpsschedDue,
  nextUpsschedState,
  type UpsschedEffect,
  type UpsschedEnv,
  type UpsschedEvent,
  type UpsschedState,
  type UpsschedTimer,
} from "./upssched.ts"
/** Run the host machine against a scripted world in virtual time (tests, drills). */
export { simulateHost, type SimulateOptions, type SimulateResult, type TimedEffect } from "./simulate.ts"
/** Typed errors of monitor config files. */
export { MONITOR_ERROR_CODES, MonitorConfigError, type MonitorConfigProblem, type MonitorErrorCode } from "./errors.ts"
/** The loop: polls through SupplyLinks, carries out the effects, hands over to the shutdown. */
export { MonitorLoop, createMonitorLoop, type MonitorLoopOptions, type MonitorOutcome } from "./loop.ts"
/** Notification delivery (SYSLOG, WALL, NOTIFYCMD, built-in upssched). */
export { Notifier, type NotifierOptions } from "./notifier.ts"
/** A supply on a NUT server, reached as upsmon reaches it. */
export { createNetworkLink, type NetworkLinkOptions } from "./network-link.ts"
/** The local shortcut: a supply served by this process, read in memory. */
export { createLocalLink, type LocalLinkOptions, type LocalUps } from "./local-link.ts"
/** POWERDOWNFLAG as upsmon writes, clears and checks it. */
export { clearPowerDownFlag, powerDownFlagStatus, writePowerDownFlag, type PowerDownFlagStatus } from "./powerdown-flag.ts"
/** The shutdown hand-off through executor plans (SHUTDOWNCMD = the command executor). */
export { configuredExecutor, executorShutdownHandler, type ConfiguredExecutor, type ExecutorShutdownOptions } from "./shutdown-handler.ts"
/** Real time. */
export { systemClock } from "./system-clock.ts"
/** node: capabilities for the CLI: shell, wall, POWERDOWNFLAG file. */
export { nodeFlagFile, nodeShellRunner, nodeWall } from "./node-io.ts"
/** Killpower: `upsmon -K` + `upsdrvctl shutdown` + POWEROFF_WAIT, on capabilities. */
export {
  KILLPOWER_CHAIN,
  killpowerChain,
  killpowerDecision,
  runKillpower,
  type KillpowerAnswer,
  type KillpowerDecision,
  type KillpowerFlag,
  type KillpowerOptions,
  type KillpowerOutcome,
  type KillpowerRoute,
  type KillpowerSession,
  type KillpowerTarget,
  type KillpowerUpsResult,
} from "./killpower.ts"
/** Killpower's routes to a UPS: the running server over NUT, or the device through its driver. */
export { driverKillpowerRoute, nutKillpowerRoute, type DriverKillpowerRouteOptions, type NutKillpowerRouteOptions } from "./killpower-routes.ts"

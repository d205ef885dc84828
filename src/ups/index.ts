/** The NUT data model: variables, commands, status and freshness of one UPS. */
export { UpsState, compareNames, type UpsStateOptions } from "./ups-state.ts"
/** A NUT variable and its `GET TYPE` description. */
export { describeType, newVariable, type UpsVariable, type VarFlag } from "./variable.ts"
/** Status word parsing and human wording. */
export { STATUS_WORDS, describeStatus, hasStatusWord, parseStatus, withFsd, type StatusWord } from "./status.ts"
/** cmdvartab descriptions for GET DESC / GET CMDDESC. */
export { NO_DESCRIPTION, describeCommand, describeVariable } from "./descriptions.ts"
/** Shared contracts: driver writes, availability, change events. */
export type { Availability, Now, StateChange, UpsWriter, WriteResult } from "./types.ts"
/** The clock contract and real time. */
export { systemClock, type Clock } from "./clock.ts"

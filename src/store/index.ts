/**
 * nutctl's persistent state on unstorage (README "Architecture"): the shutdown journal, learned durations,
 * executor state kept across a power cut, and the event history.
 */
/** Store contracts: namespaces, events, JSON values. */
export type { EventLog, JsonValue, Namespace, NutctlStore, StoredEvent } from "./types.ts"
/** Open the store (fs driver in a directory, or any unstorage driver). */
export { createStore, storeKey, type CreateStoreOptions } from "./create-store.ts"

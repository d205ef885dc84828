/**
 * `createStore`: nutctl's unstorage instance with its namespaces. The fs driver (one JSON file per
 * key, `journal:pve1` → DIR/journal/pve1) is the default because the shutdown journal must survive
 * a daemon restart; tests and `--simulate` pass the memory driver.
 */
import { createStorage, type Driver, type Storage } from "unstorage"
import fsDriver from "unstorage/drivers/fs"
import type { EventLog, JsonValue, Namespace, NutctlStore, StoredEvent } from "./types.ts"

export interface CreateStoreOptions {
  /** An unstorage driver (memory in tests). Wins over `dir`. */
  readonly driver?: Driver
  /** Directory for the fs driver (`/var/lib/nutctl`). Without it and without `driver`: memory only. */
  readonly dir?: string
  /** Events kept per day bucket; the oldest go first. @default 10000 */
  readonly maxEventsPerDay?: number
}

/** Characters a key segment keeps; others become `_` (the fs driver turns `:` into directories). */
const UNSAFE = /[^A-Za-z0-9._:@-]/g
const DAY_MS = 86_400_000

/**
 * Open the store.
 * @example
 * const store = createStore({ dir: "/var/lib/nutctl" })
 * await store.durations.set("proxmox:guest-101", { samples: [] })
 */
export function createStore(options: CreateStoreOptions = {}): NutctlStore {
  const driver = options.driver ?? (options.dir !== undefined ? fsDriver({ base: options.dir }) : undefined)
  const storage = createStorage<JsonValue>(driver === undefined ? {} : { driver })
  return {
    journal: namespace(storage, "journal"),
    durations: namespace(storage, "durations"),
    executors: namespace(storage, "executors"),
    budgets: namespace(storage, "budgets"),
    events: eventLog(storage, options.maxEventsPerDay ?? 10_000),
    persistent: driver !== undefined && driver.name !== "memory",
    dispose: () => storage.dispose(),
  }
}

/**
 * A key as the store writes it: unsafe characters replaced, `..` refused (the fs driver would
 * leave its directory).
 * @throws Error for an empty key or one with a `.`/`..` segment
 */
export function storeKey(key: string): string {
  const safe = key.replace(/[/\\]/g, ":").replace(UNSAFE, "_").replace(/:+/g, ":").replace(/^:|:$/g, "")
  if (safe === "" || safe.split(":").some((s) => s === "." || s === "..")) throw new Error(`Cannot use store key ${JSON.stringify(key)}: it is empty or has a . or .. segment`)
  return safe
}

function namespace<T extends JsonValue>(storage: Storage<JsonValue>, name: string): Namespace<T> {
  const full = (key: string): string => `${name}:${storeKey(key)}`
  return {
    name,
    async get(key) {
      const v = (await storage.getItem<T>(full(key))) as T | null | Error
      // unstorage's fs driver resolves a read error other than ENOENT/EISDIR (EACCES, ENOTDIR) as the
      // Error object itself instead of rejecting: a reader must hear that it could not read
      if (v instanceof Error) throw v
      return v === null ? undefined : v
    },
    set: (key, value) => storage.setItem(full(key), value),
    remove: (key) => storage.removeItem(full(key)),
    async keys() {
      const keys = await storage.getKeys(name)
      return keys.map((k) => k.slice(name.length + 1)).sort()
    },
  }
}

function eventLog(storage: Storage<JsonValue>, maxPerDay: number): EventLog {
  const days = namespace<StoredEvent[] & JsonValue>(storage, "events")
  // appends are read-modify-write on one bucket: one at a time
  let queue: Promise<unknown> = Promise.resolve()
  return {
    append(event) {
      const next = queue.then(async () => {
        const day = dayOf(event.at)
        const bucket = ((await days.get(day)) ?? []) as StoredEvent[]
        const updated = [...bucket, event].slice(-maxPerDay)
        await days.set(day, updated as StoredEvent[] & JsonValue)
      })
      queue = next.catch(() => {})
      return next
    },
    async list(query = {}) {
      const since = query.since ?? -Infinity
      const until = query.until ?? Infinity
      const out: StoredEvent[] = []
      for (const day of await days.keys()) {
        const start = Date.parse(`${day}T00:00:00Z`)
        if (Number.isNaN(start) || start + DAY_MS <= since || start > until) continue
        const bucket = await days.get(day)
        if (!Array.isArray(bucket)) continue
        for (const e of bucket) if (isEvent(e) && e.at >= since && e.at <= until) out.push(e)
      }
      out.sort((a, b) => a.at - b.at)
      return query.limit === undefined ? out : out.slice(-query.limit)
    },
    async prune(before) {
      let dropped = 0
      for (const day of await days.keys()) {
        const start = Date.parse(`${day}T00:00:00Z`)
        if (!Number.isNaN(start) && start + DAY_MS <= before) {
          await days.remove(day)
          dropped++
        }
      }
      return dropped
    },
  }
}

function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10)
}

function isEvent(v: unknown): v is StoredEvent {
  return typeof v === "object" && v !== null && typeof (v as StoredEvent).at === "number" && typeof (v as StoredEvent).type === "string"
}

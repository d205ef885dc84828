/**
 * The shutdown journal (store namespace `journal:<host>`): written before and after every step,
 * so a daemon that restarts in the middle of a shutdown resumes where it was without repeating a
 * finished step, and so the next start after power returns knows what to restore. A dry run keeps
 * its journal in memory only.
 */
import type { JsonValue, NutctlStore } from "../store/index.ts"

/** How a run stands: `running` until it ends; `restored` once its restore steps ran. */
export type JournalState = "running" | "done" | "failed" | "aborted" | "restored"

/** One step's record. */
export interface JournalStep {
  readonly state: "running" | "done" | "failed" | "aborted"
  readonly startedAt: number
  readonly endedAt?: number
  /** Set when the fallback did the work. */
  readonly via?: "fallback"
  readonly error?: string
  readonly note?: string
}

/** One shutdown of one host. */
export interface JournalRecord {
  readonly version: 1
  readonly runId: string
  readonly host: string
  readonly reason?: string
  readonly startedAt: number
  readonly updatedAt: number
  readonly endedAt?: number
  readonly state: JournalState
  /** How often a restarted daemon picked this run up again. */
  readonly resumes: number
  /** Where the point of no return lies in the plan (a step key). */
  readonly pointOfNoReturnStep?: string
  /** When it was passed. */
  readonly pointOfNoReturn?: { readonly step: string; readonly at: number }
  /** Where the run stood when power returned before the point of no return. */
  readonly aborted?: { readonly at: number; readonly reason: string; readonly running: readonly string[]; readonly next?: string }
  readonly restored?: { readonly at: number; readonly ok: boolean; readonly failures: readonly string[] }
  readonly steps: Readonly<Record<string, JournalStep>>
}

/** A journal being written: `update` applies a change and saves, one save at a time. */
export interface Journal {
  readonly record: JournalRecord
  /** Whether it reaches the store (false in a dry run or without a store). */
  readonly persistent: boolean
  update(change: (record: JournalRecord) => JournalRecord): Promise<void>
  /** Waits for pending saves. */
  flush(): Promise<void>
}

/** Read a host's journal; undefined when there is none or it is unreadable (a crash may cut a file short). */
export async function readJournal(store: NutctlStore, host: string): Promise<JournalRecord | undefined> {
  let value: unknown
  try {
    value = await store.journal.get(host)
  } catch {
    return undefined
  }
  return isJournalRecord(value) ? value : undefined
}

/** Open a journal on `record`; `store` undefined keeps it in memory. */
export function openJournal(record: JournalRecord, store: NutctlStore | undefined): Journal {
  let current = record
  let queue: Promise<void> = Promise.resolve()
  let failure: unknown
  const save = (): void => {
    if (store === undefined) return
    const snapshot = current
    queue = queue.then(() => store.journal.set(snapshot.host, snapshot as unknown as JsonValue)).catch((e: unknown) => {
      failure = e
    })
  }
  save()
  return {
    get record() {
      return current
    },
    persistent: store !== undefined,
    async update(change) {
      current = change(current)
      save()
      await queue
      if (failure !== undefined) {
        const e = failure
        failure = undefined
        throw new Error(`Cannot write the shutdown journal: ${(e as Error).message}`, { cause: e })
      }
    },
    flush: () => queue,
  }
}

/** Set one step's record. */
export function withStep(record: JournalRecord, key: string, step: JournalStep, now: number): JournalRecord {
  return { ...record, updatedAt: now, steps: { ...record.steps, [key]: step } }
}

function isJournalRecord(v: unknown): v is JournalRecord {
  if (typeof v !== "object" || v === null) return false
  const r = v as Partial<JournalRecord>
  return (
    r.version === 1 &&
    typeof r.runId === "string" &&
    typeof r.host === "string" &&
    typeof r.startedAt === "number" &&
    typeof r.state === "string" &&
    ["running", "done", "failed", "aborted", "restored"].includes(r.state) &&
    typeof r.steps === "object" &&
    r.steps !== null &&
    Object.values(r.steps).every((s) => typeof s === "object" && s !== null && typeof (s as JournalStep).state === "string")
  )
}

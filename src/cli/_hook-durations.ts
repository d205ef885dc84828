/**
 * Guest stop durations from the hookscript: `pre-stop` leaves a mark with the time, `post-stop`
 * takes it and records how long the stop took. PVE runs pre-stop only for stops it issues (API,
 * CLI, stopall, HA), which are the stops a UPS shutdown makes; a guest that powers itself off
 * leaves no mark and nothing is recorded. Durations land where the shutdown runner learns from
 * (store namespace `durations:`, key `proxmox:guest-<vmid>`, the proxmox executor's step key).
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { recordDuration } from "../shutdown/index.ts"
import { createStore } from "../store/index.ts"

/** Where a measured stop duration goes. */
export interface DurationSink {
  record(vmid: string, ms: number): Promise<void>
}

/** The pre-stop marks (one per guest being stopped). */
export interface StopMarks {
  put(vmid: string, at: number): Promise<void>
  /** The mark's time, removing it; undefined when there is none. */
  take(vmid: string): Promise<number | undefined>
}

/** The duration key the proxmox executor's guest steps learn under. */
export function guestDurationKey(vmid: string): string {
  return `proxmox:guest-${vmid}`
}

/** A DurationSink on nutctl's store in `stateDir` (the fs driver: one JSON file per key). */
export function storeDurationSink(stateDir: string, now: () => number): DurationSink {
  return {
    async record(vmid, ms) {
      const store = createStore({ dir: stateDir })
      try {
        await recordDuration(store, guestDurationKey(vmid), { ms, at: now(), source: "run" })
      } finally {
        await store.dispose()
      }
    },
  }
}

/**
 * Marks as files under `dir` (/run/nutctl/hook: a tmpfs, so a mark never outlives the boot it
 * was made in).
 */
export function fileStopMarks(dir: string): StopMarks {
  const file = (vmid: string): string => join(dir, `${vmid}.pre-stop`)
  return {
    async put(vmid, at) {
      await mkdir(dir, { recursive: true, mode: 0o750 })
      await writeFile(file(vmid), `${at}\n`)
    },
    async take(vmid) {
      let text: string
      try {
        text = await readFile(file(vmid), "utf8")
      } catch {
        return undefined
      }
      await rm(file(vmid), { force: true })
      const at = Number(text.trim())
      return Number.isFinite(at) ? at : undefined
    },
  }
}

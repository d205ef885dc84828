/**
 * The primary's directory: the UpsStates this process's drivers fill, read in memory. Change
 * events come from `UpsState.subscribe`; the variables one driver update touches (set one after
 * another in the same tick) are coalesced into one `vars` event.
 */
import { describeCommand, describeVariable, type Now, type StateChange, type UpsState, type UpsVariable } from "../ups/index.ts"
import type { UpsAvailability, UpsChange, UpsDirectory, UpsReading, VarReading, VarTypeInfo } from "./types.ts"

/** A UPS this process serves (server/'s ServedUps has this shape). */
export interface LocalUps {
  readonly name: string
  readonly desc: string | undefined
  readonly state: UpsState
}

export interface LocalDirectoryOptions {
  readonly ups: readonly LocalUps[]
  /** Addresses of the clients logged in to a UPS, newest first (the NUT server knows them). */
  readonly clients?: (ups: string) => readonly string[]
  /** @default Date.now */
  readonly now?: Now
}

/** A directory over this process's UpsStates, with `refresh()` for when `options.ups` changed (a reload). */
export function createLocalDirectory(options: LocalDirectoryOptions): UpsDirectory & { refresh(): void } {
  const now = options.now ?? Date.now
  // `options.ups` may be changed in place by a reload of ups.conf: looked up on each call
  const find = (name: string): LocalUps | undefined => {
    const key = name.toLowerCase()
    return options.ups.find((u) => u.name.toLowerCase() === key)
  }
  const listeners = new Set<(change: UpsChange) => void>()
  let unwatch: (() => void) | undefined

  const emit = (change: UpsChange): void => {
    for (const l of listeners) l(change)
  }

  function watch(): () => void {
    const stops = options.ups.map((u) => watchOne(u, now, emit))
    return () => {
      for (const s of stops) s()
    }
  }

  return {
    server: "local",
    list: () => options.ups.map((u) => ({ name: u.name, desc: u.desc })),
    read(name) {
      const u = find(name)
      return u ? readLocal(u, options.clients?.(u.name) ?? []) : undefined
    },
    subscribe(listener) {
      listeners.add(listener)
      unwatch ??= watch()
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0 && unwatch) {
          unwatch()
          unwatch = undefined
        }
      }
    },
    refresh() {
      // follow the UPSes that came and stop following the ones that went
      if (!unwatch) return
      unwatch()
      unwatch = watch()
    },
  }
}

/** Read one local UPS as upsd would serve it (ups.status with the FSD latch). */
export function readLocal(u: LocalUps, clients: readonly string[]): UpsReading {
  const s = u.state
  const fsd = s.fsd
  const variables: VarReading[] = s.variables().map((v) => ({
    name: v.name,
    value: fsd && v.name.toLowerCase() === "ups.status" ? s.status : v.value,
    description: describeVariable(v.name),
    type: typeOf(v),
  }))
  return {
    name: u.name,
    desc: u.desc,
    availability: s.availability(),
    status: s.status.trim(),
    fsd,
    variables,
    commands: s.commands().map((name) => ({ name, description: describeCommand(name) })),
    clients,
    // lastHeard: a driver that confirms unchanged data (heartbeat) keeps it fresh
    updatedAt: s.lastHeard,
  }
}

function typeOf(v: UpsVariable): VarTypeInfo {
  return {
    rw: v.rw,
    kind: v.string ? "STRING" : "NUMBER",
    ...(v.string ? { maxLength: v.aux } : {}),
    ...(v.enums.length > 0 ? { enums: [...v.enums] } : {}),
    ...(v.ranges.length > 0 ? { ranges: v.ranges.map((r) => ({ min: r.min, max: r.max })) } : {}),
  }
}

function watchOne(u: LocalUps, now: Now, emit: (change: UpsChange) => void): () => void {
  const s = u.state
  let status = s.status.trim()
  let availability: UpsAvailability = s.availability()
  let pending: Record<string, string | null> | undefined

  const statusCheck = (): void => {
    const next = s.status.trim()
    if (next === status) return
    const previous = status
    status = next
    emit({ kind: "status", at: now(), ups: u.name, status: next, previous })
  }
  const flush = (): void => {
    const values = pending
    pending = undefined
    if (values) emit({ kind: "vars", at: now(), ups: u.name, values })
  }

  return s.subscribe((change: StateChange) => {
    switch (change.kind) {
      case "var":
        if (!pending) {
          pending = {}
          queueMicrotask(flush)
        }
        pending[change.name] = change.value ?? null
        if (change.name.toLowerCase() === "ups.status") statusCheck()
        break
      case "fsd":
        emit({ kind: "fsd", at: now(), ups: u.name, fsd: change.fsd })
        statusCheck()
        break
      case "connection": {
        const previous = availability
        availability = change.availability
        if (previous !== availability) emit({ kind: "availability", at: now(), ups: u.name, availability, previous })
        // a driver going away clears ups.status
        statusCheck()
        break
      }
      default:
        break
    }
  })
}

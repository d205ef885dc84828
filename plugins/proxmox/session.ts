/**
 * Everything a plan's steps share: the validated config, the API client, the injected
 * capabilities (transport, command runner, store), the node this host is, and whether the API has
 * been given up for the local fallback.
 */
import type { Clock, ExecutorContext, ExecutorLog } from "../../src/shutdown/index.ts"
import { pveApi, type PveApi } from "./api.ts"
import { createPveClient } from "./client.ts"
import { splitToken, type ProxmoxConfig } from "./config.ts"
import type { GuestOutcome } from "./guests.ts"
import { createMemoryStore, stateStoreOf, type HaOptions, type StateStore } from "./ha.ts"
import type { Inventory } from "./inventory.ts"
import type { CommandRunner, LocalOptions } from "./local.ts"
import { createNodeCommandRunner } from "./node-runner.ts"
import { createNodeTransport, type HttpTransport, type TlsTrust } from "./transport.ts"

/** Capabilities the executor can be given (tests inject fakes; the daemon passes its store). */
export interface ProxmoxDeps {
  /** @default node:tls/node:http with the config's CA / fingerprint */
  readonly transport?: HttpTransport
  /** @default node:child_process (runs `qm`, `pct`, `ha-manager`, `shutdown` for real) */
  readonly runner?: CommandRunner
  /** Where the HA record survives a reboot. @default the runner's `ctx.state`, else memory (restore only within this process) */
  readonly store?: StateStore
  /** Reads `ca` when it is a path. @default node:fs/promises readFile */
  readonly readFile?: (path: string) => Promise<string>
  /** Learned shutdown duration of a guest (ms), e.g. from earlier runs and drills. */
  readonly estimate?: (vmid: number) => number | undefined
  /** Told how each guest's shutdown went (for learning durations). */
  readonly observe?: (outcome: GuestOutcome) => void
}

/** Shared state of one plan. */
export interface Session {
  readonly config: ProxmoxConfig
  readonly clock: Clock
  readonly log: ExecutorLog
  readonly dryRun: boolean
  readonly api: PveApi
  readonly runner: CommandRunner
  readonly store: StateStore
  readonly deps: ProxmoxDeps
  /** This host's PVE node name. */
  readonly node: string
  /** Set once the API failed and the local fallback took over. */
  apiDown: boolean
  /** The cluster at plan time (undefined when the plan is the local fallback). */
  inventory: Inventory | undefined
  /** What the HA step does (`freeze` keeps HA guests out of the ordered stop). */
  haMode: "disarm" | "ignore" | "freeze" | "off"
  /** vmid → startup order and `down`, from configs read so far. */
  readonly startup: Map<number, { order: number | undefined; down: number | undefined }>
  /** Nodes that run a Ceph monitor, read at plan time (powered off after the others). */
  cephMons: ReadonlySet<string>
}

/** What `ca`, `fingerprint` mean for the transport. */
export async function tlsTrust(config: ProxmoxConfig, readFile?: (path: string) => Promise<string>): Promise<TlsTrust> {
  let ca: string | undefined
  if (config.ca !== undefined) {
    if (config.ca.includes("-----BEGIN")) ca = config.ca
    else {
      const read = readFile ?? (async (p: string) => (await import("node:fs/promises")).readFile(p, "utf8"))
      ca = await read(config.ca)
    }
  }
  const fingerprints = config.fingerprint === undefined ? undefined : Array.isArray(config.fingerprint) ? config.fingerprint : [config.fingerprint]
  return { ...(ca === undefined ? {} : { ca }), ...(fingerprints === undefined ? {} : { fingerprints }) }
}

/**
 * Connect (lazily: nothing is sent until a step or discovery asks).
 * @param signal aborts every request of the session (a probe's timeout)
 */
export async function openSession(ctx: Pick<ExecutorContext<ProxmoxConfig>, "config" | "host" | "clock" | "log" | "dryRun" | "state">, deps: ProxmoxDeps, signal?: AbortSignal): Promise<Session> {
  const config = ctx.config
  const { tokenId, secret } = splitToken(config.token)
  const transport = deps.transport ?? createNodeTransport(await tlsTrust(config, deps.readFile))
  const client = createPveClient({
    // proxmox-api adds /api2/json to every path itself
    baseUrl: config.url.replace(/\/+$/, "").replace(/\/api2\/json$/, ""),
    tokenId,
    secret,
    transport,
    clock: ctx.clock,
    requestTimeoutMs: config.requestTimeout,
    readOnly: ctx.dryRun,
    ...(signal === undefined ? {} : { signal }),
  })
  return {
    config,
    clock: ctx.clock,
    log: ctx.log,
    dryRun: ctx.dryRun,
    api: pveApi(client),
    runner: deps.runner ?? createNodeCommandRunner(ctx.clock),
    store: deps.store ?? (ctx.state ? stateStoreOf(ctx.state) : createMemoryStore()),
    deps,
    node: config.node ?? (ctx.host.split(".")[0] as string),
    apiDown: false,
    inventory: undefined,
    haMode: "off",
    startup: new Map(),
    cephMons: new Set(),
  }
}

/** Options for the local fallback functions. */
/** What a cluster-wide change (HA, Ceph flags, and their restore) runs with. */
export function changeOptions(s: Session, signal: AbortSignal): HaOptions {
  return { api: s.api, store: s.store, clock: s.clock, log: s.log, signal, dryRun: s.dryRun, pollMs: s.config.pollInterval, settleMs: s.config.haSettle, cluster: s.inventory?.clusterName ?? null }
}

export function localOptions(s: Session, signal?: AbortSignal): LocalOptions {
  return {
    runner: s.runner,
    log: s.log,
    node: s.node,
    guestTimeoutMs: s.config.guestTimeout,
    concurrency: s.config.concurrency,
    forceStop: s.config.forceAfter,
    dryRun: s.dryRun,
    ...(signal ? { signal } : {}),
  }
}

/**
 * The `proxmox` executor: takes a Proxmox VE cluster down in order through its API — HA out of the
 * way (9.1 disarm-ha, older: resources to `ignored`, previous states recorded), guests in reverse
 * startup-order groups with their `down` timeouts and a forced stop after, then the nodes (the
 * point of no return) — with `qm`/`pct`/`shutdown` on the node itself when the API is unusable.
 * `restoreProxmox` undoes the HA change after power returns.
 *
 * ```yaml
 * executors:
 *   proxmox: { url: https://127.0.0.1:8006, token: { file: /etc/nutctl/pve.token }, ca: /etc/pve/pve-root-ca.pem }
 * ```
 */
import { defineExecutor } from "../../src/shutdown/index.ts"
import { proxmoxConfigSchema } from "./config.ts"
import { planProxmox } from "./plan.ts"
import { probeProxmox } from "./probe.ts"
import { restoreSteps } from "./restore.ts"
import type { ProxmoxDeps } from "./session.ts"

/** The executor with injected capabilities (tests: fake runner and transport; daemon: its store). */
export function createProxmoxExecutor(deps: ProxmoxDeps = {}) {
  return defineExecutor({
    name: "proxmox",
    description: "Shut a Proxmox VE cluster down through its API (HA, guests by startup order, nodes)",
    config: proxmoxConfigSchema,
    plan: (ctx) => planProxmox(ctx, deps),
    restore: (ctx) => restoreSteps(ctx, deps),
    // `nutctl check`: token, TLS and the privileges the plan needs, by GET requests only
    probe: (ctx, signal) => probeProxmox(ctx, signal, deps),
  })
}

export default createProxmoxExecutor()

/** The `executors.proxmox` schema and its output type; HA modes. */
export { HA_MODES, proxmoxConfigSchema, type HaMode, type ProxmoxConfig } from "./config.ts"
/** Capabilities the executor takes. */
export type { ProxmoxDeps } from "./session.ts"
/** Steps carry `estimateMs` and `fallback` besides the Step contract. */
export type { ProxmoxStep } from "./plan.ts"
/** Restore HA after power returns or an aborted shutdown. */
export { restoreProxmox, restoreSteps, type RestoreOptions, type RestoreResult } from "./restore.ts"
/** The HA record and the store it lives in. */
export { HA_RECORD_KEY, createMemoryStore, loadHaRecord, stateStoreOf, type HaRecord, type HaRestoreReport, type StateStore } from "./ha.ts"
/** Ceph OSD flags around a full-cluster power-off: the record a shutdown leaves. */
export { CEPH_RECORD_KEY, type CephFlag, type CephRecord } from "./ceph.ts"
/** Per-guest results (for learned durations). */
export type { GuestOutcome } from "./guests.ts"
/** Typed errors. */
export { PROXMOX_ERROR_CODES, ProxmoxError, isApiUnusable, type ProxmoxErrorCode } from "./errors.ts"
/** Transports (node:tls pinning) and the command runner. */
export { createNodeTransport, type HttpRequest, type HttpResponse, type HttpTransport, type TlsTrust } from "./transport.ts"
export { createNodeCommandRunner } from "./node-runner.ts"
export type { CommandResult, CommandRunner } from "./local.ts"

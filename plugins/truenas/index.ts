/**
 * The `truenas` executor: powers a TrueNAS SCALE off through its middleware — JSON-RPC 2.0 over
 * WebSocket at /api/current (25.04+) with an API key, the legacy /websocket API as fallback, and
 * `midclt` when nutctl runs on the NAS itself. On a primary it first waits for the secondaries and
 * ends with the UPS kill request. research/executors-reference.md §5 has the protocol facts.
 *
 * ```yaml
 * executors:
 *   truenas: { url: wss://nas.lan, apiKey: { file: /etc/nutctl/truenas.key }, fingerprint: "AA:BB:…" }
 * ```
 */
import { defineExecutor, type Executor } from "../../src/shutdown/index.ts"
import { truenasConfigSchema, type TrueNasConfig } from "./config.ts"
import { nodeCommandRunner } from "./node-command.ts"
import { probeTrueNas } from "./probe.ts"
import { truenasSteps, type TrueNasDeps } from "./steps.ts"
import { connectWebSocket } from "./ws/connect.ts"

/** The executor with its capabilities replaced (tests: a fake midclt, a fake WebSocket). */
export function createTrueNasExecutor(deps: Partial<TrueNasDeps> = {}): Executor<TrueNasConfig> {
  const full: TrueNasDeps = { connect: deps.connect ?? connectWebSocket, runCommand: deps.runCommand ?? nodeCommandRunner }
  return defineExecutor({
    name: "truenas",
    description: "Power off a TrueNAS SCALE through its middleware API (midclt on the NAS itself)",
    config: truenasConfigSchema,
    plan: (ctx) => truenasSteps(ctx, full),
    // `nutctl check`: log in with the key, read the version and the key's roles (midclt on the NAS when the API fails)
    probe: (ctx, signal) => probeTrueNas(ctx, signal, full),
  })
}

export { truenasConfigSchema, isLoopbackHost, type TrueNasConfig } from "./config.ts"
export { TRUENAS_ERROR_CODES, MiddlewareCallError, TrueNasError, type TrueNasErrorCode } from "./errors.ts"
export type { CommandRunner } from "./midclt.ts"
export type { TrueNasDeps } from "./steps.ts"
export type { WsConnection, WsConnector } from "./ws/types.ts"
/** The middleware simulator (tests and `nutctl drill --simulate`). */
export { SIM_API_KEY, SIM_VERSIONS, startTrueNasSimulator, type SimCall, type SimVersion, type TrueNasSim, type TrueNasSimKey, type TrueNasSimOptions } from "./sim/index.ts"

export default createTrueNasExecutor()

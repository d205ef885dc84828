/**
 * A Proxmox VE API simulator for tests: schema-validated, wire-exact, virtual time (see server.ts,
 * cluster.ts, guest-power.ts).
 */
/** The simulator (one listener per node) and its options. */
export { ProxmoxSim, type ProxmoxSimOptions, type SimTls } from "./server.ts"
/** The cluster state behind it. */
export { SimCluster, type SimGuest, type SimHaResource, type SimNode, type SimTask } from "./cluster.ts"
/** Virtual time that advances when the process is idle. */
export { SimClock } from "./sim-clock.ts"
/** Schema loading and validation (apidoc.json / apidoc-pve8.4.json). */
export { ApiSchema, loadApiSchema, parseStartupOrder, type PveVersion, type ResolvedMethod } from "./schema.ts"
/** Scenario and record shapes. */
export { SimHttpError, type ClusterSpec, type GuestSpec, type RecordedRequest, type SimEvent, type TokenSpec } from "./types.ts"
/** The 3 × 20 acceptance cluster and its token. */
export { SIM_TOKEN, SIM_TOKEN_ID, SIM_TOKEN_SECRET, SPECIAL, standardCluster, type StandardClusterOptions } from "./scenario.ts"
/** Throw-away CA + node certificates. */
export { makeSimCertificates, type SimCertificates } from "./tls.ts"
/** The proxmox executor against the simulator: fake command runner, tracked transport, order check. */
export { FakeRunner, ProxmoxHarness, orderViolations, runnerActsOn, type HarnessOptions } from "./harness.ts"

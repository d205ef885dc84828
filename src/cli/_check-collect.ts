/**
 * Read what `nutctl check` judges: per server one connection, per UPS a GET for each variable
 * it looks at and GET NUMLOGINS, one after the other (LIST CLIENT only when asked). Every read is
 * anonymous in NUT (research/nut-reference.md §1.4), so check needs no password.
 */
import { formatHostPort, NutClientError, type NutClient } from "../client/index.ts"
import { NutError } from "../protocol/index.ts"
import type { ReadProblem, UpsReading } from "./_check-evaluate.ts"
import type { HostTarget, UpsTarget } from "./_target.ts"

/** Opens a client for a server (the command's connection options applied). */
export type ClientOpener = (target: HostTarget) => Promise<NutClient>

/**
 * Whether to ask LIST CLIENT for a UPS, given its NUMLOGINS: upsd 2.8.0 takes ~44 ms for any LIST
 * (BENCHMARKS.md), so check asks only when the addresses explain something (missing logins).
 */
export type WantClients = (ups: string, numLogins: number) => boolean

/** Read every target; problems become readings, never exceptions. */
export async function collectReadings(targets: readonly UpsTarget[], open: ClientOpener, wantClients: WantClients = () => false): Promise<UpsReading[]> {
  const byServer = new Map<string, UpsTarget[]>()
  for (const t of targets) {
    const key = formatHostPort(t.host, t.port)
    byServer.set(key, [...(byServer.get(key) ?? []), t])
  }
  const groups = await Promise.all([...byServer.entries()].map(([where, list]) => readServer(where, list, open, wantClients)))
  return groups.flat()
}

async function readServer(where: string, targets: readonly UpsTarget[], open: ClientOpener, wantClients: WantClients): Promise<UpsReading[]> {
  const first = targets[0] as UpsTarget
  const unreachable = (e: unknown): UpsReading[] =>
    targets.map((t) => ({ target: `${t.ups ?? ""}@${where}`, ups: t.ups ?? "", problem: { kind: "unreachable", message: e instanceof NutClientError ? e.message : `Cannot read ${where}: ${describe(e)}` }, vars: {} }))
  let client: NutClient
  try {
    client = await open(first)
  } catch (e) {
    return unreachable(e)
  }
  try {
    const names: string[] = []
    for (const t of targets) {
      if (t.ups !== undefined) names.push(t.ups)
      else names.push(...(await client.listUps()).map((u) => u.name))
    }
    const unique = [...new Set(names)]
    const out: UpsReading[] = []
    for (const ups of unique) out.push(await readUps(client, ups, `${ups}@${where}`, wantClients))
    return out
  } catch (e) {
    if (e instanceof NutClientError) return unreachable(e)
    throw e
  } finally {
    client.close()
  }
}

/**
 * The variables check and hook judge, asked one GET at a time. upsd 2.8.0 writes every reply
 * line on its own with Nagle on: a LIST, or several requests in flight at once, leaves the later
 * lines waiting ~40 ms for the client's delayed ACK (upsc's LIST VAR takes ~48 ms, BENCHMARKS.md);
 * one GET after the other costs a round trip each (~0.1 ms on loopback) and never stalls.
 */
export const CHECK_VARS = ["ups.status", "battery.charge", "battery.runtime", "ups.load", "input.voltage", "ups.test.result", "ups.alarm"] as const

async function readUps(client: NutClient, ups: string, target: string, wantClients: WantClients): Promise<UpsReading> {
  const values: Array<{ value?: string; error?: NutError }> = []
  for (const name of CHECK_VARS) {
    const v = await attempt(client.getVar(ups, name))
    values.push(v)
    // no data at all (stale, no driver, unknown UPS): the other GETs would only say the same
    if (name === "ups.status" && v.error !== undefined && v.error.code !== "VAR-NOT-SUPPORTED") break
  }
  const logins = await attempt(client.getNumLogins(ups))
  const clients = logins.value !== undefined && wantClients(ups, logins.value) ? await attempt(client.listClient(ups)) : {}
  const optional = {
    ...(logins.value !== undefined ? { numLogins: logins.value } : {}),
    ...(clients.value !== undefined ? { clients: clients.value } : {}),
  }
  // ups.status decides whether there is data at all (stale, no driver, unknown UPS)
  const status = values[0]
  if (status?.error !== undefined && status.error.code !== "VAR-NOT-SUPPORTED") return { target, ups, problem: problemOf(status.error, ups), vars: {}, ...optional }
  const map: Record<string, string> = {}
  values.forEach((v, i) => {
    if (v.value !== undefined) map[CHECK_VARS[i] as string] = v.value
  })
  return { target, ups, vars: map, ...optional }
}

function problemOf(error: NutError, ups: string): ReadProblem {
  switch (error.code) {
    case "DATA-STALE":
      return { kind: "stale", message: "data is stale: the driver stopped reporting (USB or cable trouble, or a hung driver)" }
    case "DRIVER-NOT-CONNECTED":
      return { kind: "no-driver", message: "no driver is connected to this UPS on the server" }
    case "UNKNOWN-UPS":
      return { kind: "unknown-ups", message: `the server has no UPS called ${ups}` }
    default:
      return { kind: "refused", message: `the server refused: ERR ${error.code}` }
  }
}

/** A NUT refusal becomes data; connection trouble still throws. */
async function attempt<T>(promise: Promise<T>): Promise<{ value?: T; error?: NutError }> {
  try {
    return { value: await promise }
  } catch (e) {
    if (e instanceof NutError) return { error: e }
    throw e
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

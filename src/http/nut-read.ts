/**
 * Reading UPSes from a NUT server (upsd or nutctl) over the protocol: what a secondary shows of
 * its primary, and what `/ups_metrics?server=…` scrapes, as nut_exporter does.
 */
import { NutClient, type VarType } from "../client/index.ts"
import { NutError } from "../protocol/index.ts"
import type { CommandReading, Credentials, UpsDirectory, UpsReading, VarReading, VarTypeInfo } from "./types.ts"

/** Opens a NUT client session (NutClient.connect, or a scripted one in tests). */
export type NutConnect = (target: { readonly host: string; readonly port: number }) => Promise<NutClient>

/** The default: a plain TCP session with a 5 s timeout. */
export const connectNut: NutConnect = (target) => NutClient.connect({ host: target.host, port: target.port })

/** upsd's `LIST UPS` text when ups.conf has no desc. */
const NO_UPS_DESC = "Description unavailable"

/** Descriptions and types a server told us; they do not change while it runs, so ask once. */
export class NutMetaCache {
  readonly #varDesc = new Map<string, string>()
  readonly #varType = new Map<string, VarTypeInfo>()
  readonly #cmdDesc = new Map<string, string>()

  async varDesc(client: NutClient, ups: string, name: string): Promise<string> {
    const key = name.toLowerCase()
    let d = this.#varDesc.get(key)
    if (d === undefined) this.#varDesc.set(key, (d = await client.getDesc(ups, name)))
    return d
  }

  async varType(client: NutClient, ups: string, name: string): Promise<VarTypeInfo> {
    const key = `${ups.toLowerCase()}\0${name.toLowerCase()}`
    let t = this.#varType.get(key)
    if (t === undefined) this.#varType.set(key, (t = typeInfo(await client.getType(ups, name))))
    return t
  }

  async cmdDesc(client: NutClient, ups: string, name: string): Promise<string> {
    const key = name.toLowerCase()
    let d = this.#cmdDesc.get(key)
    if (d === undefined) this.#cmdDesc.set(key, (d = await client.getCmdDesc(ups, name)))
    return d
  }
}

/** `LIST UPS`, with upsd's "Description unavailable" turned into undefined. */
export async function listNutUps(client: NutClient): Promise<Array<{ name: string; desc: string | undefined }>> {
  return (await client.listUps()).map((u) => ({ name: u.name, desc: u.desc === NO_UPS_DESC ? undefined : u.desc }))
}

/**
 * Read one UPS: variables (with descriptions and types), commands and clients. A driver that is
 * down or stale gives an empty reading with that availability, as upsd refuses the LISTs then.
 * Connection failures are thrown (NutClientError); `ERR UNKNOWN-UPS` is thrown as NutError.
 */
export async function readUpsOverNut(client: NutClient, ups: { name: string; desc: string | undefined }, cache: NutMetaCache, now: number): Promise<UpsReading> {
  const empty = (availability: "not-connected" | "stale"): UpsReading => ({ name: ups.name, desc: ups.desc, availability, status: "", fsd: false, variables: [], commands: [], clients: [], updatedAt: 0 })
  let vars
  try {
    vars = await client.listVar(ups.name)
  } catch (e) {
    if (e instanceof NutError && e.code === "DRIVER-NOT-CONNECTED") return empty("not-connected")
    if (e instanceof NutError && e.code === "DATA-STALE") return empty("stale")
    throw e
  }
  const variables: VarReading[] = []
  for (const v of vars) {
    variables.push({ name: v.name, value: v.value, description: await cache.varDesc(client, ups.name, v.name), type: await cache.varType(client, ups.name, v.name) })
  }
  const commands: CommandReading[] = []
  for (const name of await client.listCmd(ups.name)) commands.push({ name, description: await cache.cmdDesc(client, ups.name, name) })
  let clients: string[] = []
  try {
    clients = await client.listClient(ups.name)
  } catch (e) {
    if (!(e instanceof NutError)) throw e // some servers refuse LIST CLIENT; the rest still counts
  }
  const status = variables.find((v) => v.name.toLowerCase() === "ups.status")?.value ?? ""
  return { name: ups.name, desc: ups.desc, availability: "ok", status, fsd: status.split(" ").includes("FSD"), variables, commands, clients, updatedAt: now }
}

/** Where a one-off scrape goes (`/ups_metrics?server=…&serverport=…&username=…&password=…`). */
export interface NutTarget {
  readonly host: string
  readonly port: number
  readonly credentials?: Credentials
  /** Read only this UPS; without it, the only UPS when there is exactly one. */
  readonly ups?: string
}

/**
 * Connect, read, disconnect: a directory frozen at one moment, as nut_exporter reads a server on
 * every scrape. Only the UPS the target names (or the only one) is read.
 */
export async function fetchNutDirectory(target: NutTarget, options: { connect?: NutConnect; now?: () => number } = {}): Promise<UpsDirectory> {
  const client = await (options.connect ?? connectNut)({ host: target.host, port: target.port })
  try {
    if (target.credentials) {
      // like nut_exporter: a failed login is only a warning, reads mostly need none
      await client.authenticate(target.credentials.user, target.credentials.password).catch(() => undefined)
    }
    const list = await listNutUps(client)
    const pick = target.ups === undefined ? (list.length === 1 ? list[0] : undefined) : list.find((u) => u.name.toLowerCase() === target.ups?.toLowerCase())
    const readings = new Map<string, UpsReading>()
    if (pick) readings.set(pick.name.toLowerCase(), await readUpsOverNut(client, pick, new NutMetaCache(), (options.now ?? Date.now)()))
    return {
      server: `${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}`,
      list: () => list,
      read: (name) => readings.get(name.toLowerCase()),
      subscribe: () => () => undefined,
    }
  } finally {
    client.close()
  }
}

function typeInfo(t: VarType): VarTypeInfo {
  return { rw: t.rw, kind: t.kind, ...(t.maxLength === undefined ? {} : { maxLength: t.maxLength }) }
}

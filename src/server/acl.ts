/**
 * Allowed client networks (`server.allow` CIDRs, IPv4 and IPv6). upsd itself has none (it relies on
 * LISTEN, firewalls and tcp-wrappers); nutctl checks it when a connection arrives.
 */
export interface Network {
  readonly family: 4 | 6
  readonly bits: bigint
  readonly prefix: number
}

/** Thrown for a CIDR that cannot be parsed. */
export class CidrError extends Error {
  readonly code = "E_BAD_CIDR"
  readonly cidr: string
  constructor(cidr: string) {
    super(`Cannot parse network "${cidr}": expected an address or CIDR like 10.0.10.0/24 or fd00::/64`)
    this.name = "CidrError"
    this.cidr = cidr
  }
}

/** Parse `10.0.0.0/8`, `::1`, `fd00::/64` (a bare address is a /32 or /128). */
export function parseNetwork(cidr: string): Network {
  const [addr = "", len] = cidr.trim().split("/")
  const parsed = parseAddress(addr)
  if (!parsed) throw new CidrError(cidr)
  const max = parsed.family === 4 ? 32 : 128
  const prefix = len === undefined ? max : Number(len)
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (len !== undefined && !/^\d+$/.test(len))) throw new CidrError(cidr)
  return { family: parsed.family, bits: parsed.bits, prefix }
}

/** Is `address` (as a socket reports it) inside any of `networks`? */
export function isAllowed(address: string, networks: readonly Network[]): boolean {
  const a = parseAddress(unmapV4(address))
  if (!a) return false
  return networks.some((n) => {
    if (n.family !== a.family) return false
    const width = BigInt(a.family === 4 ? 32 : 128)
    const shift = width - BigInt(n.prefix)
    return a.bits >> shift === n.bits >> shift
  })
}

/** `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) → `10.0.0.1`. */
export function unmapV4(address: string): string {
  return address.toLowerCase().startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address
}

function parseAddress(text: string): { family: 4 | 6; bits: bigint } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split(".").map(Number)
    if (parts.some((p) => p > 255)) return undefined
    return { family: 4, bits: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) }
  }
  if (!text.includes(":")) return undefined
  const zoneless = text.split("%")[0] ?? ""
  let head = zoneless
  let tail = ""
  const dbl = zoneless.indexOf("::")
  if (dbl >= 0) {
    head = zoneless.slice(0, dbl)
    tail = zoneless.slice(dbl + 2)
    if (tail.includes("::")) return undefined
  }
  const toGroups = (s: string): number[] | undefined => {
    if (s === "") return []
    const out: number[] = []
    for (const g of s.split(":")) {
      if (g.includes(".")) {
        const v4 = parseAddress(g)
        if (!v4 || v4.family !== 4) return undefined
        out.push(Number(v4.bits >> 16n), Number(v4.bits & 0xffffn))
      } else if (/^[0-9a-f]{1,4}$/i.test(g)) out.push(Number.parseInt(g, 16))
      else return undefined
    }
    return out
  }
  const h = toGroups(head)
  const t = toGroups(tail)
  if (!h || !t) return undefined
  const missing = 8 - h.length - t.length
  if (dbl < 0 ? missing !== 0 : missing < 1) return undefined
  const groups = [...h, ...Array<number>(dbl < 0 ? 0 : missing).fill(0), ...t]
  return { family: 6, bits: groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) }
}

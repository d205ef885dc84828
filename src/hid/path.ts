// NUT's HID path notation: dotted nodes, each a usage name, `[n]` for the index node that a
// vendor collection type 0x80+n adds (MGE/Eaton, Phoenixtec: `UPS.Flow.[4].ConfigVoltage`), or
// 8 lowercase hex digits for a usage no table names (`UPS.ff860005.ff86007c`).
import type { UsageNames } from "./usage-names.ts"

/** Index nodes are stored like NUT does: 0x00ff0000 | n. */
export const INDEX_NODE_BASE = 0x00ff0000

/** True for an index node (`[n]`). */
export function isIndexNode(node: number): boolean {
  return Math.floor(node / 0x10000) === 0x00ff
}

/** One node as NUT prints it: table name first, then `[n]`, then `%08x`. */
export function formatNode(node: number, names: UsageNames): string {
  const name = names.name(node)
  if (name !== undefined) return name
  if (isIndexNode(node)) return `[${node % 0x10000}]`
  return (node >>> 0).toString(16).padStart(8, "0")
}

/** Numeric path → `UPS.PowerSummary.RemainingCapacity`. */
export function formatPath(nodes: readonly number[], names: UsageNames): string {
  return nodes.map((node) => formatNode(node, names)).join(".")
}

/**
 * `UPS.PowerSummary.RemainingCapacity` → numeric nodes; undefined when a token is neither a known
 * name, nor 1–8 hex digits, nor `[n]` (NUT would log and silently drop such a token instead).
 */
export function parsePath(path: string, names: UsageNames): number[] | undefined {
  const nodes: number[] = []
  for (const token of path.split(".")) {
    const named = names.usage(token)
    if (named !== undefined) nodes.push(named)
    else if (/^[0-9a-f]{1,8}$/i.test(token)) nodes.push(Number.parseInt(token, 16))
    else if (/^\[\d{1,5}\]$/.test(token) && Number(token.slice(1, -1)) <= 0xffff) {
      nodes.push(INDEX_NODE_BASE + Number(token.slice(1, -1)))
    } else return undefined
  }
  return nodes
}

/** Element-wise equality of two numeric paths. */
export function samePath(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((node, i) => node === b[i])
}

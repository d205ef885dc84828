/**
 * Rebuilds a report descriptor and report bytes from NUT's decoded `path` lines, for fixtures that
 * have no `.rdesc.hex` (PowerWalker VI 2200 SH: NUT 2.7.4 logged paths, ids, offsets, sizes and
 * values, not the 495-byte descriptor). Each field gets its path's collections, its report id,
 * offset and size, and a unit exponent that makes the logged value exact (27.1 → 271 × 10^-1).
 * What the driver reads back is therefore what NUT read; only ranges and units are invented.
 */
import { parsePath, writeBits, type PathRecord, type ReportType, type UsageNames } from "../../src/hid/index.ts"

const MAIN_PREFIX: Readonly<Record<ReportType, number>> = { input: 0x81, output: 0x91, feature: 0xb1 }
const INDEX_BASE = 0x00ff0000

export interface SynthDevice {
  readonly descriptor: Uint8Array
  /** Feature report bytes by id (the values of the first Feature line of each field). */
  readonly feature: Map<number, Uint8Array>
}

/** Descriptor + Feature reports for the `path` records (the first record of each field wins). */
export function synthesizeDevice(records: readonly PathRecord[], names: UsageNames): SynthDevice {
  const fields = new Map<string, PathRecord>()
  for (const r of records) {
    const key = `${r.type}:${r.reportId}:${r.bitOffset}`
    if (!fields.has(key)) fields.set(key, r)
  }
  const groups = new Map<string, PathRecord[]>()
  for (const r of fields.values()) {
    const key = `${r.type}:${r.reportId}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  const out: number[] = [0x05, 0x84] // Usage Page (Power Device); every usage below is 4-byte anyway
  const sizes = new Map<number, number>()
  for (const group of groups.values()) {
    group.sort((a, b) => a.bitOffset - b.bitOffset)
    let bit = 0
    for (const r of group) {
      const nodes = parsePath(r.path, names)
      if (nodes === undefined) throw new Error(`Cannot synthesize ${r.path}: unknown usage`)
      out.push(0x85, r.reportId)
      if (r.bitOffset > bit) out.push(0x75, r.bitOffset - bit, 0x95, 0x01, MAIN_PREFIX[r.type], 0x01) // constant padding
      const opened = openCollections(out, nodes)
      const { exponent, raw } = encode(r.value ?? 0)
      const signed = raw < 0
      out.push(0x17, ...le32(signed ? -(2 ** (Math.min(r.bitSize, 32) - 1)) : 0))
      out.push(0x27, ...le32(signed || r.bitSize >= 32 ? 2 ** (Math.min(r.bitSize, 32) - 1) - 1 : 2 ** r.bitSize - 1))
      out.push(0x67, ...le32(0), 0x55, exponent < 0 ? 16 + exponent : exponent)
      out.push(0x75, r.bitSize, 0x95, 0x01, 0x0b, ...le32(nodes[nodes.length - 1] ?? 0), MAIN_PREFIX[r.type], 0x02)
      for (let i = 0; i < opened; i++) out.push(0xc0)
      bit = r.bitOffset + r.bitSize
      if (r.type === "feature") sizes.set(r.reportId, Math.max(sizes.get(r.reportId) ?? 0, bit))
    }
  }
  const feature = new Map<number, Uint8Array>()
  for (const [id, bits] of sizes) feature.set(id, Uint8Array.of(id, ...new Array<number>(Math.ceil(bits / 8)).fill(0)))
  for (const r of fields.values()) {
    const report = feature.get(r.reportId)
    if (r.type !== "feature" || report === undefined) continue
    writeBits(report, 8 + r.bitOffset, r.bitSize, encode(r.value ?? 0).raw)
  }
  return { descriptor: Uint8Array.from(out), feature }
}

/** Opens one collection per path node but the last; an index node `[n]` becomes collection type 0x80+n. */
function openCollections(out: number[], nodes: readonly number[]): number {
  let opened = 0
  for (let i = 0; i < nodes.length - 1; i++) {
    const node = nodes[i] ?? 0
    const next = nodes[i + 1] ?? 0
    const indexed = i + 1 < nodes.length - 1 && Math.floor(next / 0x10000) === INDEX_BASE / 0x10000
    out.push(0x0b, ...le32(node), 0xa1, indexed ? 0x80 + (next % 0x10000) : i === 0 ? 0x01 : 0x00)
    if (indexed) i++
    opened++
  }
  return opened
}

/** The smallest power of ten (≤ 3 decimals) that makes `value` an integer. */
function encode(value: number): { exponent: number; raw: number } {
  for (let decimals = 0; decimals <= 3; decimals++) {
    const raw = Math.round(value * 10 ** decimals)
    if (Math.abs(raw / 10 ** decimals - value) < 1e-9) return { exponent: -decimals, raw }
  }
  return { exponent: 0, raw: Math.round(value) }
}

function le32(n: number): number[] {
  const u = n < 0 ? n + 2 ** 32 : n
  return [u & 0xff, (u >>> 8) & 0xff, (u >>> 16) & 0xff, (u >>> 24) & 0xff]
}

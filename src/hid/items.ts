// HID 1.11 §6.2.2 item encoding: the prefix byte (bSize, bType, bTag), little-endian data,
// long items (prefix 0xFE). Splits a descriptor into items without interpreting them.
import type { MainItemFlags } from "./types.ts"

/** bType of a short item. */
export const ITEM_TYPES = ["main", "global", "local", "reserved"] as const
export type ItemType = (typeof ITEM_TYPES)[number]

/** One short item (long items are reported with `long: true` and no meaning). */
export interface HidItem {
  /** Byte offset of the prefix in the descriptor. */
  readonly offset: number
  /** Prefix byte with the size bits cleared (`0x84` Report ID, `0xb0` Feature …). */
  readonly prefix: number
  readonly type: ItemType
  readonly tag: number
  /** Number of data bytes: 0, 1, 2 or 4. */
  readonly size: number
  /** Data bytes read as an unsigned little-endian integer. */
  readonly data: number
  readonly long: boolean
}

/** An item whose data runs past the end of the descriptor. */
export interface TruncatedItem {
  readonly offset: number
  readonly truncated: true
  readonly needed: number
  readonly available: number
}

const SIZES = [0, 1, 2, 4] as const

/** Walks the items of a descriptor; stops after a truncated item. */
export function* readItems(bytes: Uint8Array): Generator<HidItem | TruncatedItem> {
  let pos = 0
  while (pos < bytes.length) {
    const offset = pos
    const prefix = bytes[pos] ?? 0
    if (prefix === 0xfe) {
      // Long item: bDataSize, bLongItemTag, data. HID 1.11 defines none; NUT skips them too.
      const dataSize = bytes[pos + 1]
      const end = pos + 3 + (dataSize ?? 0)
      if (dataSize === undefined || end > bytes.length) {
        yield { offset, truncated: true, needed: 3 + (dataSize ?? 0), available: bytes.length - pos }
        return
      }
      yield { offset, prefix, type: "reserved", tag: bytes[pos + 2] ?? 0, size: dataSize, data: 0, long: true }
      pos = end
      continue
    }
    const size = SIZES[prefix & 0x03] ?? 0
    if (pos + 1 + size > bytes.length) {
      yield { offset, truncated: true, needed: 1 + size, available: bytes.length - pos }
      return
    }
    let data = 0
    for (let i = 0; i < size; i++) data += (bytes[pos + 1 + i] ?? 0) * 2 ** (8 * i)
    yield {
      offset,
      prefix: prefix & 0xfc,
      type: ITEM_TYPES[(prefix >> 2) & 0x03] ?? "reserved",
      tag: prefix >> 4,
      size,
      data,
      long: false,
    }
    pos += 1 + size
  }
}

/** Item data as a two's-complement number of the item's own size (`25 ff` = −1, `26 ff 00` = 255). */
export function signedData(item: HidItem): number {
  if (item.size === 0) return 0
  const bits = item.size * 8
  const half = 2 ** (bits - 1)
  return item.data >= half ? item.data - 2 ** bits : item.data
}

/**
 * Unit Exponent (HID 1.11 §6.2.2.7): a 4-bit two's-complement nibble, but some devices send a
 * whole signed byte (`55 fe` = −2). Values 8..15 are the nibble's negatives; anything else is read
 * as a signed number of the item's size. `inRange` is false outside −8..7 (garbage).
 */
export function unitExponentOf(item: HidItem): { value: number; inRange: boolean } {
  if (item.data >= 8 && item.data <= 15) return { value: item.data - 16, inRange: true }
  const value = signedData(item)
  return { value, inRange: value >= -8 && value <= 7 }
}

/** Decodes the main item data bits of Input/Output/Feature. */
export function decodeMainFlags(flags: number): MainItemFlags {
  const bit = (n: number): boolean => Math.floor(flags / 2 ** n) % 2 === 1
  return {
    constant: bit(0),
    variable: bit(1),
    relative: bit(2),
    wrap: bit(3),
    nonLinear: bit(4),
    noPreferred: bit(5),
    nullState: bit(6),
    volatile: bit(7),
    bufferedBytes: bit(8),
  }
}

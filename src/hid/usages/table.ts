// The shape of a usage-name table: [32-bit usage, name] pairs, as facts (not code) from the
// specification and from the names NUT prints.

/** [usage, name] pairs; usage = page << 16 | id. */
export type UsageTable = readonly (readonly [usage: number, name: string])[]

/** Builds a table for one usage page from `{ id: name }`. */
export function pageTable(page: number, names: Readonly<Record<number, string>>): UsageTable {
  return Object.entries(names).map(([id, name]) => [page * 0x10000 + Number(id), name] as const)
}

/** A NUT variable as upsd stores it: value, type flags, enum values and ranges. */
export interface UpsVariable {
  /** Name with the driver's spelling (lookups are case-insensitive). */
  readonly name: string
  value: string
  /** Writable via SET VAR. */
  rw: boolean
  /** STRING type; `aux` is then the maximum length. Otherwise the variable is a NUMBER. */
  string: boolean
  /** Maximum length of a STRING value. */
  aux: number
  /** Allowed values, in the driver's insertion order (LIST ENUM). */
  readonly enums: string[]
  /** Allowed numeric ranges, in insertion order (LIST RANGE). */
  readonly ranges: Array<{ min: number; max: number }>
}

/** Flag words of the NUT driver protocol (`SETFLAGS <var> RW STRING …`). */
export type VarFlag = "RW" | "STRING" | "NUMBER"

/** Describe a variable's type the way `GET TYPE` does (minus the `TYPE ups var` prefix). */
export function describeType(v: UpsVariable): string {
  let out = ""
  if (v.rw) out += " RW"
  if (v.enums.length > 0) out += " ENUM"
  if (v.ranges.length > 0) out += " RANGE"
  out += v.string ? ` STRING:${v.aux}` : " NUMBER"
  return out.slice(1)
}

/** Create a read-only NUMBER-typed variable (how upsd stores a var with no flags). */
export function newVariable(name: string, value: string): UpsVariable {
  return { name, value, rw: false, string: false, aux: 0, enums: [], ranges: [] }
}

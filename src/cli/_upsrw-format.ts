/**
 * The listings of upsrw and upscmd -l, byte for byte (NUT 2.8.0 clients/upsrw.c print_rw,
 * clients/upscmd.c print_cmdlist), so scripts written against them keep working.
 */
import type { NutRange, VarType } from "../client/index.ts"

/** What upsrw fetched for one writable variable. */
export interface RwVarInfo {
  readonly name: string
  /** GET DESC; undefined when it failed (upsrw then prints "Description unavailable"). */
  readonly desc: string | undefined
  /** GET TYPE; undefined when it failed ("Unknown type"). */
  readonly type: VarType | undefined
  readonly value: string
  readonly enumValues?: readonly string[]
  readonly ranges?: readonly NutRange[]
}

/** One `[var]` block of `upsrw ups@host`, with its trailing blank line. */
export function formatRwVar(info: RwVarInfo): string {
  let out = `[${info.name}]\n${info.desc ?? "Description unavailable"}\n`
  out += info.type === undefined ? "Unknown type\n" : formatType(info, info.type)
  return out + "\n"
}

// upsrw walks the TYPE words in order: ENUM is remembered, RANGE/STRING/NUMBER decide at once
function formatType(info: RwVarInfo, type: VarType): string {
  let isEnum = false
  let out = ""
  for (const word of type.words) {
    const u = word.toUpperCase()
    if (u === "ENUM") isEnum = true
    else if (u === "RANGE") return out + formatRange(info)
    else if (u.startsWith("STRING:")) {
      const len = atoi(word.slice(7))
      return out + (isEnum ? formatEnum(info, "STRING", len) : `Type: STRING\nMaximum length: ${len}\nValue: ${info.value}\n`)
    } else if (u === "NUMBER") return out + (isEnum ? formatEnum(info, "NUMBER", 0) : `Type: NUMBER\nValue: ${info.value}\n`)
    else if (u !== "RW") out += `Type: ${word} (unrecognized)\n`
  }
  // NUT 2.7 servers send ENUM without STRING/NUMBER
  return isEnum ? out + formatEnum(info, undefined, 0) : out
}

function formatEnum(info: RwVarInfo, kind: "STRING" | "NUMBER" | undefined, len: number): string {
  let out = kind === undefined ? "Type: ENUM\n" : `Type: ENUM ${kind}\n`
  if (kind === "STRING") out += `Maximum length: ${len}\n`
  for (const v of info.enumValues ?? []) out += `Option: "${v}"${v === info.value ? " SELECTED" : ""}\n`
  return out
}

function formatRange(info: RwVarInfo): string {
  const current = atoi(info.value)
  let out = "Type: RANGE NUMBER\n"
  for (const r of info.ranges ?? []) {
    const min = atoi(r.min)
    const max = atoi(r.max)
    out += `Option: "${min}-${max}"${current >= min && current <= max ? " SELECTED" : ""}\n`
  }
  return out
}

/** upscmd -l: a heading naming the UPS as the user wrote it, a blank line, then `cmd - desc`. */
export function formatCmdList(ups: string, commands: readonly { readonly name: string; readonly desc: string | undefined }[]): string {
  // a command whose GET CMDDESC failed is printed alone, as upscmd does
  const lines = commands.map((c) => (c.desc === undefined ? `${c.name}\n` : `${c.name} - ${c.desc}\n`))
  return `Instant commands supported on UPS [${ups}]:\n\n` + lines.join("")
}

/** C's atoi: optional sign and leading digits, 0 when there are none. */
export function atoi(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text)
  return m?.[1] === undefined ? 0 : Number.parseInt(m[1], 10)
}

import { CMD_DESCRIPTIONS, VAR_DESCRIPTIONS } from "./cmdvartab.generated.ts"

/** upsd's answer when cmdvartab has no entry. */
export const NO_DESCRIPTION = "Description unavailable"

const varIndex = indexByLowerCase(VAR_DESCRIPTIONS)
const cmdIndex = indexByLowerCase(CMD_DESCRIPTIONS)

/** Description of a variable for `GET DESC` (case-insensitive, as upsd looks it up). */
export function describeVariable(name: string): string {
  return varIndex.get(name.toLowerCase()) ?? NO_DESCRIPTION
}

/** Description of an instant command for `GET CMDDESC`. */
export function describeCommand(name: string): string {
  return cmdIndex.get(name.toLowerCase()) ?? NO_DESCRIPTION
}

function indexByLowerCase(table: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v]))
}

/**
 * The variables a NUT DDL `.dev` dump lists (`name: value` lines; `#` lines and `\t#COMMENT`
 * tails are not values), for comparing what nutctl publishes with what NUT published.
 */
export function devVariables(text: string): Map<string, string> {
  const vars = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("#")) continue
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*): (.*)$/.exec(line)
    if (m === null) continue
    vars.set(m[1] ?? "", (m[2] ?? "").replace(/\t#COMMENT.*$/, ""))
  }
  return vars
}

/**
 * Differences between what NUT published (`expected`) and a UpsState's variables (`actual`):
 * missing, extra and different values, minus the names listed as known differences.
 */
export function compareVariables(
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
  known: Readonly<Record<string, string>>,
): string[] {
  const problems: string[] = []
  for (const [name, value] of expected) {
    if (name in known) continue
    const got = actual.get(name)
    if (got === undefined) problems.push(`missing ${name} (NUT: ${JSON.stringify(value)})`)
    else if (got !== value) problems.push(`${name}: NUT ${JSON.stringify(value)}, nutctl ${JSON.stringify(got)}`)
  }
  for (const [name, value] of actual) {
    if (!expected.has(name) && !(name in known)) problems.push(`extra ${name} = ${JSON.stringify(value)}`)
  }
  return problems
}

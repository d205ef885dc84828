/**
 * Role by hostname: `roles[].hosts` holds globs (`pve-compute-*`, `pve-compute-0[1-3]`) or
 * regexes written `/…/flags`; the first entry with a matching pattern wins.
 */

/** Something a hostname can be tested against. */
export interface HostMatcher {
  readonly pattern: string
  test(hostname: string): boolean
}

/**
 * Compile one `hosts` pattern. Globs match the whole name, case-insensitively (hostnames are);
 * `*` also spans dots. Regexes are used as written (add `^…$` to anchor, `i` to ignore case).
 * @returns the matcher, or a phrase saying what was expected when the pattern is invalid
 */
export function compileHostPattern(pattern: string): HostMatcher | string {
  if (pattern.trim() === "") return "a non-empty glob or /regex/"
  const re = /^\/(.+)\/([a-z]*)$/s.exec(pattern)
  if (re) {
    try {
      const regex = new RegExp(re[1] as string, (re[2] as string).replace("g", "").replace("y", ""))
      return { pattern, test: (h) => regex.test(h) }
    } catch (e) {
      return `a valid regular expression (${e instanceof Error ? e.message : String(e)})`
    }
  }
  const regex = globToRegExp(pattern)
  if (regex === undefined) return "a glob with balanced [ ] brackets"
  return { pattern, test: (h) => regex.test(h) }
}

/** The role entry a hostname gets, and which pattern matched it. */
export interface RoleMatch<R> {
  readonly index: number
  readonly entry: R
  readonly pattern: string
}

/**
 * Find the role of a host: the first `roles[]` entry one of whose patterns matches the full
 * hostname or its first label (`pve-compute-01.lan` also tries `pve-compute-01`).
 * @returns undefined when no pattern matches: such a host may only run read-only commands
 */
export function resolveRole<R extends { readonly hosts: readonly string[] }>(config: { readonly roles: readonly R[] }, hostname: string): RoleMatch<R> | undefined {
  const names = [hostname]
  const short = hostname.split(".")[0]
  if (short && short !== hostname) names.push(short)
  for (const [index, entry] of config.roles.entries()) {
    for (const pattern of entry.hosts) {
      const m = compileHostPattern(pattern)
      if (typeof m !== "string" && names.some((n) => m.test(n))) return { index, entry, pattern }
    }
  }
  return undefined
}

/** Glob → anchored case-insensitive RegExp; undefined for an unclosed `[`. */
function globToRegExp(glob: string): RegExp | undefined {
  let src = ""
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string
    if (c === "*") src += ".*"
    else if (c === "?") src += "."
    else if (c === "[") {
      const close = glob.indexOf("]", i + 2)
      if (close < 0) return undefined
      let body = glob.slice(i + 1, close)
      const negate = body.startsWith("!") || body.startsWith("^")
      if (negate) body = body.slice(1)
      src += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`
      i = close
    } else src += c.replace(/[.+^${}()|\\/]/g, "\\$&")
  }
  try {
    return new RegExp(`^${src}$`, "i")
  } catch {
    return undefined
  }
}

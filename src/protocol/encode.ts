/**
 * Escape a value for a quoted NUT word (parseconf's pconf_encode): a backslash goes before
 * each `\`, `"` and `#`, nothing else (research/nut-reference.md §1.3).
 */
export function encodeValue(value: string): string {
  let needs = false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 0x5c || c === 0x22 || c === 0x23) {
      needs = true
      break
    }
  }
  return needs ? value.replace(/[\\"#]/g, (m) => "\\" + m) : value
}

/** `"value"` with NUT escaping. */
export function quote(value: string): string {
  return `"${encodeValue(value)}"`
}

/**
 * Format one request argument the way libupsclient does: escaped, and quoted only when it
 * contains whitespace or is empty.
 */
export function formatArg(arg: string): string {
  const escaped = encodeValue(arg)
  return arg === "" || /\s/.test(arg) ? `"${escaped}"` : escaped
}

/** Build a request line (without the trailing newline) from words. */
export function formatRequest(words: readonly string[]): string {
  return words.map(formatArg).join(" ")
}

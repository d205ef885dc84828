/**
 * Reads the recorded upsd transcripts in test/fixtures/nut-wire/ (format in its README):
 * `>> b'<sent bytes>'` followed by `  < b'<line>'` per reply line, `  < (no response)` or `  < b'<EOF>'`.
 */
export interface TranscriptStep {
  /** 1-based line of the `>>` in the file. */
  readonly line: number
  readonly send: Uint8Array
  /** Expected reply lines (without `\n`); empty when nothing is expected. */
  readonly expect: readonly string[]
  /** The server closes the connection after replying. */
  readonly eof: boolean
}

/** Parse a transcript of the 01–04 kind. */
export function parseTranscript(text: string): TranscriptStep[] {
  const steps: { line: number; send: Uint8Array; expect: string[]; eof: boolean }[] = []
  text.split("\n").forEach((raw, i) => {
    if (raw.startsWith(">> ")) {
      steps.push({ line: i + 1, send: pyBytes(raw.slice(3)), expect: [], eof: false })
      return
    }
    const m = /^ {2}< (.*)$/.exec(raw)
    const step = steps[steps.length - 1]
    if (!m || !step) return
    const body = m[1] ?? ""
    if (body === "(no response)") return
    const value = new TextDecoder().decode(pyBytes(body))
    if (value === "<EOF>") step.eof = true
    else step.expect.push(value)
  })
  return steps
}

/** Decode a Python bytes literal `b'…'` (the escapes repr() produces). */
export function pyBytes(literal: string): Uint8Array {
  const m = /^b(['"])(.*)\1$/.exec(literal.trim())
  if (!m) throw new Error(`not a bytes literal: ${literal}`)
  const body = m[2] ?? ""
  const out: number[] = []
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string
    if (c !== "\\") {
      out.push(c.charCodeAt(0))
      continue
    }
    const n = body[++i]
    if (n === "x") {
      out.push(Number.parseInt(body.slice(i + 1, i + 3), 16))
      i += 2
    } else if (n === "n") out.push(0x0a)
    else if (n === "r") out.push(0x0d)
    else if (n === "t") out.push(0x09)
    else if (n !== undefined) out.push(n.charCodeAt(0))
  }
  return Uint8Array.from(out)
}

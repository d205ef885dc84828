/**
 * A small reader of the Prometheus text format (0.0.4) for tests: HELP, TYPE and samples in
 * order, with label values unescaped and values as numbers, so outputs that differ only in how a
 * number is written (Go `1e+06` vs JS `1000000`) compare equal.
 */

export interface PromSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface PromText {
  readonly help: ReadonlyMap<string, string>
  readonly type: ReadonlyMap<string, string>
  readonly samples: readonly PromSample[]
}

/** Parse exposition text; throws on a line it cannot read. */
export function parsePromText(text: string): PromText {
  const help = new Map<string, string>()
  const type = new Map<string, string>()
  const samples: PromSample[] = []
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue
    let m = /^# HELP (\S+) (.*)$/.exec(line)
    if (m) {
      help.set(m[1] ?? "", unescape(m[2] ?? ""))
      continue
    }
    m = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (m) {
      type.set(m[1] ?? "", m[2] ?? "")
      continue
    }
    if (line.startsWith("#")) continue
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line)
    if (!m) throw new Error(`not a sample line: ${line}`)
    samples.push({ name: m[1] ?? "", labels: parseLabels(m[2] ?? ""), value: parseValue(m[3] ?? "") })
  }
  return { help, type, samples }
}

/** Samples as `name{a="x",b="y"} value` strings with sorted labels and normalised numbers. */
export function sampleLines(text: PromText): string[] {
  return text.samples.map((s) => {
    const labels = Object.keys(s.labels)
      .sort()
      .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
      .join(",")
    return `${s.name}${labels === "" ? "" : `{${labels}}`} ${s.value}`
  })
}

function parseValue(v: string): number {
  if (/^[+]?Inf$/i.test(v)) return Number.POSITIVE_INFINITY
  if (/^-Inf$/i.test(v)) return Number.NEGATIVE_INFINITY
  if (/^NaN$/i.test(v)) return Number.NaN
  const n = Number(v)
  if (Number.isNaN(n)) throw new Error(`not a sample value: ${v}`)
  return n
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const body = text.slice(1, -1)
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy
  let m: RegExpExecArray | null
  let end = 0
  while ((m = re.exec(body)) !== null) {
    out[m[1] ?? ""] = unescape(m[2] ?? "")
    end = re.lastIndex
  }
  if (end !== body.length) throw new Error(`cannot read labels: ${text}`)
  return out
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c))
}

/**
 * Metric names a PromQL expression reads, found without a full parser: string literals, label
 * matchers `{…}`, ranges `[…]` and grouping clauses `by (…)` / `on (…)` … are removed first; what
 * is left and is neither a function call, a keyword nor a number is a metric name. Good enough for
 * dashboards and alert rules, which is what it is for.
 */
const KEYWORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan"])

export function promqlMetricNames(expr: string): string[] {
  let e = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
  e = e.replace(/\{[^}]*\}/g, " ").replace(/\[[^\]]*\]/g, " ")
  e = e.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
  const names = new Set<string>()
  for (const m of e.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0]
    const after = e.slice((m.index ?? 0) + word.length).trimStart()
    const before = e.slice(0, m.index ?? 0)
    if (after.startsWith("(")) continue // a function
    if (KEYWORDS.has(word.toLowerCase())) continue
    if (/[0-9.]$/.test(before)) continue // a duration or number suffix (5m, 1e3)
    names.add(word)
  }
  return [...names]
}

/** Grafana's `label_values(metric{…}, label)`: the metric name. */
export function labelValuesMetric(query: string): string | undefined {
  return /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(query)?.[1]
}

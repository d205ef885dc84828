/**
 * Metric families as plain data, rendered in the Prometheus text format by prom-client (the kept
 * library does the escaping, value formatting and content type).
 */
import { Counter, Gauge, Registry } from "prom-client"

/** One series: its labels and value. */
export interface MetricSample {
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** One metric name with its HELP, TYPE and series. */
export interface MetricFamily {
  readonly name: string
  readonly help: string
  readonly type: "gauge" | "counter"
  readonly samples: MetricSample[]
}

/** `text/plain; version=0.0.4; charset=utf-8`, what Prometheus and promtool expect. */
export const PROMETHEUS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE

/** A family with one sample. */
export function single(name: string, help: string, value: number, options: { type?: "gauge" | "counter"; labels?: Readonly<Record<string, string>> } = {}): MetricFamily {
  return { name, help, type: options.type ?? "gauge", samples: [{ labels: options.labels ?? {}, value }] }
}

/**
 * Render families in order, through a fresh prom-client registry (families are per scrape: the
 * UPS variables decide which names exist). A family with no samples is left out, as client_golang
 * leaves out a collector that sent nothing.
 */
export async function renderFamilies(families: readonly MetricFamily[]): Promise<string> {
  const registry = new Registry()
  for (const f of families) {
    if (f.samples.length === 0) continue
    // client_golang writes label pairs sorted by name; prom-client keeps the object's key order
    const labelNames = [...new Set(f.samples.flatMap((s) => Object.keys(s.labels)))].sort()
    if (f.type === "counter") {
      const c = new Counter({ name: f.name, help: f.help, labelNames, registers: [registry] })
      for (const s of f.samples) c.inc(sortedKeys(s.labels), Math.max(0, s.value))
    } else {
      const g = new Gauge({ name: f.name, help: f.help, labelNames, registers: [registry] })
      for (const s of f.samples) g.set(sortedKeys(s.labels), s.value)
    }
  }
  // prom-client separates families with a blank line, client_golang does not; newlines inside
  // HELP and label values are escaped, so every "\n\n" is such a separator
  return (await registry.metrics()).replaceAll("\n\n", "\n")
}

function sortedKeys(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k of Object.keys(labels).sort()) out[k] = labels[k] ?? ""
  return out
}

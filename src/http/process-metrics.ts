/**
 * Process metrics for `/metrics` (CPU, memory, file descriptors, event loop, GC): prom-client's
 * default collectors, as nut_exporter's `/metrics` carries client_golang's `process_*` and `go_*`.
 * Not every runtime has every collector (Bun lacks some perf_hooks parts): whatever fails to
 * start is left out rather than breaking the endpoint.
 */
import { collectDefaultMetrics, Registry } from "prom-client"

const DROPPED = [
  // gauges named *_total break `promtool check metrics` ("non-counter metrics should not have
  // _total suffix"); the same counts stay available per type in nodejs_active_handles etc.
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
  // per-V8-heap-space detail: v8.getHeapSpaceStatistics() takes ~1.7 ms under Bun (the built
  // binary), 5× the rest of a /metrics scrape; nodejs_heap_size_* keeps the totals
  "nodejs_heap_space_size_total_bytes",
  "nodejs_heap_space_size_used_bytes",
  "nodejs_heap_space_size_available_bytes",
]

/** Start the default collectors in a registry of their own; returns a text renderer. */
export function processMetricsText(): () => Promise<string> {
  const registry = new Registry()
  try {
    collectDefaultMetrics({ register: registry })
    for (const name of DROPPED) registry.removeSingleMetric(name)
  } catch {
    return async () => ""
  }
  return async () => {
    try {
      return await registry.metrics()
    } catch {
      return ""
    }
  }
}

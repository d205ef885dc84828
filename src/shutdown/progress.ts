/**
 * What the runner reports while it works, and two ways to show it: a progress line redrawn in
 * place on a terminal, and one structured (logfmt) line per event for logs and journald. Both
 * only call an injected `write`, so tests and the daemon choose where it goes.
 */

/** Events of one run, in order. Times are ms since the epoch (the injected clock). */
export type ProgressEvent =
  | {
      readonly kind: "start"
      readonly at: number
      readonly host: string
      readonly runId: string
      readonly dryRun: boolean
      /** Picked up after a restart: finished steps are skipped. */
      readonly resumed: boolean
      readonly steps: readonly { readonly key: string; readonly description: string; readonly estimateMs: number }[]
      readonly estimateMs: number
      readonly pointOfNoReturn?: string
    }
  | { readonly kind: "step-start"; readonly at: number; readonly key: string; readonly description: string }
  | { readonly kind: "fallback"; readonly at: number; readonly key: string; readonly description: string; readonly reason: string }
  | {
      readonly kind: "step-end"
      readonly at: number
      readonly key: string
      /** `skipped`: finished before a restart. */
      readonly state: "done" | "failed" | "aborted" | "skipped"
      readonly elapsedMs: number
      readonly via?: "fallback"
      readonly error?: string
      readonly note?: string
    }
  | { readonly kind: "point-of-no-return"; readonly at: number; readonly key: string }
  | { readonly kind: "tick"; readonly at: number; readonly elapsedMs: number; readonly done: number; readonly total: number; readonly running: readonly string[]; readonly remainingMs: number }
  | { readonly kind: "abort"; readonly at: number; readonly reason: string; readonly running: readonly string[]; readonly next?: string }
  | { readonly kind: "restore"; readonly at: number; readonly ok: boolean; readonly failures: readonly string[] }
  | { readonly kind: "end"; readonly at: number; readonly state: "done" | "failed" | "aborted"; readonly failures: readonly string[]; readonly elapsedMs: number }

/** Receives the events of a run. */
export type ProgressSink = (event: ProgressEvent) => void

export interface ProgressWriterOptions {
  /** Where text goes (stderr, a log file). */
  readonly write: (text: string) => void
  /** Redraw one progress line (a TTY); otherwise one logfmt line per event. */
  readonly interactive: boolean
  /** Width of the terminal. @default 80 */
  readonly columns?: number
}

/** A sink that writes progress as text. */
export function createProgressWriter(options: ProgressWriterOptions): ProgressSink {
  return options.interactive ? terminalWriter(options.write, options.columns ?? 80) : logfmtWriter(options.write)
}

/** `1m05s`, `12.3s`, `450ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?"
  const neg = ms < 0 ? "-" : ""
  const a = Math.abs(ms)
  if (a < 1000) return `${neg}${Math.round(a)}ms`
  if (a < 60_000) return `${neg}${(a / 1000).toFixed(a < 10_000 ? 1 : 0)}s`
  const m = Math.floor(a / 60_000)
  const s = Math.round((a % 60_000) / 1000)
  return `${neg}${m}m${String(s).padStart(2, "0")}s`
}

// --- Internal helpers ---

function logfmtWriter(write: (text: string) => void): ProgressSink {
  return (e) => {
    if (e.kind === "tick") return // a log needs events, not a heartbeat
    const fields: Record<string, unknown> = { ts: new Date(e.at).toISOString(), event: e.kind }
    switch (e.kind) {
      case "start":
        Object.assign(fields, { host: e.host, run: e.runId, dry_run: e.dryRun, resumed: e.resumed, steps: e.steps.length, estimate: formatDuration(e.estimateMs), point_of_no_return: e.pointOfNoReturn })
        break
      case "step-start":
        Object.assign(fields, { step: e.key, description: e.description })
        break
      case "fallback":
        Object.assign(fields, { step: e.key, description: e.description, reason: e.reason })
        break
      case "step-end":
        Object.assign(fields, { step: e.key, state: e.state, elapsed: formatDuration(e.elapsedMs), via: e.via, error: e.error, note: e.note })
        break
      case "point-of-no-return":
        Object.assign(fields, { step: e.key })
        break
      case "abort":
        Object.assign(fields, { reason: e.reason, running: e.running.join(","), next: e.next })
        break
      case "restore":
        Object.assign(fields, { ok: e.ok, failures: e.failures.join("; ") || undefined })
        break
      case "end":
        Object.assign(fields, { state: e.state, elapsed: formatDuration(e.elapsedMs), failures: e.failures.length })
        break
    }
    write(`${logfmt(fields)}\n`)
  }
}

function logfmt(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => {
      const s = String(v)
      return `${k}=${/[\s"=]/.test(s) || s === "" ? JSON.stringify(s) : s}`
    })
    .join(" ")
}

function terminalWriter(write: (text: string) => void, columns: number): ProgressSink {
  let total = 0
  let done = 0
  let lineShown = false
  const clear = (): string => (lineShown ? "\r\x1b[K" : "")
  const say = (line: string): void => {
    write(`${clear()}${line}\n`)
    lineShown = false
  }
  return (e) => {
    switch (e.kind) {
      case "start":
        total = e.steps.length
        say(`${e.dryRun ? "Dry run: " : ""}shutdown of ${e.host}: ${total} steps, about ${formatDuration(e.estimateMs)}${e.resumed ? " (resumed after a restart)" : ""}`)
        break
      case "step-end": {
        done++
        const mark = e.state === "done" ? "✔" : e.state === "skipped" ? "↷" : e.state === "aborted" ? "■" : "✖"
        const extra = e.state === "skipped" ? "done before the restart" : [formatDuration(e.elapsedMs), e.via === "fallback" ? "by its fallback" : "", e.note ?? "", e.error ?? ""].filter((x) => x !== "").join(", ")
        say(`  ${mark} ${e.key} (${extra})`)
        break
      }
      case "fallback":
        say(`  ↳ ${e.key}: ${e.reason}; fallback: ${e.description}`)
        break
      case "point-of-no-return":
        say(`  ⚑ point of no return: ${e.key}`)
        break
      case "abort":
        say(`  ■ power returned before the point of no return: stopped${e.running.length > 0 ? ` during ${e.running.join(", ")}` : ""}${e.next ? `, next would have been ${e.next}` : ""}`)
        break
      case "restore":
        say(`  ${e.ok ? "✔" : "✖"} restore${e.failures.length > 0 ? `: ${e.failures.join("; ")}` : ""}`)
        break
      case "end":
        say(`${e.state} after ${formatDuration(e.elapsedMs)}${e.failures.length > 0 ? ` (${e.failures.length} failed)` : ""}`)
        break
      case "tick": {
        const width = Math.max(10, Math.min(30, columns - 50))
        const frac = e.elapsedMs + e.remainingMs > 0 ? Math.min(1, e.elapsedMs / (e.elapsedMs + e.remainingMs)) : 0
        const filled = Math.round(frac * width)
        const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`
        const line = `${bar} ${Math.round(frac * 100)}% T+${formatDuration(e.elapsedMs)} ${done}/${total} ~${formatDuration(e.remainingMs)} left ${e.running.join(" ")}`
        write(`${clear()}${line.slice(0, columns - 1)}`)
        lineShown = true
        break
      }
      case "step-start":
        break
    }
  }
}

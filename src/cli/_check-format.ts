/**
 * `nutctl check` output: one Nagios status line with perfdata after `|`, or a JSON document
 * (`--json`) with every finding, for cron jobs and scripts.
 */
import { NAGIOS, STATE_NAMES, worst, type Finding, type NagiosState, type PerfDatum, type UpsVerdict } from "./_check-evaluate.ts"
import type { ProbeReport } from "./_check-probes.ts"

/** The whole check: every UPS, and notes that are not about one UPS. */
export interface CheckReport {
  readonly state: NagiosState
  readonly ups: readonly UpsVerdict[]
  /** Checks beside the UPSes (the auto need's figure). */
  readonly extra: readonly Finding[]
  /** The executors of this host's role, probed or why not. */
  readonly probes: readonly ProbeReport[]
  /** Perfdata of the probes (how long each took). */
  readonly perfdata: readonly PerfDatum[]
}

/**
 * Combine the verdicts. Each probe's state counts like a UPS's.
 * @param probeTimeoutMs the probes' limit, their perfdata's critical threshold
 */
export function checkReport(ups: readonly UpsVerdict[], extra: readonly Finding[] = [], probes: readonly ProbeReport[] = [], probeTimeoutMs?: number): CheckReport {
  const state = ups.length === 0 ? NAGIOS.UNKNOWN : worst([...ups.map((u) => u.state), ...extra.map((f) => f.state), ...probes.map((p) => p.state)])
  const perfdata = probes.flatMap((p): PerfDatum[] =>
    p.ms === undefined ? [] : [{ label: `probe_${p.executor}`, value: Math.round(p.ms) / 1000, uom: "s", ...(probeTimeoutMs === undefined ? {} : { crit: String(probeTimeoutMs / 1000) }), min: 0 }],
  )
  return { state, ups, extra, probes, perfdata }
}

/**
 * `UPS WARNING - rack@10.0.30.10: on battery; charge 42 % < 50 % | charge=42%;50:;20:;0;100 …`
 * The text names what is wrong first (the findings above OK), else the status in words.
 */
export function formatNagios(report: CheckReport): string {
  const many = report.ups.length > 1
  const parts = report.ups.map((u) => {
    const bad = u.findings.filter((f) => f.state !== NAGIOS.OK)
    const text = bad.length > 0 ? bad.map((f) => f.text).join("; ") : u.summary
    return `${u.target}: ${text}`
  })
  const extra = [...report.extra, ...report.probes].filter((f) => f.state !== NAGIOS.OK).map((f) => f.text)
  const perf = [...report.ups.flatMap((u) => u.perfdata.map((p) => formatPerfDatum(many ? { ...p, label: `${u.ups}_${p.label}` } : p))), ...report.perfdata.map(formatPerfDatum)]
  const text = report.ups.length === 0 ? "no UPS to check" : [...parts, ...extra].join(", ")
  return `UPS ${STATE_NAMES[report.state]} - ${text}${perf.length > 0 ? ` | ${perf.join(" ")}` : ""}`
}

/** `'label'=value[uom];[warn];[crit];[min];[max]`, trailing empty fields dropped. */
export function formatPerfDatum(p: PerfDatum): string {
  const label = /^[A-Za-z0-9_.-]+$/.test(p.label) ? p.label : `'${p.label.replace(/'/g, "''")}'`
  const fields = [`${label}=${p.value}${p.uom}`, p.warn ?? "", p.crit ?? "", p.min === undefined ? "" : String(p.min), p.max === undefined ? "" : String(p.max)]
  while (fields.length > 1 && fields[fields.length - 1] === "") fields.pop()
  return fields.join(";")
}

/** The `--json` document. */
export function formatJson(report: CheckReport): string {
  return (
    JSON.stringify(
      {
        state: STATE_NAMES[report.state],
        code: report.state,
        ups: report.ups.map((u) => ({
          target: u.target,
          state: STATE_NAMES[u.state],
          summary: u.summary,
          findings: u.findings.map((f) => ({ check: f.check, state: STATE_NAMES[f.state], text: f.text })),
          perfdata: u.perfdata,
        })),
        extra: report.extra.map((f) => ({ check: f.check, state: STATE_NAMES[f.state], text: f.text })),
        probes: report.probes.map((p) => ({ executor: p.executor, ...(p.plugin === undefined ? {} : { plugin: p.plugin }), state: STATE_NAMES[p.state], text: p.text, ...(p.ms === undefined ? {} : { ms: Math.round(p.ms) }) })),
        perfdata: report.perfdata,
      },
      null,
      2,
    ) + "\n"
  )
}

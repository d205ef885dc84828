/**
 * Prometheus' own checker on nutctl's output: `promtool check metrics` on /ups_metrics and
 * /metrics (with the process metrics), `promtool check rules` and a rule unit test on
 * contrib/prometheus/alerts.yml. promtool comes with Debian's `prometheus` package.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { createHttpApp, createLocalDirectory, processMetricsText } from "../../src/http/index.ts"
import { fixturePath } from "../support/fixture.ts"
import { startDummyUps } from "../support/dummy-state.ts"

const PROMTOOL = spawnSync("promtool", ["--version"]).status === 0
const skip = PROMTOOL ? false : "promtool is not installed (Debian package prometheus; .ci/run installs it)"
const ALERTS = fileURLToPath(new URL("../../contrib/prometheus/alerts.yml", import.meta.url))

function promtool(args: readonly string[], input?: string): { status: number | null; output: string } {
  const r = spawnSync("promtool", args, { input: input ?? "", encoding: "utf8" })
  return { status: r.status, output: `${r.stdout}${r.stderr}` }
}

test("promtool check metrics passes on /ups_metrics and /metrics", { skip }, async () => {
  const dummy = await startDummyUps(fixturePath("nut-ddl/APC__Back-UPS_BK650M2-CH__usbhid-ups__2.8.0__01.dev"))
  try {
    const app = createHttpApp({
      version: "test",
      directory: createLocalDirectory({ ups: [{ name: "ups", desc: undefined, state: dummy.state }] }),
      processMetrics: processMetricsText(),
      server: { connections: () => 2, numLogins: () => 1, requests: () => new Map([["LIST", 4]]) },
    })
    for (const path of ["/ups_metrics", "/metrics"]) {
      const text = await (await app.request(path)).text()
      const r = promtool(["check", "metrics"], text)
      assert.equal(r.status, 0, `${path}: ${r.output}`)
    }
  } finally {
    await dummy.stop()
  }
})

test("promtool check rules passes on contrib/prometheus/alerts.yml", { skip }, () => {
  const r = promtool(["check", "rules", ALERTS])
  assert.equal(r.status, 0, r.output)
  assert.match(r.output, /SUCCESS: \d+ rules found/)
})

test("alerts.yml: on battery, low runtime and a short budget fire as intended (promtool test rules)", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "nutctl-rules-"))
  try {
    const labels = 'instance="nas:9199", job="nutctl", ups="rack"'
    const yamlLabels = "instance: 'nas:9199', job: nutctl, ups: rack"
    writeFileSync(
      join(dir, "test.yml"),
      [
        "rule_files:",
        `  - ${JSON.stringify(ALERTS)}`,
        "evaluation_interval: 15s",
        "tests:",
        "  - interval: 15s",
        "    input_series:",
        `      - series: 'network_ups_tools_ups_status{flag="OB", ${labels}}'`,
        "        values: '0 0 1 1 1 1 1 1'",
        `      - series: 'network_ups_tools_battery_runtime{${labels}}'`,
        "        values: '1200 1200 900 600 400 250 200 150'",
        "      - series: 'nutctl_shutdown_budget_margin_seconds{instance=\"pve1:9199\", job=\"nutctl\"}'",
        "        values: '60x4 -30x12'",
        "    alert_rule_test:",
        "      - eval_time: 15s",
        "        alertname: UPSOnBattery",
        "        exp_alerts: []",
        "      - eval_time: 90s",
        "        alertname: UPSOnBattery",
        "        exp_alerts:",
        `          - exp_labels: { severity: warning, flag: OB, ${yamlLabels} }`,
        "            exp_annotations:",
        "              summary: UPS rack is on battery",
        "              description: 'Mains power is gone at rack (nas:9199); hosts shut down when the battery runs low.'",
        "      - eval_time: 90s",
        "        alertname: UPSRuntimeShort",
        "        exp_alerts:",
        `          - exp_labels: { severity: critical, ${yamlLabels} }`,
        "            exp_annotations:",
        "              summary: 'UPS rack: less than 5 minutes of battery left'",
        "              description: 'Runtime left: 3m 20s.'",
        // -30 from 75 s on, `for: 2m`: pending at 3m, firing at 4m
        "      - eval_time: 3m",
        "        alertname: ShutdownBudgetShort",
        "        exp_alerts: []",
        "      - eval_time: 4m",
        "        alertname: ShutdownBudgetShort",
        "        exp_alerts:",
        "          - exp_labels: { severity: critical, instance: 'pve1:9199', job: nutctl }",
        "            exp_annotations:",
        "              summary: Battery no longer covers the shutdown plan on pve1:9199",
        "              description: 'Runtime budget minus the plan''s need is -30s: an outage now would cut power before the shutdown ends.'",
        "",
      ].join("\n"),
    )
    const r = promtool(["test", "rules", join(dir, "test.yml")])
    assert.equal(r.status, 0, r.output)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
